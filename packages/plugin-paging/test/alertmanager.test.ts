/**
 * Alertmanager raises local incidents: through the route table (token, repeats, unknown service), and end to end with
 * a real Alertmanager (Debian's prometheus-alertmanager) delivering to the route over HTTP.
 */
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import type { HttpResponse } from "@switchboard/core";
import { startAlertmanager } from "@switchboard/test-servers";
import { createHarness, type Harness } from "@switchboard/testing";
import { afterEach, describe, expect, it } from "vitest";
import paging from "../src/index.js";
import { DAY, HOUR, policy } from "./helpers.js";

const TOKEN = "am-token-0123456789abcdef";
const PEOPLE = { alice: { test: "alice" }, bob: { test: "bob" } };

let h: Harness | undefined;
const cleanups: Array<() => Promise<void> | void> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  await h?.close();
  h = undefined;
});

/** A daily rota alice → bob, bob's turn now; web pages it; Alertmanager may open incidents. */
async function start(defaultService?: string) {
  const start = new Date(Math.floor((Date.now() - DAY - HOUR) / 60_000) * 60_000).toISOString().slice(0, 16);
  h = await createHarness({
    policy: policy(PEOPLE),
    plugins: [
      [
        paging,
        {
          rooms: ["test:#ops"],
          local: {
            schedules: { ops: { rotation: "daily", people: ["alice", "bob"], start } },
            services: { web: { schedule: "ops", escalateAfter: "1h" }, db: { schedule: "ops" } },
            alertmanager: { token: TOKEN, ...(defaultService ? { defaultService } : {}) },
          },
        },
      ],
    ],
  });
  return h;
}

const route = () => h!.bot.routes.list().find((r) => r.path === "/hooks/paging/alertmanager")!;

function post(body: unknown, token = TOKEN): Promise<HttpResponse> {
  return Promise.resolve(
    route().handler({
      method: "POST",
      path: "/hooks/paging/alertmanager",
      headers: { authorization: `Bearer ${token}`, "content-type": "application/json" },
      query: {},
      rawBody: Buffer.from(JSON.stringify(body)),
      ip: "127.0.0.1",
    }),
  );
}

const group = (status: string, labels: Record<string, string>, groupKey = '{}:{alertname="SiteDown"}') => ({
  version: "4",
  status,
  groupKey,
  receiver: "bot",
  alerts: [{ status, labels, annotations: { summary: "site down" } }],
  commonLabels: labels,
  commonAnnotations: { summary: "site down" },
});

describe("Alertmanager → local incidents (route table)", () => {
  it("opens one incident per firing group on the labelled service, and resolves it with the group", async () => {
    await start();
    expect((await post(group("firing", { alertname: "SiteDown", service: "web" }))).body).toEqual({ opened: "1" });
    expect((await post(group("firing", { alertname: "SiteDown", service: "web" }))).body).toEqual({ open: "1" });
    expect((await h!.as("alice").say("!pager incidents")).text).toMatch(/^1 open:\n#1 web: site down — triggered, bob/);
    expect(h!.transcript("@bob")).toContain("You are paged: #1 web: site down");
    expect((await post(group("resolved", { alertname: "SiteDown", service: "web" }))).body).toEqual({ resolved: "1" });
    expect(h!.transcript()).toContain("#1 web: site down — resolved by alertmanager");
  });

  it("five copies of one group delivered at once (retries, HA Alertmanagers) open one incident and page once", async () => {
    await start();
    const firing = group("firing", { alertname: "SiteDown", service: "web" });
    const answers = await Promise.all([1, 2, 3, 4, 5].map(() => post(firing)));
    expect(answers.map((a) => a.body)).toEqual([
      { opened: "1" },
      { open: "1" },
      { open: "1" },
      { open: "1" },
      { open: "1" },
    ]);
    expect((await h!.as("alice").say("!pager incidents")).text).toMatch(/^1 open:\n#1 web: site down/);
    expect(h!.transcript("@bob").match(/You are paged/g)).toHaveLength(1);
    // the resolution closes it: nothing keeps escalating
    const resolved = await Promise.all(
      [1, 2].map(() => post(group("resolved", { alertname: "SiteDown", service: "web" }))),
    );
    expect(resolved.map((a) => a.body)).toEqual([{ resolved: "1" }, { ignored: "no open incident for this group" }]);
    expect((await h!.as("alice").say("!pager incidents")).text).toBe("✔ No open incidents.");
  });

  it("an annotation cannot add lines or escapes to the incident title", async () => {
    await start();
    const hostile = group("firing", { alertname: "SiteDown", service: "web" });
    hostile.commonAnnotations.summary = "site down\r\n#2 web: fake — resolved\u001b[2K \u202Egnp.exe";
    expect((await post(hostile)).body).toEqual({ opened: "1" });
    const text = (await h!.as("alice").say("!pager incidents")).text;
    expect(text.split("\n")).toHaveLength(2);
    expect(text).toContain("#1 web: site down #2 web: fake — resolved [2K <U+202E>gnp.exe — triggered");
  });

  it("refuses a wrong token, and a service nobody configured unless there is a default", async () => {
    await start();
    expect((await post(group("firing", { service: "web" }), "wrong-token-0123456789")).status).toBe(401);
    expect((await post(group("firing", { service: "constructor" }))).status).toBe(422);
    expect((await h!.as("alice").say("!pager incidents")).text).toBe("✔ No open incidents.");
    await h!.close();
    await start("db");
    expect((await post(group("firing", { service: "__proto__" }))).body).toEqual({ opened: "1" });
    expect((await h!.as("alice").say("!pager incidents")).text).toMatch(/#1 db: site down/);
  });
});

/** Serves the bot's routes over HTTP, as @switchboard/http would. */
async function serveRoutes(): Promise<string> {
  const server: Server = createServer(async (req, res) => {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const found = h!.bot.routes.list().find((r) => r.method === req.method && r.path === req.url);
    if (!found) return void res.writeHead(404).end();
    const headers: Record<string, string | undefined> = {};
    for (const [key, value] of Object.entries(req.headers))
      headers[key] = Array.isArray(value) ? value.join(",") : value;
    const answer = await found.handler({
      method: req.method!,
      path: req.url!,
      headers,
      query: {},
      rawBody: Buffer.concat(chunks),
      ip: req.socket.remoteAddress ?? "",
    });
    res.writeHead(answer.status, { "content-type": "application/json" }).end(JSON.stringify(answer.body ?? {}));
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  cleanups.push(() => new Promise<void>((resolve) => server.close(() => resolve())));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

describe("Alertmanager → local incidents (real Alertmanager)", () => {
  it("a firing alert pages the on-call person; its end resolves the incident", async () => {
    await start();
    const bot = await serveRoutes();
    const alertmanager = await startAlertmanager({ webhook: `${bot}/hooks/paging/alertmanager`, token: TOKEN });
    cleanups.push(() => alertmanager.stop());
    const alert = (endsAt?: Date) => [
      {
        labels: { alertname: "SiteDown", service: "web", severity: "page" },
        annotations: { summary: "checkout is down" },
        startsAt: new Date(Date.now() - 60_000).toISOString(),
        ...(endsAt ? { endsAt: endsAt.toISOString() } : {}),
      },
    ];
    const send = async (body: unknown) => {
      const response = await fetch(`${alertmanager.url}/api/v2/alerts`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify(body),
      });
      expect(response.ok).toBe(true);
    };
    await send(alert());
    await h!.waitFor(/#1 web: checkout is down — triggered by alertmanager, paged bob/, 20_000);
    await send(alert(new Date()));
    await h!.waitFor(/#1 web: checkout is down — resolved by alertmanager/, 20_000);
    expect((await h!.as("alice").say("!pager incidents")).text).toBe("✔ No open incidents.");
  });
});
