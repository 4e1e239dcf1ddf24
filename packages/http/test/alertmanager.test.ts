import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { type HttpServer, httpConfigSchema, startHttpServer } from "../src/index.js";
import { sentText, type TestBot, testBot } from "./bot.js";

const TOKEN = "am-token-0123456789abcdef";

/** An Alertmanager v4 notification as Alertmanager 0.25 sends it. */
function notification(
  status: "firing" | "resolved",
  labels: Record<string, string>,
  options: { groupKey?: string; alerts?: number; annotations?: Record<string, string> } = {},
) {
  const alerts = Array.from({ length: options.alerts ?? 1 }, (_, i) => ({
    status,
    labels: { ...labels, instance: `host-${i}:9100` },
    annotations: options.annotations ?? { summary: `disk almost full on host-${i}` },
    startsAt: "2026-12-01T10:00:00Z",
    endsAt: status === "resolved" ? "2026-12-01T10:05:00Z" : "0001-01-01T00:00:00Z",
    generatorURL: "http://prometheus:9090/graph?g0.expr=x",
    fingerprint: `f${i}`,
  }));
  return {
    receiver: "bot",
    status,
    alerts,
    groupLabels: { alertname: labels.alertname ?? "DiskFull" },
    commonLabels: labels,
    commonAnnotations: options.annotations ?? {},
    externalURL: "http://alertmanager:9093",
    version: "4",
    groupKey: options.groupKey ?? `{}:{alertname="${labels.alertname ?? "DiskFull"}"}`,
    truncatedAlerts: 0,
  };
}

describe("POST /hooks/alertmanager", () => {
  let t: TestBot;
  let server: HttpServer;
  const post = (body: unknown, token: string | null = TOKEN) =>
    fetch(`${server.url}/hooks/alertmanager`, {
      method: "POST",
      headers: { "content-type": "application/json", ...(token ? { authorization: `Bearer ${token}` } : {}) },
      body: JSON.stringify(body),
    });
  const rooms = () => ({
    ops: sentText(t.adapter("chat"), "#ops"),
    db: sentText(t.adapter("chat"), "#db"),
    all: sentText(t.adapter("chat"), "#all-alerts"),
    secret: sentText(t.adapter("chat"), "#secret"),
  });

  beforeAll(async () => {
    t = await testBot({ networks: ["chat"], editing: ["matrix"] });
    const config = httpConfigSchema.parse({
      listen: "127.0.0.1:0",
      alertmanager: {
        token: TOKEN,
        maxAlerts: 3,
        routes: [
          { matchers: ["team=db"], rooms: ["chat:#db"], continue: true },
          { matchers: ['severity=~"page|critical"'], rooms: ["chat:#ops", "matrix:!ops:example.org"] },
          { matchers: ['severity!="debug"'], rooms: ["chat:#all-alerts"] },
        ],
      },
    });
    server = await startHttpServer({ bot: t.bot, config });
  });
  afterAll(async () => {
    await server?.close();
    await t?.close();
  });
  beforeEach(() => {
    for (const network of ["chat", "matrix"]) t.adapter(network).sent.length = 0;
  });

  it("refuses a missing or wrong bearer token with 401 and posts nothing", async () => {
    expect((await post(notification("firing", { severity: "page" }), null)).status).toBe(401);
    expect((await post(notification("firing", { severity: "page" }), "wrong-token-0123456789")).status).toBe(401);
    expect(Object.values(rooms()).flat()).toEqual([]);
  });

  it("refuses payloads that are not version 4 with 400", async () => {
    expect((await post({ ...notification("firing", { severity: "page" }), version: "3" })).status).toBe(400);
    expect((await post({ hello: "world" })).status).toBe(400);
  });

  it("routes by matchers on the group's labels: first match wins unless it continues", async () => {
    await post(notification("firing", { alertname: "DiskFull", severity: "page", team: "db" }));
    expect(rooms().db).toHaveLength(1);
    expect(rooms().ops).toHaveLength(1);
    expect(rooms().all).toEqual([]);
    await post(notification("firing", { alertname: "QueueSlow", severity: "warning" }, { groupKey: "g2" }));
    expect(rooms().all).toEqual([expect.stringMatching(/^✖ FIRING: QueueSlow\n- disk almost full on host-0/)]);
    const unrouted = await post(notification("firing", { alertname: "Noise", severity: "debug" }, { groupKey: "g3" }));
    expect(await unrouted.json()).toEqual({ result: "unrouted" });
  });

  it("one message per group: summaries, per-alert labels, the runbook, and a count of the rest", async () => {
    await post(
      notification(
        "firing",
        { alertname: "DiskFull", severity: "page" },
        {
          alerts: 5,
          groupKey: "g4",
          annotations: { summary: "disk almost full", runbook_url: "https://rb.example/disk" },
        },
      ),
    );
    expect(rooms().ops).toEqual([
      "✖ FIRING (5): DiskFull\n" +
        "- disk almost full (instance=host-0:9100)\n" +
        "- disk almost full (instance=host-1:9100)\n" +
        "- disk almost full (instance=host-2:9100)\n" +
        "- and 2 more\n" +
        "runbook: https://rb.example/disk",
    ]);
  });

  it("a repeat of the group edits the earlier message where the network can edit, and resolved closes it", async () => {
    const labels = { alertname: "Latency", severity: "critical" };
    await post(notification("firing", labels, { groupKey: "g5" }));
    await post(notification("firing", labels, { groupKey: "g5", alerts: 2 }));
    const matrix = t.adapter("matrix");
    expect(sentText(matrix, "!ops:example.org")).toEqual([expect.stringMatching(/^✖ FIRING \(2\): Latency/)]);
    await post(notification("resolved", labels, { groupKey: "g5", alerts: 2 }));
    expect(sentText(matrix, "!ops:example.org")).toEqual([expect.stringMatching(/^✔ RESOLVED: Latency\n- resolved: /)]);
    expect(rooms().ops).toHaveLength(3); // a network without edits gets each notification
    await post(notification("firing", labels, { groupKey: "g5" }));
    expect(sentText(matrix, "!ops:example.org")).toHaveLength(2); // after resolved, a new firing is a new message
  });

  it("labels cannot pick rooms or add lines (label injection)", async () => {
    const labels = {
      alertname: "Evil\nPRIVMSG #secret :hi",
      severity: "page",
      room: "chat:#secret",
      rooms: "#secret",
      constructor: "x",
      __proto__: "y",
    };
    const response = await post(
      notification("firing", labels, {
        groupKey: "g6",
        annotations: { summary: "a\r\nb", runbook_url: "javascript:x" },
      }),
    );
    expect(response.status).toBe(200);
    expect(rooms().secret).toEqual([]);
    const [message] = rooms().ops;
    expect(message?.split("\n")).toEqual(["✖ FIRING: Evil PRIVMSG #secret :hi", "- a b (instance=host-0:9100)"]);
  });

  it("/metrics counts alert deliveries by result", async () => {
    const text = await (await fetch(`${server.url}/metrics`)).text();
    expect(text).toMatch(/switchboard_webhook_deliveries_total\{source="alertmanager",result="unauthorized"\} 2/);
    expect(text).toMatch(/switchboard_webhook_deliveries_total\{source="alertmanager",result="invalid"\} 2/);
    expect(text).toMatch(/switchboard_webhook_deliveries_total\{source="alertmanager",result="unrouted"\} 1/);
  });
});
