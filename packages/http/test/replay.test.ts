/**
 * Replaying a captured, correctly signed delivery against the real HTTP endpoint: with fresh delivery ids (GitHub's
 * id header is not signed), to a generic hook that has no id, with a stale or changed timestamp, and with an id inside
 * the signed body. Each attack must post nothing new.
 */
import { createHmac, randomUUID } from "node:crypto";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { type HttpServer, httpConfigSchema, startHttpServer } from "../src/index.js";
import { sentText, type TestBot, testBot } from "./bot.js";
import { deliver, pullRequestClosed } from "./github-payloads.js";

const SECRET = "replay-test-secret-0123456789";
const hmac = (text: string) => `sha256=${createHmac("sha256", SECRET).update(text).digest("hex")}`;
const now = () => Math.floor(Date.now() / 1000);

describe("replayed webhooks post nothing (real HTTP endpoint)", () => {
  let t: TestBot;
  let server: HttpServer;
  const post = (name: string, body: string, headers: Record<string, string>) =>
    fetch(`${server.url}/hooks/${name}`, {
      method: "POST",
      headers: { "content-type": "application/json", ...headers },
      body,
    });

  beforeAll(async () => {
    t = await testBot({ networks: ["chat"] });
    const config = httpConfigSchema.parse({
      listen: "127.0.0.1:0",
      github: { secret: SECRET, repos: { "acme/web": ["chat:#ops"] } },
      hooks: {
        stamped: { secret: SECRET, rooms: ["chat:#stamped"], template: "{{m}}", timestampHeader: "X-Timestamp" },
        ided: { secret: SECRET, rooms: ["chat:#ided"], template: "{{m}}", deliveryField: "delivery.id" },
      },
    });
    server = await startHttpServer({ bot: t.bot, config });
  });
  afterAll(async () => {
    await server?.close();
    await t?.close();
  });
  beforeEach(() => {
    t.adapter("chat").sent.length = 0;
  });

  it("GitHub: the same signed body with fresh delivery ids is announced once", async () => {
    const body = JSON.stringify(pullRequestClosed(true));
    const statuses: number[] = [];
    for (let i = 0; i < 3; i++)
      statuses.push((await deliver(server.url, SECRET, "pull_request", undefined, { body })).status);
    expect(statuses).toEqual([200, 409, 409]);
    expect(sentText(t.adapter("chat"), "#ops")).toHaveLength(1);
    const together = JSON.stringify({ ...pullRequestClosed(true), number: 13 });
    const at = await Promise.all(
      [1, 2, 3].map(() => deliver(server.url, SECRET, "pull_request", undefined, { body: together })),
    );
    expect(at.map((r) => r.status).sort()).toEqual([200, 409, 409]);
    expect(sentText(t.adapter("chat"), "#ops")).toHaveLength(2);
  });

  it("a generic hook must have replay protection: the configuration refuses one without it", () => {
    const problems = (hook: Record<string, unknown>) =>
      httpConfigSchema
        .safeParse({ hooks: { x: { secret: SECRET, rooms: ["irc:#x"], template: "x", ...hook } } })
        .error?.issues.map((i) => `${i.path.join(".")}: ${i.message}`) ?? [];
    expect(problems({})).toEqual([expect.stringMatching(/^hooks\.x: .*timestampHeader.*deliveryField/)]);
    expect(problems({ deliveryHeader: "X-Delivery-Id" })).toEqual([
      expect.stringMatching(/^hooks\.x\.deliveryHeader: .*not signed/),
    ]);
    expect(problems({ timestampHeader: "X-Timestamp" })).toEqual([]);
    expect(problems({ deliveryField: "id" })).toEqual([]);
  });

  it("timestamped hook: `timestamp.body` signed; a replay, a stale or a moved timestamp posts nothing", async () => {
    const body = JSON.stringify({ m: "backup done" });
    const stamp = String(now());
    const signed = { "x-timestamp": stamp, "x-signature-256": hmac(`${stamp}.${body}`) };
    expect((await post("stamped", body, signed)).status).toBe(200);
    expect((await post("stamped", body, signed)).status).toBe(409); // the same request again
    // the body signed alone (the old scheme) is not enough
    expect((await post("stamped", body, { "x-timestamp": stamp, "x-signature-256": hmac(body) })).status).toBe(401);
    // a fresh timestamp needs a fresh signature
    const moved = String(now() + 1);
    expect((await post("stamped", body, { ...signed, "x-timestamp": moved })).status).toBe(401);
    // correctly signed but outside the window (10 minutes old, default window 5 minutes)
    const old = String(now() - 600);
    const stale = await post("stamped", body, { "x-timestamp": old, "x-signature-256": hmac(`${old}.${body}`) });
    expect(stale.status).toBe(401);
    expect(await stale.text()).toMatch(/timestamp/);
    expect((await post("stamped", body, { "x-signature-256": hmac(`.${body}`) })).status).toBe(401);
    expect(sentText(t.adapter("chat"), "#stamped")).toEqual(["backup done"]);
  });

  it("delivery id inside the signed body: a replay posts nothing, a body without the id is refused", async () => {
    const id = randomUUID();
    const body = JSON.stringify({ m: "deploy done", delivery: { id } });
    expect((await post("ided", body, { "x-signature-256": hmac(body) })).status).toBe(200);
    expect((await post("ided", body, { "x-signature-256": hmac(body) })).status).toBe(409);
    // the same id in another body (re-signed by the sender, e.g. a retry with a changed field) is still the same delivery
    const again = JSON.stringify({ m: "deploy done!", delivery: { id } });
    expect((await post("ided", again, { "x-signature-256": hmac(again) })).status).toBe(409);
    const none = JSON.stringify({ m: "no id" });
    expect((await post("ided", none, { "x-signature-256": hmac(none) })).status).toBe(400);
    expect(sentText(t.adapter("chat"), "#ided")).toEqual(["deploy done"]);
  });
});
