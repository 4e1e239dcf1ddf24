/**
 * The app with an `http:` section and a real IRC server (ngircd): /readyz is 200 while the bot is connected, 503
 * naming the network when the server goes away, and 200 again once the bot is back; /metrics counts the reconnect.
 */
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { silentLogger } from "@switchboard/core";
import { freePort, startNgircd, type TestServer, until } from "@switchboard/test-servers";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type App, createApp } from "../src/app.js";
import { loadConfig } from "../src/config/load.js";
import { tempDir } from "./cli.js";

describe("http: /readyz follows a real IRC connection", () => {
  const temp = tempDir("switchboard-http-irc-");
  let ircd: TestServer;
  let app: App;
  let url: string;
  const readyz = async () => {
    const response = await fetch(`${url}/readyz`);
    return { status: response.status, body: (await response.json()) as Record<string, unknown> };
  };

  beforeAll(async () => {
    ircd = await startNgircd({ penalties: false });
    const port = await freePort();
    writeFileSync(
      join(temp.dir, "sb.yaml"),
      [
        `store: { path: ${join(temp.dir, "sb.db")} }`,
        "adapters:",
        `  - { type: irc, host: 127.0.0.1, port: ${ircd.port}, nick: readybot, channels: ["#ops"], reconnect: { initialDelay: 200ms, maxDelay: 1s } }`,
        "http:",
        `  listen: 127.0.0.1:${port}`,
        "",
      ].join("\n"),
    );
    app = await createApp(loadConfig(join(temp.dir, "sb.yaml")), { logger: silentLogger() });
    await app.start();
    url = app.http!.url;
    expect(url).toBe(`http://127.0.0.1:${port}`);
  }, 60_000);

  afterAll(async () => {
    await app?.close();
    await ircd?.stop();
    temp.remove();
  });

  it("200 connected → 503 with the network's detail when the server stops → 200 when the bot is back", async () => {
    await until(async () => (await readyz()).status === 200, "/readyz 200 while connected", 20_000);
    expect((await readyz()).body).toMatchObject({ ready: true, store: "ok", adapters: { irc: { connected: true } } });

    await ircd.ircd.stop();
    await until(async () => (await readyz()).status === 503, "/readyz 503 after the IRC server stopped", 20_000);
    expect((await readyz()).body).toMatchObject({ ready: false, adapters: { irc: { connected: false } } });
    expect((await fetch(`${url}/healthz`)).status).toBe(200); // the process itself is fine

    await ircd.ircd.start();
    await until(async () => (await readyz()).status === 200, "/readyz 200 after the bot reconnected", 30_000);
    const metrics = await (await fetch(`${url}/metrics`)).text();
    expect(metrics).toMatch(/switchboard_adapter_reconnects_total\{network="irc"\} 1/);
    expect(metrics).toMatch(/switchboard_adapter_connected\{network="irc"\} 1/);
  }, 90_000);
});
