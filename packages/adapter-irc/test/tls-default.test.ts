/**
 * TLS is the default for any host but this machine: a configuration that names a real network and forgets `tls`
 * must not send the server password or the bot's SASL login in clear.
 */
import { describe, expect, it } from "vitest";
import { IrcAdapter } from "../src/index.js";
import { isLoopbackHost } from "../src/loopback.js";
import { ircAdapterType } from "../src/type.js";

const login = {
  nick: "sbot",
  password: "server-pw",
  sasl: { mechanism: "PLAIN" as const, account: "sbot", password: "x" },
};

describe("tls defaults", () => {
  it.each(["irc.libera.chat", "irc.example.org", "10.0.0.5", "192.168.1.10", "2001:db8::1", "localhost.example.org"])(
    "a configuration for %s without a tls key connects with verified TLS on port 6697",
    (host) => {
      const options = new IrcAdapter({ host, ...login }).options;
      expect(options.tls).toEqual({ verify: true });
      expect(options.port).toBe(6697);
    },
  );

  it.each(["127.0.0.1", "127.0.1.1", "::1", "[::1]", "0:0:0:0:0:0:0:1", "::ffff:127.0.0.1", "localhost", "LOCALHOST."])(
    "%s (this machine) stays plain TCP on 6667 unless tls is asked for",
    (host) => {
      expect(isLoopbackHost(host)).toBe(true);
      expect(new IrcAdapter({ host, nick: "sbot" }).options).toMatchObject({ tls: false, port: 6667 });
      expect(new IrcAdapter({ host, nick: "sbot", tls: true }).options.tls).toEqual({ verify: true });
    },
  );

  it("tls: false is honoured for any host, and explicit settings keep verification on", () => {
    expect(new IrcAdapter({ host: "irc.example.org", nick: "sbot", tls: false }).options).toMatchObject({
      tls: false,
      port: 6667,
    });
    expect(new IrcAdapter({ host: "irc.example.org", nick: "sbot", tls: { caFile: "ca.pem" } }).options.tls).toEqual({
      verify: true,
      caFile: "ca.pem",
    });
  });

  it("the app's config entry gets the same default", async () => {
    const entry = ircAdapterType.schema.parse({ type: "irc", host: "irc.libera.chat", nick: "sbot" });
    const adapter = (await ircAdapterType.create(entry)) as IrcAdapter;
    expect(adapter.options).toMatchObject({ tls: { verify: true }, port: 6697 });
    const local = ircAdapterType.schema.parse({ type: "irc", host: "127.0.0.1", nick: "sbot" });
    expect(((await ircAdapterType.create(local)) as IrcAdapter).options.tls).toBe(false);
  });
});
