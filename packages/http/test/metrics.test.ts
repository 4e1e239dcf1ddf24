import { arg, defineCommand, out } from "@switchboard/core";
import { until } from "@switchboard/test-servers";
import { createHarness, type Harness } from "@switchboard/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type HttpServer, httpConfigSchema, startHttpServer } from "../src/index.js";

const restart = defineCommand({
  name: "restart",
  summary: "Restart a service",
  permission: "ops:run",
  args: { service: arg.string({ required: true, positional: true }), wait: arg.duration({ default: 0 }) },
  handler: async ({ args, signal }) => {
    if (args.wait) await new Promise((resolve) => signal.addEventListener("abort", resolve, { once: true }));
    return out.status("ok", `restarted ${args.service}`);
  },
});

const policy = {
  roles: { ops: { permissions: ["ops:run", "ops:approve", "jobs:cancel"] } },
  principals: {
    alice: { roles: ["ops"], identities: { test: "alice" } },
    bob: { roles: ["ops"], identities: { test: "bob" } },
  },
  rules: [
    {
      name: "db-needs-approval",
      command: "restart",
      when: { args: { service: "db" } },
      approval: { permission: "ops:approve" },
    },
  ],
};

/** The value of one sample in Prometheus text format, or undefined. */
function sample(text: string, name: string, labels = ""): number | undefined {
  const line = text.split("\n").find((l) => l.startsWith(`${name}${labels ? `{${labels}}` : ""} `));
  return line === undefined ? undefined : Number(line.split(" ").at(-1));
}

describe("/metrics follows the bot's events", () => {
  let h: Harness;
  let server: HttpServer;
  const metrics = async () => (await fetch(`${server.url}/metrics`)).text();

  beforeAll(async () => {
    h = await createHarness({ policy, commands: [restart], networks: ["test", "irc"] });
    server = await startHttpServer({ bot: h.bot, config: httpConfigSchema.parse({ listen: "127.0.0.1:0" }) });
  });
  afterAll(async () => {
    await server?.close();
    await h?.close();
  });

  it("commands by command and outcome, and their duration", async () => {
    await h.as("alice").say("!restart web");
    await h.as("alice").say("!restart web");
    await h.as("mallory", { verified: false }).say("!restart web");
    await h.as("alice").say("!rm -rf / --no-preserve-root");
    const text = await metrics();
    expect(sample(text, "switchboard_commands_total", 'command="restart",outcome="succeeded"')).toBe(2);
    expect(sample(text, "switchboard_commands_total", 'command="restart",outcome="denied"')).toBe(1);
    expect(sample(text, "switchboard_command_duration_seconds_count", 'command="restart"')).toBe(2);
    expect(sample(text, "switchboard_commands_unknown_total", 'network="test"')).toBe(1);
    expect(sample(text, "switchboard_messages_received_total", 'network="test"')).toBe(4);
    expect(sample(text, "switchboard_messages_sent_total", 'network="test",kind="reply"')).toBeGreaterThanOrEqual(4);
    // Nothing anyone typed becomes a label.
    expect(text).not.toMatch(/rm -rf|mallory|preserve/);
  });

  it("approvals pending and jobs running, as they change", async () => {
    const asked = await h.as("alice").say("!restart db --wait 1h");
    const id = /job ([a-z0-9]+)/.exec(asked.text)?.[1];
    expect(sample(await metrics(), "switchboard_approvals_pending")).toBe(1);
    await h.as("bob").say(`!approve ${id}`);
    await until(async () => sample(await metrics(), "switchboard_jobs_running") === 1, "the job to run");
    expect(sample(await metrics(), "switchboard_approvals_pending")).toBe(0);
    await h.as("alice").say(`!cancel ${id}`);
    await h.idle();
    const text = await metrics();
    expect(sample(text, "switchboard_jobs_running")).toBe(0);
    expect(sample(text, "switchboard_commands_total", 'command="restart",outcome="cancelled"')).toBe(1);
  });

  it("audit append latency, from core's audit.appended event", async () => {
    const before = sample(await metrics(), "switchboard_audit_append_duration_seconds_count") ?? 0;
    await h.as("alice").say("!ping");
    await h.idle();
    const text = await metrics();
    expect(sample(text, "switchboard_audit_append_duration_seconds_count")).toBeGreaterThan(before);
    expect(sample(text, "switchboard_audit_append_duration_seconds_bucket", 'le="0.005"')).toBeGreaterThanOrEqual(1);
  });

  it("adapter connected per network, and reconnects", async () => {
    expect(sample(await metrics(), "switchboard_adapter_connected", 'network="irc"')).toBe(1);
    h.adapter("irc").reportStatus({ connected: false, detail: "ping timeout" });
    expect(sample(await metrics(), "switchboard_adapter_connected", 'network="irc"')).toBe(0);
    h.adapter("irc").reportStatus({ connected: true });
    const text = await metrics();
    expect(sample(text, "switchboard_adapter_connected", 'network="irc"')).toBe(1);
    expect(sample(text, "switchboard_adapter_reconnects_total", 'network="irc"')).toBe(1);
    expect(sample(text, "switchboard_adapter_reconnects_total", 'network="test"')).toBeUndefined();
  });
});
