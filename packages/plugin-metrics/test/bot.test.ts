/**
 * Through a real bot (core + the testing kit's in-memory adapters) against a real Prometheus: a Matrix-like network
 * that shows images gets the PNG, an IRC-like one renders the plain text (sparkline + signed link), the link
 * serves the same PNG through the plugin's HTTP route, and permissions hold.
 */
import {
  type Bot,
  createBot,
  type HttpRoute,
  type ImageBlock,
  type IncomingMessage,
  renderText,
  silentLogger,
} from "@switchboard/core";
import { MemoryAdapter } from "@switchboard/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import metrics from "../src/index.js";
import { decodePng } from "./helpers.js";
import { type KnownHistory, startKnownHistory } from "./known-history.js";

let servers: KnownHistory;
let bot: Bot;
const matrix = new MemoryAdapter("matrix", { images: true, edits: true });
const irc = new MemoryAdapter("irc", { images: false });
let counter = 0;

/** Says `text` as `sender` on an adapter; resolves with what the bot answered to it. */
async function say(adapter: MemoryAdapter, sender: string, text: string) {
  const message: IncomingMessage = {
    id: `m${++counter}`,
    network: adapter.network,
    room: { id: adapter.network === "irc" ? "#ops" : "!ops:example.org", direct: false },
    sender: { id: sender, name: sender, verified: true },
    text,
    time: new Date(),
  };
  const before = adapter.sent.length;
  await adapter.inject(message);
  await bot.idle();
  const answers = adapter.sent.slice(before).filter((s) => s.target.inReplyTo === message.id);
  return {
    blocks: answers.flatMap((a) => a.message.blocks),
    text: answers.map((a) => renderText(a.message.blocks)).join("\n"),
  };
}

beforeAll(async () => {
  servers = await startKnownHistory();
  bot = createBot({
    logger: silentLogger(),
    adapters: [matrix, irc],
    policy: {
      roles: {
        viewer: { permissions: ["metrics:read"] },
        curator: { permissions: ["metrics:read", "metrics:save"] },
      },
      principals: {
        alice: { roles: ["curator"], identities: { matrix: "@alice:example.org" } },
        bob: { roles: ["viewer"], identities: { irc: "bob" } },
      },
    },
  });
  bot.use(metrics, {
    backends: { prom: { type: "prometheus", url: servers.prometheus.url } },
    aliases: { load: { target: 'switchboard_test_load{host="$host"}', thresholds: { warn: 3, fail: 4 } } },
    images: { publicUrl: "https://bot.example.org" },
  });
  await bot.start();
}, 120_000);

afterAll(async () => {
  await bot?.stop();
  await servers?.stop();
});

const imageRoute = (): HttpRoute => bot.routes.list().find((r) => r.path === "/metrics/chart")!;
const get = (query: Record<string, string>) =>
  imageRoute().handler({
    method: "GET",
    path: "/metrics/chart",
    headers: {},
    query,
    rawBody: Buffer.alloc(0),
    ip: "127.0.0.1",
  });

describe("graph through the bot", () => {
  it("gives a network that shows images the PNG, with alt text", async () => {
    const { blocks } = await say(matrix, "@alice:example.org", "!graph 1m load fs1");
    const image = blocks.find((b): b is ImageBlock => b.type === "image");
    expect(image).toBeDefined();
    const picture = decodePng(image!.png);
    expect([picture.width, picture.height]).toEqual([800, 400]);
    expect(image!.alt).toMatch(/^Line chart: load fs1 · last 1m .*load fs1: min 1, avg .*, max 5, last 5\.$/);
  });

  it("gives IRC the sparkline and a signed link that serves the same PNG", async () => {
    const { text, blocks } = await say(irc, "bob", '!graph 1m switchboard_test_load{job="exporter"}');
    const lines = text.split("\n");
    expect(lines[0]).toMatch(/^switchboard_test_load\{job="exporter"\} · last 1m/);
    expect(lines).toContainEqual(expect.stringMatching(/^fs1 +▁+[▂▃▄▅▆▇]?█+ min 1 max 5 last 5$/));
    expect(lines).toContainEqual(expect.stringMatching(/^fs2 +▄+ min 2 max 2 last 2$/));
    const link = /https:\/\/bot\.example\.org\/metrics\/chart\?id=([\w-]+)&exp=(\d+)&sig=([\w-]+)/.exec(text);
    expect(link).not.toBeNull();
    const [, id, exp, sig] = link!;
    const served = await get({ id: id!, exp: exp!, sig: sig! });
    expect(served.status).toBe(200);
    expect(served.headers?.["content-type"]).toBe("image/png");
    // IRC cannot show images, so core sent it the text fallback; the link serves the PNG itself.
    expect(blocks.some((b) => b.type === "image")).toBe(false);
    const png = served.body as Buffer;
    expect(png.subarray(0, 8)).toEqual(Buffer.from([137, 80, 78, 71, 13, 10, 26, 10]));
    expect(png.length).toBeGreaterThan(1000);
  });

  it("serves nothing for a guessed or altered link", async () => {
    const { text } = await say(irc, "bob", "!graph 1m load fs2");
    const [, id, exp, sig] = /\?id=([\w-]+)&exp=(\d+)&sig=([\w-]+)/.exec(text)!;
    expect((await get({ id: id!, exp: exp!, sig: sig! })).status).toBe(200);
    const flipped = sig!.slice(0, -1) + (sig!.endsWith("A") ? "B" : "A");
    expect((await get({ id: id!, exp: exp!, sig: flipped })).status).toBe(404);
    expect((await get({ id: id!, exp: String(Number(exp) + 3600), sig: sig! })).status).toBe(404);
    expect((await get({ id: "AAAAAAAAAAAAAAAAAAAAAA", exp: exp!, sig: sig! })).status).toBe(404);
    expect((await get({ id: id! })).status).toBe(404);
  });

  it("keeps PromQL quotes that core's tokenizer would drop", async () => {
    const { text } = await say(irc, "bob", '!metrics switchboard_test_load{host="fs2"}');
    expect(text).toMatch(/fs2|switchboard_test_load/);
    expect(text).toMatch(/ 2$/m);
  });

  it("marks values against the alias's thresholds", async () => {
    const { text } = await say(irc, "bob", "!metrics load fs1");
    expect(text.split("\n")[0]).toBe("✖ load fs1: 1 fail");
  });

  it("shows Prometheus's error for a bad expression in one line", async () => {
    const { text } = await say(irc, "bob", "!graph 5m rate(switchboard_test_load[5m]");
    expect(text).toMatch(/^✖ prom: bad_data: .*parse error/);
    expect(text.split("\n")).toHaveLength(1);
  });
});

describe("aliases from chat", () => {
  it("saves with metrics:save, lists, and graphs the saved alias with its parameter", async () => {
    const saved = await say(
      matrix,
      "@alice:example.org",
      '!graph save mem switchboard_test_memory_bytes{host="$host"}',
    );
    expect(saved.text).toBe("✔ saved alias mem: graph mem <host>");
    const list = await say(irc, "bob", "!graph list");
    expect(list.text).toMatch(
      /^mem +graph mem <host> +prom +switchboard_test_memory_bytes\{host="\$host"\} +saved by alice$/m,
    );
    expect(list.text).toMatch(/^load +graph load <host> +prom .* config$/m);
    const graph = await say(irc, "bob", "!graph 1m mem fs1");
    expect(graph.text).toMatch(/^mem fs1 .* last 512MiB$/m);
    const audit = [];
    for await (const entry of bot.auditLog.entries()) audit.push(entry);
    expect(audit).toContainEqual(
      expect.objectContaining({
        command: "graph save",
        actor: "alice",
        args: { alias: "mem", target: 'switchboard_test_memory_bytes{host="$host"}' },
      }),
    );
  });

  it("refuses saving without metrics:save, reserved names and names from the configuration", async () => {
    expect((await say(irc, "bob", "!graph save x up")).text).toMatch(/^✖ denied/);
    expect((await say(matrix, "@alice:example.org", "!graph save sum up")).text).toMatch(/reserved/);
    expect((await say(matrix, "@alice:example.org", "!graph save load up")).text).toMatch(
      /defined in the configuration/,
    );
    expect((await say(matrix, "@alice:example.org", "!graph save constructor up")).text).toMatch(
      /saved alias constructor/,
    );
    expect((await say(irc, "bob", "!graph __proto__ x")).text).not.toMatch(/correlation|internal/i);
  });

  it("does not graph for people without metrics:read", async () => {
    expect((await say(irc, "mallory", "!graph 1m up")).text).toMatch(/^✖ denied/);
  });
});
