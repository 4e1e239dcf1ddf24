import { createHmac } from "node:crypto";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { parseTemplate, renderTemplate } from "../src/generic/template.js";
import { type HttpServer, httpConfigSchema, startHttpServer } from "../src/index.js";
import { sentText, type TestBot, testBot } from "./bot.js";

const SECRET = "backup-hook-secret-0123456789";
const signature = (body: string, secret = SECRET) =>
  `sha256=${createHmac("sha256", secret).update(body).digest("hex")}`;
/** The headers of a timestamped hook (`plain`): the signature covers `<timestamp>.<body>`. */
const stamped = (body: string) => {
  const stamp = String(Math.floor(Date.now() / 1000));
  return { "x-timestamp": stamp, "x-signature-256": signature(`${stamp}.${body}`) };
};

describe("generic hooks: POST /hooks/<name> with an HMAC-SHA256 signature and a template", () => {
  let t: TestBot;
  let server: HttpServer;
  const post = (name: string, body: string, headers: Record<string, string> = {}) =>
    fetch(`${server.url}/hooks/${name}`, {
      method: "POST",
      headers: { "content-type": "application/json", "x-signature-256": signature(body), ...headers },
      body,
    });

  beforeAll(async () => {
    t = await testBot({ networks: ["chat"] });
    const config = httpConfigSchema.parse({
      listen: "127.0.0.1:0",
      hooks: {
        backups: {
          secret: SECRET,
          rooms: ["chat:#ops"],
          template: "backup of {{host}} {{result}} in {{stats.seconds}}s ({{stats.files}} files)",
          link: "{{report}}",
          status: "info",
          deliveryField: "id",
        },
        plain: {
          secret: SECRET,
          rooms: ["chat:#dev"],
          template: "{{message}}",
          timestampHeader: "X-Timestamp",
          rateLimit: { max: 3, window: "1m" },
        },
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

  it("a signed delivery posts the filled template with its link, and is audited", async () => {
    const body = JSON.stringify({
      id: "b-1",
      host: "db1",
      result: "succeeded",
      stats: { seconds: 42, files: 1200 },
      report: "https://backups.example.com/r/1",
    });
    const response = await post("backups", body);
    expect(response.status).toBe(200);
    expect(sentText(t.adapter("chat"), "#ops")).toEqual([
      "ℹ backup of db1 succeeded in 42s (1200 files)\nhttps://backups.example.com/r/1",
    ]);
    const audited = [];
    for await (const entry of t.bot.auditLog.entries()) if (entry.actor === "webhook:hook:backups") audited.push(entry);
    expect(audited.at(-1)).toMatchObject({
      network: "chat",
      room: "#ops",
      detail: { source: "hook:backups", delivery: "b-1", rooms: ["chat:#ops"] },
    });
    const replay = await post("backups", body);
    expect(replay.status).toBe(409);
    expect(sentText(t.adapter("chat"), "#ops")).toHaveLength(1);
  });

  it("refuses a wrong signature (401), an unknown hook (bare 404), a missing delivery id (400)", async () => {
    const body = JSON.stringify({ message: "hi" });
    const stamp = stamped(body)["x-timestamp"];
    const forged = signature(`${stamp}.${body}`, "another-secret-0123456789");
    expect((await post("plain", body, { "x-timestamp": stamp, "x-signature-256": forged })).status).toBe(401);
    expect((await post("plain", body, { ...stamped(body), "x-signature-256": "" })).status).toBe(401);
    expect((await post("backups", JSON.stringify({ host: "x" }))).status).toBe(400);
    for (const name of ["nope", "constructor", "__proto__", "github", "alertmanager"]) {
      const response = await post(name, body, stamped(body));
      expect(response.status).toBe(404);
      expect(await response.text()).toBe("not found\n");
    }
    expect(sentText(t.adapter("chat"), "#ops")).toEqual([]);
  });

  it("template values stay on one line; prototype fields and non-http links give nothing", async () => {
    const body = JSON.stringify({ message: "line one\nPRIVMSG #ops :x\u0007" });
    expect((await post("plain", body, stamped(body))).status).toBe(200);
    expect(sentText(t.adapter("chat"), "#dev").at(-1)).toBe("line one PRIVMSG #ops :x");
    const template = parseTemplate("{{constructor}}|{{__proto__}}|{{a.toString}}|{{list.1}}|{{obj}}");
    expect(renderTemplate(template, { a: {}, list: ["x", "y"], obj: { k: 1 } })).toBe('|||y|{"k":1}');
    expect(() => parseTemplate("{{ host ")).toThrow(/not closed/);
    expect(() => parseTemplate("{{ a + b }}")).toThrow(/not a field path/);
  });

  it("each source has its own rate limit per client address (429, counted)", async () => {
    const statuses: number[] = [];
    for (let i = 0; i < 5; i++) {
      const body = JSON.stringify({ message: `m${i}` });
      statuses.push((await post("plain", body, stamped(body))).status);
    }
    expect(statuses.filter((s) => s === 429).length).toBeGreaterThanOrEqual(2);
    const body = JSON.stringify({ id: "b-2", host: "db2", result: "ok", stats: {} });
    expect((await post("backups", body)).status).toBe(200); // another source's budget
    const metrics = await (await fetch(`${server.url}/metrics`)).text();
    expect(metrics).toMatch(/switchboard_webhook_deliveries_total\{source="hook:plain",result="rate-limited"\} [2-9]/);
  });
});
