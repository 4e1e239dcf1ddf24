/**
 * TLS against inspircd (gnutls) with a private CA: the certificate is verified by default (and refused without the
 * CA), verification can be turned off explicitly, and the bot logs in with SASL EXTERNAL using a client certificate
 * registered with NickServ (CertFP).
 */
import { X509Certificate } from "node:crypto";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Bot } from "@switchboard/core";
import {
  IrcUser,
  makeCertificates,
  type ServicesServer,
  startInspircdWithServices,
  type TestCertificates,
  until,
} from "@switchboard/test-servers";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type LogEntry, startBot } from "./bot.js";

describe("IRC adapter over TLS", () => {
  let certDir: string;
  let certs: TestCertificates;
  let server: ServicesServer;
  let tlsPort: number;
  const bots: Bot[] = [];

  async function tlsBot(
    nick: string,
    extra: Partial<Parameters<typeof startBot>[0]>,
  ): Promise<{ bot: Bot; logs: LogEntry[]; connected: () => boolean }> {
    const started = await startBot({
      host: "127.0.0.1",
      port: tlsPort,
      nick,
      accountLookup: false,
      reconnect: { initialDelay: 60_000, maxDelay: 60_000 },
      ...extra,
    });
    bots.push(started.bot);
    return { bot: started.bot, logs: started.logs, connected: () => started.adapter.connected };
  }

  beforeAll(async () => {
    certDir = mkdtempSync(join(tmpdir(), "switchboard-certs-"));
    certs = makeCertificates(certDir);
    server = await startInspircdWithServices({ tls: certs });
    tlsPort = server.tlsPort!;
  });

  afterAll(async () => {
    for (const bot of bots) await bot.stop();
    await server?.stop();
    rmSync(certDir, { recursive: true, force: true });
  });

  it("verifies the server certificate against the configured CA and works", async () => {
    const { connected } = await tlsBot("tlsbot", { tls: { caFile: certs.caFile } });
    expect(connected()).toBe(true);
    const user = await IrcUser.connect({ port: server.port, nick: "tlsuser" });
    user.say("tlsbot", "ping");
    await user.waitFor("tlsbot", /pong/, "tlsuser");
    await user.quit();
  });

  it("refuses a certificate it cannot verify, unless verification is explicitly off", async () => {
    const refused = await tlsBot("nocabot", { tls: true });
    expect(refused.connected()).toBe(false);
    const error = refused.logs.find((l) => l.msg === "IRC socket error");
    expect(String(error?.data.err)).toMatch(/certificate/i);
    expect(refused.logs.find((l) => l.msg === "IRC connection lost; reconnecting")?.data.reason).toBe(
      "could not connect or register",
    );

    const unverified = await tlsBot("insecure", { tls: { verify: false } });
    expect(unverified.connected()).toBe(true);
  });

  it("logs in with SASL EXTERNAL using a client certificate registered with NickServ", async () => {
    const fingerprint = new X509Certificate(readFileSync(certs.clientCert)).fingerprint256
      .replace(/:/g, "")
      .toLowerCase();
    const owner = await IrcUser.connect({ port: server.port, nick: "certbot" });
    await owner.services("REGISTER cert-secret certbot@example.org", /registered/i);
    await owner.services(`CERT ADD ${fingerprint}`, /added/i);
    await owner.quit();

    const { logs, connected } = await tlsBot("certbot", {
      tls: { caFile: certs.caFile, certFile: certs.clientCert, keyFile: certs.clientKey },
      sasl: { mechanism: "EXTERNAL" },
    });
    expect(connected()).toBe(true);
    await until(() => logs.some((l) => l.msg === "logged in to services"), "the SASL EXTERNAL login");
    expect(logs.find((l) => l.msg === "logged in to services")?.data.account).toBe("certbot");
    expect(logs.some((l) => l.msg === "SASL login of the bot failed")).toBe(false);
  });
});
