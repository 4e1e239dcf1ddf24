/**
 * What the endpoint remembers is bounded: remembered announcements (for edits) and CI states are forgotten when their
 * window has passed, however many alert groups and commits there were. Through the real HTTP endpoint; the clock is
 * moved (only `Date`), nothing is written into the store by hand.
 */
import { namespacedStore } from "@switchboard/core/app";
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from "vitest";
import { type HttpServer, httpConfigSchema, startHttpServer } from "../src/index.js";
import { type TestBot, testBot } from "./bot.js";
import { checkSuite, deliver } from "./github-payloads.js";

const TOKEN = "am-token-0123456789abcdef";
const SECRET = "bounded-secret-0123456789abcdef";

const group = (n: number) => ({
  receiver: "bot",
  status: "firing",
  alerts: [{ status: "firing", labels: { alertname: `A${n}` }, annotations: { summary: `alert ${n}` } }],
  groupLabels: { alertname: `A${n}` },
  commonLabels: { alertname: `A${n}` },
  commonAnnotations: {},
  version: "4",
  groupKey: `{}:{alertname="A${n}"}`,
  truncatedAlerts: 0,
});

describe("remembered announcements and CI states expire", () => {
  let t: TestBot;
  let server: HttpServer;
  const http = () => namespacedStore(t.bot.store, "http");
  const post = (body: unknown) =>
    fetch(`${server.url}/hooks/alertmanager`, {
      method: "POST",
      headers: { "content-type": "application/json", authorization: `Bearer ${TOKEN}` },
      body: JSON.stringify(body),
    });

  beforeAll(async () => {
    t = await testBot({ networks: ["chat"], editing: ["matrix"] });
    const config = httpConfigSchema.parse({
      listen: "127.0.0.1:0",
      rateLimit: { max: 10_000, window: "1m" },
      alertmanager: { token: TOKEN, editWindow: "1h", routes: [{ rooms: ["matrix:!ops:example.org"] }] },
      github: { secret: SECRET, repos: { "acme/web": ["matrix:!ops:example.org"] }, dedupeFor: "1h" },
    });
    server = await startHttpServer({ bot: t.bot, config });
  });
  afterAll(async () => {
    await server?.close();
    await t?.close();
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it("200 alert groups and 50 commits, then three hours later: only the newest are remembered", async () => {
    for (let n = 0; n < 200; n++) expect((await post(group(n))).status).toBe(200);
    for (let n = 0; n < 50; n++)
      expect(
        (
          await deliver(
            server.url,
            SECRET,
            "check_suite",
            checkSuite("success", { id: 8000 + n, sha: `${n}`.padStart(40, "a") }),
          )
        ).status,
      ).toBe(200);
    expect((await http().list("announcements")).length).toBe(250);
    expect((await http().list("github-ci")).length).toBe(50);
    vi.useFakeTimers({ toFake: ["Date"], now: Date.now() + 3 * 3_600_000 });
    expect((await post(group(1000))).status).toBe(200);
    expect((await deliver(server.url, SECRET, "check_suite", checkSuite("failure", { id: 9999 }))).status).toBe(200);
    expect((await http().list("announcements")).length).toBe(2);
    expect((await http().list("github-ci")).length).toBe(1);
  });
});
