import { type HttpResponse, renderText } from "@switchboard/core";
import type { FakePagerDuty } from "@switchboard/test-servers";
import { createHarness, type Harness, MemoryAdapter } from "@switchboard/testing";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import paging from "../src/index.js";
import { signBody } from "../src/pagerduty/signature.js";
import { PEOPLE, pagerDutyAccount, pagerDutyConfig, policy } from "./helpers.js";

const OLD_SECRET = "old-secret-0123456789";
const NEW_SECRET = "new-secret-9876543210";

let fake: FakePagerDuty;
let h: Harness | undefined;
let slack: MemoryAdapter;

beforeEach(async () => {
  ({ fake } = await pagerDutyAccount());
});

afterEach(async () => {
  await h?.close();
  h = undefined;
  await fake.stop();
});

/** A bot whose PagerDuty webhook accepts `secrets`, posting to #ops (plain network) and a Slack-like channel. */
async function start(secrets: string[]) {
  h = await createHarness({
    policy: policy({ ...PEOPLE, bob: { test: "bob", slack: "U_BOB" } }, ["carol"]),
    plugins: [
      [
        paging,
        pagerDutyConfig(fake.url, {
          rooms: ["test:#ops"],
          pagerduty: {
            ...pagerDutyConfig(fake.url).pagerduty,
            services: { web: { id: "PWEB001", routingKey: "R".repeat(32), rooms: ["test:#ops", "slack:C1"] } },
            webhook: { secrets, maxAge: "1h" },
          },
        }),
      ],
    ],
  });
  slack = new MemoryAdapter("slack", { edits: true, threads: true });
  h.bot.addAdapter(slack);
  return h;
}

let eventCounter = 0;
function delivery(type: string, status: string, extra: { occurredAt?: Date; agent?: string; id?: string } = {}) {
  return JSON.stringify({
    event: {
      id: extra.id ?? `01EVT${++eventCounter}`,
      event_type: `incident.${type}`,
      resource_type: "incident",
      occurred_at: (extra.occurredAt ?? new Date()).toISOString(),
      agent: extra.agent ? { id: "PBOB001", type: "user_reference", summary: extra.agent } : null,
      client: null,
      data: {
        id: "PINC001",
        type: "incident",
        number: 7,
        status,
        title: "checkout returns 500",
        created_at: new Date().toISOString(),
        html_url: "https://example.pagerduty.com/incidents/PINC001",
        service: { id: "PWEB001", type: "service_reference", summary: "Web" },
        assignees: status === "resolved" ? [] : [{ id: "PALICE1", type: "user_reference", summary: "Alice Adams" }],
      },
    },
  });
}

/** Calls the route through the bot's route table, as @switchboard/http does. */
async function post(body: string, signature: string | undefined): Promise<HttpResponse> {
  const route = h!.bot.routes.list().find((r) => r.method === "POST" && r.path === "/hooks/pagerduty");
  if (!route) throw new Error("the plugin registered no /hooks/pagerduty route");
  const headers: Record<string, string | undefined> = { "content-type": "application/json" };
  if (signature !== undefined) headers["x-pagerduty-signature"] = signature;
  return route.handler({
    method: "POST",
    path: "/hooks/pagerduty",
    headers,
    query: {},
    rawBody: Buffer.from(body),
    ip: "127.0.0.1",
  });
}

const texts = (adapter: MemoryAdapter, room: string) =>
  adapter.sent.filter((s) => s.target.room.id === room).map((s) => renderText(s.message.blocks));

describe("PagerDuty v3 webhooks", () => {
  it("a good signature posts the incident with buttons; updates edit it and answer in its thread", async () => {
    await start([NEW_SECRET]);
    const triggered = delivery("triggered", "triggered");
    expect((await post(triggered, signBody(triggered, NEW_SECRET))).status).toBe(200);
    const [card] = slack.sent;
    expect(renderText(card!.message.blocks)).toContain("#7 Web: checkout returns 500 — triggered");
    expect(card!.message.blocks.at(-1)).toEqual({
      type: "actions",
      actions: [
        { label: "Acknowledge", command: "pager ack PINC001", style: "primary" },
        { label: "Resolve", command: "pager resolve PINC001" },
      ],
    });
    expect(texts(h!.adapter("test"), "#ops")).toHaveLength(1);

    const acked = delivery("acknowledged", "acknowledged", { agent: "Bob Brown" });
    expect((await post(acked, signBody(acked, NEW_SECRET))).status).toBe(200);
    // Slack-like: the first message is edited in place (no Acknowledge button any more) and the thread gets a line.
    expect(slack.sent).toHaveLength(2);
    expect(card!.edits).toBe(1);
    expect(renderText(card!.message.blocks)).toContain("— acknowledged by Bob Brown");
    expect(renderText(card!.message.blocks)).not.toContain("Acknowledge:");
    expect(slack.sent[1]!.target.thread).toBe(card!.id);
    expect(renderText(slack.sent[1]!.message.blocks)).toBe("#7 Web: checkout returns 500 — acknowledged by Bob Brown");

    const resolved = delivery("resolved", "resolved", { agent: "Bob Brown" });
    expect((await post(resolved, signBody(resolved, NEW_SECRET))).status).toBe(200);
    expect(renderText(card!.message.blocks)).toContain("— resolved by Bob Brown");
    expect(renderText(card!.message.blocks)).not.toContain("Resolve:");
    // The plain network cannot edit: the first update posts the message anew, later ones a line each.
    expect(texts(h!.adapter("test"), "#ops")).toEqual([
      expect.stringContaining("— triggered"),
      expect.stringContaining("— acknowledged by Bob Brown"),
      "#7 Web: checkout returns 500 — resolved by Bob Brown",
    ]);
    const audit = (await h!.audit()).filter((e) => e.event === "webhook");
    expect(audit.map((e) => e.detail?.event)).toEqual([
      "incident.triggered",
      "incident.acknowledged",
      "incident.resolved",
    ]);
    // The same record shape as the HTTP endpoint's sources write (core's webhookAuditRecord).
    expect(audit[0]).toMatchObject({
      actor: "webhook:pagerduty",
      outcome: "succeeded",
      detail: {
        source: "pagerduty",
        delivery: JSON.parse(triggered).event.id,
        rooms: ["test:#ops", "slack:C1"],
        incident: "PINC001",
        plugin: "paging",
      },
    });
  });

  it("a bad or missing signature is refused and posts nothing", async () => {
    await start([NEW_SECRET]);
    const body = delivery("triggered", "triggered");
    expect((await post(body, signBody(body, "not-the-secret-at-all"))).status).toBe(401);
    expect((await post(body, undefined)).status).toBe(401);
    expect((await post(body, "v1=zz")).status).toBe(401);
    // A valid signature of another body does not sign this one.
    const other = delivery("resolved", "resolved");
    expect((await post(body, signBody(other, NEW_SECRET))).status).toBe(401);
    expect(slack.sent).toHaveLength(0);
    expect(h!.adapter("test").sent).toHaveLength(0);
    expect((await h!.audit()).some((e) => e.event === "webhook")).toBe(false);
  });

  it("accepts both secrets during a rotation, and the old one no more once it is removed", async () => {
    await start([OLD_SECRET, NEW_SECRET]);
    const first = delivery("triggered", "triggered");
    // PagerDuty signs with every active secret while it rotates: "v1=<new>,v1=<old>".
    const both = `${signBody(first, NEW_SECRET)},${signBody(first, OLD_SECRET)}`;
    expect((await post(first, both)).status).toBe(200);
    const oldOnly = delivery("acknowledged", "acknowledged");
    expect((await post(oldOnly, signBody(oldOnly, OLD_SECRET))).status).toBe(200);
    await h!.close();

    await start([NEW_SECRET]);
    const late = delivery("resolved", "resolved");
    expect((await post(late, signBody(late, OLD_SECRET))).status).toBe(401);
    expect((await post(late, `${signBody(late, OLD_SECRET)},${signBody(late, NEW_SECRET)}`)).status).toBe(200);
  });

  it("ignores a replayed delivery, an event older than maxAge, and an event older than the last one applied", async () => {
    await start([NEW_SECRET]);
    const acked = delivery("acknowledged", "acknowledged", { agent: "Bob Brown" });
    expect((await post(acked, signBody(acked, NEW_SECRET))).status).toBe(200);
    expect((await post(acked, signBody(acked, NEW_SECRET))).body).toEqual({ ignored: "duplicate" });
    const stale = delivery("triggered", "triggered", { occurredAt: new Date(Date.now() - 2 * 3_600_000) });
    expect((await post(stale, signBody(stale, NEW_SECRET))).body).toEqual({ ignored: "too old" });
    const earlier = delivery("triggered", "triggered", { occurredAt: new Date(Date.now() - 60_000) });
    expect((await post(earlier, signBody(earlier, NEW_SECRET))).body).toEqual({ ignored: "older than the last event" });
    expect(slack.sent).toHaveLength(1);
    expect(renderText(slack.sent[0]!.message.blocks)).toContain("acknowledged by Bob Brown");
  });

  it("posts once for two copies of one delivery arriving together", async () => {
    await start([NEW_SECRET]);
    const triggered = delivery("triggered", "triggered");
    const both = await Promise.all([
      post(triggered, signBody(triggered, NEW_SECRET)),
      post(triggered, signBody(triggered, NEW_SECRET)),
    ]);
    expect(both.map((r) => r.body)).toContainEqual({ ignored: "duplicate" });
    expect(both.map((r) => r.body)).toContainEqual({ ok: true });
    expect(slack.sent).toHaveLength(1);
    expect((await h!.audit()).filter((e) => e.event === "webhook")).toHaveLength(1);
  });

  it("the Acknowledge button runs pager ack as the person who clicked, through the same permission check", async () => {
    const incident = fake.addIncident({
      title: "checkout",
      status: "triggered",
      service: "PWEB001",
      assignees: ["PBOB001"],
    });
    await start([NEW_SECRET]);
    const click = (id: string, verified: boolean) =>
      slack.inject(
        {
          id: `click-${id}`,
          network: "slack",
          room: { id: "C1", direct: false },
          sender: { id, name: id, verified },
          text: `pager ack ${incident.id}`,
          time: new Date(),
        },
        { addressed: true },
      );
    await click("mallory", false);
    expect(incident.status).toBe("triggered");
    expect(texts(slack, "C1").at(-1)).toMatch(/denied: .*paging:ack/);
    await click("U_MALLORY", true); // verified by Slack, but linked to no principal: a guest
    expect(incident.status).toBe("triggered");
    expect(texts(slack, "C1").at(-1)).toMatch(/denied: .*paging:ack/);
    await click("U_BOB", true); // bob's Slack identity: acts as Bob's PagerDuty user
    expect(incident.status).toBe("acknowledged");
    expect(incident.log).toEqual([{ action: "acknowledged", by: "PBOB001" }]);
    expect(texts(slack, "C1").at(-1)).toMatch(/Acknowledged 1 incident\(s\) as Bob Brown/);
  });
});
