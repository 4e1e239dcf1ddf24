/**
 * The `approvals.announce` key, from the YAML file through buildBot: a request asked on one network is posted into
 * the configured room of another; mistakes in the key are reported with their path and line.
 */
import { defineCommand } from "@switchboard/core";
import { MemoryAdapter } from "@switchboard/testing";
import { describe, expect, it } from "vitest";
import { buildBot, ConfigError, type ConfigIssue, parseConfig } from "../src/index.js";

const yaml = [
  "approvals:",
  "  announce: [slack:C_APPROVALS]",
  "roles:",
  "  deployer: { permissions: [deploy:run] }",
  "principals:",
  "  bob: { roles: [deployer], identities: { irc: bob } }",
  "rules:",
  "  - name: production",
  "    command: ship",
  "    approval: { permission: deploy:approve, count: 1 }",
  "",
].join("\n");

const ship = defineCommand({
  name: "ship",
  summary: "ships",
  permission: "deploy:run",
  sideEffect: true,
  handler: () => "shipped",
});

function issuesOf(text: string): ConfigIssue[] {
  try {
    parseConfig(text, "test.yaml", { env: {} });
  } catch (error) {
    if (error instanceof ConfigError) return error.issues;
    throw error;
  }
  throw new Error("expected a ConfigError");
}

describe("approvals.announce in the configuration", () => {
  it("posts a request asked on IRC into the configured Slack room, as an approval request", async () => {
    const { config } = parseConfig(yaml, "test.yaml", { env: {} });
    expect(config.approvals.announce).toEqual([{ network: "slack", room: "C_APPROVALS" }]);
    const irc = new MemoryAdapter("irc");
    const slack = new MemoryAdapter("slack", { edits: true });
    const bot = buildBot(config, { adapters: [irc, slack], commands: [ship] });
    await bot.start();
    await irc.inject({
      id: "1",
      network: "irc",
      room: { id: "#ops", direct: false },
      sender: { id: "bob", name: "bob", verified: true },
      text: "!ship",
      time: new Date(),
    });
    const announced = slack.sent.find((s) => s.target.room.id === "C_APPROVALS");
    expect(announced?.message).toMatchObject({ approvalRequest: true, kind: "notice" });
    expect(announced?.message.jobId).toBe(irc.sent.find((s) => s.message.approvalRequest)?.message.jobId);
    await bot.stop(0);
  });

  it("reports a room without a network, and suggests the key for a typo, with path and line", () => {
    expect(issuesOf("approvals:\n  announce: [C_APPROVALS]\n").map((i) => [i.path.join("."), i.line])).toEqual([
      ["approvals.announce.0", 2],
    ]);
    expect(issuesOf("approvals:\n  announce: [C1]\n")[0]?.message).toMatch(/is not a room: use network:room/);
    expect(issuesOf("approvals:\n  anounce: [slack:C1]\n").map((i) => i.message)).toEqual([
      'unknown key "anounce"; did you mean "announce"?',
    ]);
  });
});
