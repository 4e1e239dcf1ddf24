import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { request } from "node:https";
import { connect } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { makeCertificates, until } from "@switchboard/test-servers";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { httpConfigSchema, startHttpServer } from "../src/index.js";
import { type TestBot, testBot } from "./bot.js";

const SECRET = "0123456789abcdef0123456789abcdef";

describe("the http: configuration", () => {
  it("has safe defaults: loopback, 1 MiB bodies, 10 s requests, 120 requests a minute per source, metrics on", () => {
    const config = httpConfigSchema.parse({});
    expect(config).toMatchObject({
      listen: { host: "127.0.0.1", port: 8080 },
      bodyLimit: 1024 * 1024,
      timeouts: { request: 10_000, keepAlive: 5_000 },
      rateLimit: { max: 120, window: 60_000 },
      trustProxy: false,
      metrics: true,
      hooks: {},
    });
    expect(config.tls).toBeUndefined();
    expect(httpConfigSchema.parse({ listen: "[::1]:9000" }).listen).toEqual({ host: "::1", port: 9000 });
    expect(httpConfigSchema.parse({ listen: 9000 }).listen).toEqual({ host: "127.0.0.1", port: 9000 });
    expect(httpConfigSchema.parse({ bodyLimit: "256kb" }).bodyLimit).toBe(256 * 1024);
  });

  it("says what is wrong, by key", () => {
    const problems = (raw: unknown) =>
      httpConfigSchema.safeParse(raw).error?.issues.map((i) => `${i.path.join(".")}: ${i.message}`) ?? [];
    expect(problems({ listen: "example.org" })).toEqual([expect.stringMatching(/^listen: not an address/)]);
    expect(problems({ github: { secret: "short", repos: {} } })).toEqual([
      "github.secret: github.secret must be at least 16 characters (generate one: openssl rand -hex 32)",
    ]);
    expect(problems({ github: { secret: SECRET, repos: { "not a repo": ["irc:#ops"] } } })).toEqual([
      expect.stringMatching(/^github.repos.not a repo: a repository is owner\/name/),
    ]);
    expect(problems({ github: { secret: SECRET, repos: { "acme/web": ["#ops"] } } })).toEqual([
      expect.stringMatching(/^github.repos.acme\/web.*is not a room: use network:room/),
    ]);
    expect(
      problems({ alertmanager: { token: SECRET, routes: [{ matchers: ["severity=~(bad"], rooms: ["irc:#ops"] }] } }),
    ).toEqual([expect.stringMatching(/bad regular expression/)]);
    expect(
      problems({ hooks: { github: { secret: SECRET, rooms: ["irc:#x"], template: "x", deliveryField: "id" } } }),
    ).toEqual([expect.stringMatching(/built in/)]);
    expect(
      problems({ hooks: { ci: { secret: SECRET, rooms: ["irc:#x"], template: "{{ a", deliveryField: "id" } } }),
    ).toEqual(["hooks.ci.template: template: a {{ is not closed with }}"]);
    expect(problems({ lisen: "127.0.0.1:1" })).toEqual([expect.stringMatching(/Unrecognized key/)]);
  });
});

describe("the server", () => {
  let t: TestBot;
  const temp = mkdtempSync(join(tmpdir(), "sb-http-tls-"));
  beforeAll(async () => {
    t = await testBot({ networks: ["chat"] });
  });
  afterAll(async () => {
    await t?.close();
    rmSync(temp, { recursive: true, force: true });
  });

  it("serves HTTPS with the configured certificate", async () => {
    const certs = makeCertificates(temp);
    const config = httpConfigSchema.parse({
      listen: "127.0.0.1:0",
      tls: { cert: certs.serverCert, key: certs.serverKey },
    });
    const server = await startHttpServer({ bot: t.bot, config });
    try {
      expect(server.url).toMatch(/^https:\/\/127\.0\.0\.1:\d+$/);
      const body = await new Promise<string>((resolve, reject) => {
        const req = request(`${server.url}/healthz`, { ca: readFileSync(certs.caFile) }, (res) => {
          let data = "";
          res.on("data", (chunk: Buffer) => {
            data += chunk.toString();
          });
          res.on("end", () => resolve(data));
        });
        req.on("error", reject);
        req.end();
      });
      expect(JSON.parse(body)).toEqual({ status: "ok" });
    } finally {
      await server.close();
    }
  });

  it("closes a connection that sends its request too slowly (request timeout)", async () => {
    const config = httpConfigSchema.parse({ listen: "127.0.0.1:0", timeouts: { request: "1s" } });
    const server = await startHttpServer({ bot: t.bot, config });
    try {
      const socket = connect(server.address.port, "127.0.0.1");
      let closed = false;
      let answer = "";
      socket.on("data", (chunk: Buffer) => {
        answer += chunk.toString();
      });
      socket.on("close", () => {
        closed = true;
      });
      socket.write("POST /hooks/github HTTP/1.1\r\nHost: x\r\nContent-Length: 100\r\n\r\n{");
      await until(() => closed, "the server to close the slow connection", 15_000);
      expect(answer).toMatch(/^HTTP\/1\.1 408|^$/);
    } finally {
      await server.close();
    }
  });

  it("refuses to start when a room names a network the bot does not have, or the address is taken", async () => {
    const rooms = httpConfigSchema.parse({
      listen: "127.0.0.1:0",
      hooks: { ci: { secret: SECRET, rooms: ["irc:#ops"], template: "x", timestampHeader: "X-Timestamp" } },
    });
    await expect(startHttpServer({ bot: t.bot, config: rooms })).rejects.toThrow(
      "http: rooms on unknown networks (known: chat): http.hooks.ci: irc:#ops",
    );
    const first = await startHttpServer({ bot: t.bot, config: httpConfigSchema.parse({ listen: "127.0.0.1:0" }) });
    try {
      const taken = httpConfigSchema.parse({ listen: `127.0.0.1:${first.address.port}` });
      await expect(startHttpServer({ bot: t.bot, config: taken })).rejects.toThrow(/EADDRINUSE/);
    } finally {
      await first.close();
    }
  });
});
