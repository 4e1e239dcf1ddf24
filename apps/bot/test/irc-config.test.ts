import { readFileSync } from "node:fs";
import { join } from "node:path";
import { IrcAdapter } from "@switchboard/adapter-irc";
import { silentLogger } from "@switchboard/core";
import { describe, expect, it } from "vitest";
import { createAdapter } from "../src/adapter-types.js";
import { ConfigError, type ConfigIssue, parseConfig } from "../src/index.js";
import { repoRoot } from "./cli.js";

function issuesOf(text: string): ConfigIssue[] {
  try {
    parseConfig(text, "test.yaml", { env: {} });
  } catch (error) {
    if (error instanceof ConfigError) return error.issues;
    throw error;
  }
  throw new Error("expected a ConfigError");
}

describe("type: irc in the configuration", () => {
  it("accepts examples/irc.yaml (host and port from the environment) and creates the adapter", async () => {
    const text = readFileSync(join(repoRoot, "examples/irc.yaml"), "utf8");
    const { config } = parseConfig(text, "irc.yaml", { env: { IRC_HOST: "irc.example.org", IRC_PORT: "6697" } });
    const entry = config.adapters[0]!;
    expect(entry).toMatchObject({ type: "irc", name: "irc", host: "irc.example.org", port: 6697, nick: "switchboard" });
    const adapter = await createAdapter(entry, { logger: silentLogger() });
    expect(adapter).toBeInstanceOf(IrcAdapter);
    expect(adapter.network).toBe("irc");
    expect((adapter as IrcAdapter).options).toMatchObject({
      host: "irc.example.org",
      port: 6697,
      tls: { verify: true }, // not a loopback host: TLS by default, certificates verified
      channels: [{ name: "#ops" }],
      flood: { burst: 5, interval: 1000 },
      output: { channelLines: 6, colors: true },
    });
  });

  it("passes every key to the adapter as written, durations in milliseconds", async () => {
    const { config } = parseConfig(
      [
        "adapters:",
        "  - type: irc",
        "    name: libera",
        "    host: irc.libera.chat",
        "    tls: { verify: true, caFile: ca.pem, certFile: bot.pem, keyFile: bot.key }",
        "    password: server-pw",
        "    nick: sbot",
        "    altNicks: [sbot2]",
        "    username: bot",
        "    realname: The bot",
        "    sasl: { mechanism: EXTERNAL }",
        "    channels: ['#a', { name: '#b', key: k }]",
        "    ignore: ['*bot']",
        "    version: v1",
        "    accountLookup: false",
        "    accountLookupTimeout: 2s",
        "    regainInterval: 30s",
        "    pingInterval: 20s",
        "    pingTimeout: 90s",
        "    connectTimeout: 45s",
        "    quitMessage: bye",
        "    flood: { burst: 3, interval: 2s, maxQueuedLines: 100 }",
        "    reconnect: { initialDelay: 1s, maxDelay: 1m, stableAfter: 2m }",
        "    output: { channelLines: 4, colors: false, progressLines: 2 }",
        "",
      ].join("\n"),
      "all.yaml",
      { env: {} },
    );
    const adapter = (await createAdapter(config.adapters[0]!, { logger: silentLogger() })) as IrcAdapter;
    expect(adapter.network).toBe("libera");
    expect(adapter.options).toEqual({
      name: "libera",
      host: "irc.libera.chat",
      port: 6697,
      tls: { verify: true, caFile: "ca.pem", certFile: "bot.pem", keyFile: "bot.key" },
      password: "server-pw",
      nick: "sbot",
      altNicks: ["sbot2"],
      username: "bot",
      realname: "The bot",
      sasl: { mechanism: "EXTERNAL" },
      channels: [{ name: "#a" }, { name: "#b", key: "k" }],
      ignore: ["*bot"],
      version: "v1",
      accountLookup: false,
      identity: "lookup",
      accountLookupTimeout: 2000,
      regainInterval: 30_000,
      pingInterval: 20_000,
      pingTimeout: 90_000,
      connectTimeout: 45_000,
      quitMessage: "bye",
      flood: { burst: 3, interval: 2000, maxQueuedLines: 100 },
      reconnect: { initialDelay: 1000, maxDelay: 60_000, stableAfter: 120_000 },
      output: { channelLines: 4, colors: false, progressLines: 2 },
    });
  });

  it("names the key and line of mistakes", () => {
    const issues = issuesOf(
      [
        "adapters:", // 1
        "  - type: irc", // 2
        "    host: irc.example.org", // 3
        "    nik: sbot", // 4
        "    port: 99999", // 5
        "    channels: [ops]", // 6
        "    sasl: { mechanism: EXTERNAL }", // 7
        "",
      ].join("\n"),
    );
    expect(issues.map((i) => [i.path.join("."), i.line, i.message])).toEqual([
      ["adapters.0.nick", 2, "nick is required here"],
      ["adapters.0.nik", 4, 'unknown key "nik"; did you mean "nick"?'],
      ["adapters.0.port", 5, "port must be at most 65535"],
      ["adapters.0.channels.0", 6, "a channel name like #ops"],
    ]);
  });

  it("refuses SASL EXTERNAL without a client certificate", () => {
    const issues = issuesOf("adapters:\n  - type: irc\n    host: h\n    nick: n\n    sasl: { mechanism: EXTERNAL }\n");
    expect(issues).toEqual([
      expect.objectContaining({ path: ["adapters", 0, "sasl"], message: expect.stringMatching(/certFile/) }),
    ]);
  });
});
