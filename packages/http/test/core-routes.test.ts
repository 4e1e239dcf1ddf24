import { definePlugin } from "@switchboard/core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type HttpServer, httpConfigSchema, startHttpServer } from "../src/index.js";
import { type TestBot, testBot } from "./bot.js";

const seen: Array<{ body: string; headers: Record<string, string | undefined>; query: unknown; ip: string }> = [];

/** A plugin that registers routes through core, as the paging plugin or Slack's Events API mode do. */
const paging = definePlugin({
  name: "paging",
  commands: [],
  setup(ctx) {
    ctx.route({
      method: "POST",
      path: "/hooks/pagerduty",
      bodyLimit: 1024,
      handler: (request) => {
        seen.push({
          body: request.rawBody.toString("utf8"),
          headers: request.headers,
          query: request.query,
          ip: request.ip,
        });
        return { status: 202, body: { ok: true } };
      },
    });
    ctx.route({
      method: "GET",
      path: "/paging/broken",
      handler: () => {
        throw new Error("database password is hunter2");
      },
    });
  },
});

describe("routes registered through core", () => {
  let t: TestBot;
  let server: HttpServer;
  beforeAll(async () => {
    t = await testBot({ networks: ["chat"], plugins: [paging] });
    server = await startHttpServer({ bot: t.bot, config: httpConfigSchema.parse({ listen: "127.0.0.1:0" }) });
  });
  afterAll(async () => {
    await server?.close();
    await t?.close();
  });

  it("are served with the exact body bytes, lower-case headers, the query and the peer address", async () => {
    const body = '{"event":{"event_type":"incident.triggered"},  "x":"\u00e9"}';
    const response = await fetch(`${server.url}/hooks/pagerduty?verbose=1&verbose=2`, {
      method: "POST",
      headers: { "Content-Type": "application/json; charset=utf-8", "X-PagerDuty-Signature": "v1=abc" },
      body,
    });
    expect(response.status).toBe(202);
    expect(await response.json()).toEqual({ ok: true });
    expect(seen.at(-1)).toMatchObject({
      body,
      headers: { "x-pagerduty-signature": "v1=abc", "content-type": "application/json; charset=utf-8" },
      query: { verbose: "1" },
      ip: "127.0.0.1",
    });
  });

  it("keep their own body limit, and any content type reaches them raw", async () => {
    const big = await fetch(`${server.url}/hooks/pagerduty`, { method: "POST", body: "x".repeat(2000) });
    expect(big.status).toBe(413);
    const form = await fetch(`${server.url}/hooks/pagerduty`, {
      method: "POST",
      headers: { "content-type": "application/x-www-form-urlencoded" },
      body: "a=1&b=2",
    });
    expect(form.status).toBe(202);
    expect(seen.at(-1)?.body).toBe("a=1&b=2");
  });

  it("a failing route answers 500 with no detail, and is counted", async () => {
    const response = await fetch(`${server.url}/paging/broken`);
    expect(response.status).toBe(500);
    expect(await response.text()).toBe("internal error\n");
    const metrics = await (await fetch(`${server.url}/metrics`)).text();
    expect(metrics).toMatch(/switchboard_webhook_deliveries_total\{source="plugin paging",result="failed"\} 1/);
    expect(metrics).toMatch(/switchboard_webhook_deliveries_total\{source="plugin paging",result="too-large"\} 1/);
    expect(metrics).toMatch(/switchboard_webhook_deliveries_total\{source="plugin paging",result="accepted"\} 2/);
  });

  it("a route that collides with a built-in one stops the start, naming both", async () => {
    const squatter = definePlugin({
      name: "squatter",
      commands: [],
      setup: (ctx) => ctx.route({ method: "GET", path: "/metrics", handler: () => ({ status: 200 }) }),
    });
    const other = await testBot({ networks: ["chat"], plugins: [squatter] });
    try {
      await expect(
        startHttpServer({ bot: other.bot, config: httpConfigSchema.parse({ listen: "127.0.0.1:0" }) }),
      ).rejects.toThrow("http: two routes for GET /metrics: health and plugin squatter");
    } finally {
      await other.close();
    }
  });
});
