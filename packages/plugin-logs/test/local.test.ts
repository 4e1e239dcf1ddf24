/**
 * `logs` on real files on this machine (the local runner: `{host}` in a path picks each host's file): time and text
 * filters, caps with the rest sent privately, redaction before anything leaves the bot, and refusals.
 */
import { join } from "node:path";
import type { Harness } from "@switchboard/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { accessLine, logsHarness, tempDir, writeJournal, writeLog } from "./fixtures.js";

describe("logs from files on this machine", () => {
  const temp = tempDir("logs-local-");
  const now = Date.now();
  const min = 60_000;
  let h: Harness;

  beforeAll(async () => {
    writeLog(join(temp.dir, "fe1", "access.log"), [
      accessLine(now - 5 * min, "/api/error", 500),
      accessLine(now - 1 * min, "/fe1-only", 200),
    ]);
    writeLog(join(temp.dir, "fe2", "access.log"), [
      accessLine(now - 120 * min, "/api/error?old=1", 500),
      accessLine(now - 5 * min, "/api/error?recent=1", 502),
      accessLine(now - 1 * min, "/healthz", 200),
    ]);
    const iso = (ms: number) => new Date(ms).toISOString();
    writeLog(join(temp.dir, "app.log"), [
      ...Array.from({ length: 40 }, (_, i) => `${iso(now - (40 - i) * 1000)} INFO request ${i + 1} served`),
      `${iso(now)} ERROR login failed for bob password=hunter2 from 10.0.0.7`,
      `${iso(now)} DEBUG upstream https://deploy:s3cr3tpass@db.internal/app header Authorization: Bearer abc123def456ghi789`,
      `${iso(now)} DEBUG config {"api_key": "AKIAIOSFODNN7EXAMPLE", "card": "card=4111111111111111"}`,
      "-----BEGIN OPENSSH PRIVATE KEY-----",
      "b3BlbnNzaC1rZXktdjEAAAAABG5vbmUAAAAEbm9uZQAAAAAAAAABAAAAMwAAAAtzc2gtZW",
      "-----END OPENSSH PRIVATE KEY-----",
      `${iso(now)} INFO slack token xoxb-123456789012-abcdefghijkl rotated\u001b[31m red\u0007`,
    ]);
    writeLog(join(temp.dir, "plain.log"), ["no time here", "nor here"]);
    writeJournal(join(temp.dir, "journal"), [
      { ago: 90 * min, unit: "app.service", message: "old start" },
      { ago: 3 * min, unit: "app.service", message: "ERROR upstream timeout, api_key=k-123456" },
      { ago: 1 * min, unit: "app.service", message: "recovered" },
      { ago: 1 * min, unit: "db.service", message: "ERROR another unit" },
    ]);
    h = await logsHarness({
      inventory: { hosts: ["fe1", "fe2", "db1"], groups: { frontends: ["fe*"], databases: ["db*"], empty: [] } },
      services: {
        web: { hosts: "frontends", sources: [{ path: join(temp.dir, "{host}", "access.log"), timestamps: "clf" }] },
        app: { description: "the application", sources: [{ path: join(temp.dir, "app.log"), timestamps: "iso8601" }] },
        plain: { sources: [join(temp.dir, "plain.log")] },
        gone: { sources: [join(temp.dir, "missing.log")] },
        journal: { sources: [{ unit: "app.service", directory: join(temp.dir, "journal") }] },
        nowhere: { hosts: "empty", sources: [join(temp.dir, "{host}", "access.log")] },
      },
      maxLines: 100,
      output: { roomLines: 10 },
      redact: { patterns: [{ pattern: "(?<keep>card=)\\d{12}", replacement: "************" }] },
    });
  });
  afterAll(async () => {
    await h?.close();
    temp.remove();
  });

  const say = async (text: string, who = "alice", verified = true) =>
    (await h.as(who, { verified }).say(`!${text}`)).text;

  it("reads a service on one of its hosts, and on all of them", async () => {
    const fe2 = await say("logs web on fe2");
    expect(fe2).toContain("web: 3 lines from 1 host");
    expect(fe2).toContain("/api/error?recent=1");
    expect(fe2).not.toContain("/fe1-only");
    const all = await say("logs web");
    expect(all).toContain("web: 5 lines from 2 hosts");
    expect(all).toContain("/fe1-only");
    expect(all).toMatch(/fe1 \S+fe1\/access\.log[\s\S]*fe2 \S+fe2\/access\.log/);
  });

  it("--since keeps lines from that long ago by their timestamps, --grep a fixed string in any case", async () => {
    const text = await say("logs web on fe2 --since 10m --grep ERROR");
    expect(text).toContain('web: 1 line from 1 host since 10m ago matching "ERROR"');
    expect(text).toContain("/api/error?recent=1");
    expect(text).not.toContain("old=1");
    expect(text).not.toContain("/healthz");
    // A regular expression is text like any other: nothing matches ".*" literally.
    expect(await say("logs web on fe2 --grep .*")).toContain("web: 0 lines from 1 host");
  });

  it("reads a unit of a real journal with --since and --grep, redacted", async () => {
    const text = await say("logs journal --since 10m --grep error");
    expect(text).toContain('journal: 1 line from 1 host since 10m ago matching "error"');
    expect(text).toMatch(/local journal app\.service in \S+journal/);
    expect(text).toContain("fe1 app[412]: ERROR upstream timeout, api_key=[redacted]");
    expect(text).not.toContain("k-123456");
    expect(text).not.toContain("another unit");
    expect(await say("logs journal")).toContain("journal: 3 lines from 1 host");
  });

  it("--since is refused for a file whose lines have no configured time format", async () => {
    const text = await say("logs plain --since 10m");
    expect(text).toMatch(
      /--since is not supported for \S+plain\.log of plain: its lines have no configured timestamp format/,
    );
    expect(await say("logs plain")).toContain("no time here");
    expect(await say("logs app --since 8d")).toContain("--since is a duration from 1s to 7d");
    expect(await say("logs app --since 0s")).toContain("--since is a duration from 1s to 7d");
  });

  it("caps the room at roomLines (the newest) and sends the whole output privately", async () => {
    const text = await say("logs app --lines 30 --grep request");
    expect(text).toContain("app: 10 of 30 lines from 1 host");
    expect(text).toContain("request 40 served");
    expect(text).not.toContain("request 30 served");
    expect(text).toContain("The whole output (30 lines) was sent to you privately (test).");
    const direct = h.transcript("@alice");
    expect(direct).toContain("request 11 served");
    expect(direct).toContain("request 40 served");
    expect(direct).not.toContain("request 10 served");
    expect(await say("logs app --lines 101")).toContain("--lines is a whole number from 1 to 100");
    expect(await say("logs app --lines 0")).toContain("--lines is a whole number from 1 to 100");
  });

  it("redacts passwords, tokens, keys and configured patterns before anything leaves the bot", async () => {
    const text = await say("logs app --since 1m --lines 100");
    const direct = h.transcript("@alice");
    for (const output of [text, direct]) {
      for (const secret of [
        "hunter2",
        "s3cr3tpass",
        "abc123def456ghi789",
        "AKIAIOSFODNN7EXAMPLE",
        "b3BlbnNzaC1rZXkt",
        "xoxb-1234",
        "411111111111",
      ])
        expect(output).not.toContain(secret);
    }
    expect(direct).toContain("password=[redacted] from 10.0.0.7");
    expect(direct).toContain("https://deploy:[redacted]@db.internal/app");
    expect(direct).toContain("Authorization: Bearer [redacted]");
    expect(direct).toContain("card=************1111");
    expect(direct).toContain("[redacted private key]");
    // terminal escapes and bells in a line never reach the room
    expect(direct).toContain("rotated red");
    expect(direct).not.toContain("\u001b");
    expect(direct).not.toContain("\u0007");
  });

  it("--grep searches the redacted text, so it cannot probe a secret", async () => {
    expect(await say("logs app --grep hunter2")).toContain("app: 0 lines from 1 host");
    expect(await say("logs app --grep password=hunt")).toContain("app: 0 lines from 1 host");
    expect(await say("logs app --grep password=")).toContain("app: 1 line from 1 host");
    // the replacement text is not in the lines as read, so it finds nothing either
    expect(await say("logs app --grep redacted")).toContain("app: 0 lines from 1 host");
    // a private key's body is matched as read, then hidden: nothing of it shows
    expect(await say("logs app --grep b3BlbnNzaC")).toContain("app: 0 lines from 1 host");
  });

  it("reports a source that cannot be read, without a stack trace", async () => {
    const text = await say("logs gone");
    expect(text).toMatch(/✖ local \S+missing\.log: tail: cannot open .*No such file or directory/);
  });

  it("never reads a path from chat: only configured services and their files", async () => {
    expect(await say("logs /etc/passwd")).toContain('"/etc/passwd" is not a service name');
    expect(await say("logs ../../etc/passwd")).toContain("is not a service name");
    expect(await say("logs web --path /etc/passwd")).toContain("unknown option --path");
    expect(await say("logs web --file=/etc/passwd")).toContain("unknown option --file");
    expect(await say("logs web on /etc/passwd")).toMatch(/"\/etc\/passwd" is not a host, group or glob/);
    expect(await say("logs app on fe1")).toContain("app is read on this machine only");
  });

  it("an unknown service gets a suggestion (for people the configuration knows)", async () => {
    const text = await say("logs wbe");
    expect(text).toContain("no service wbe; did you mean web?");
    expect(await say("logs")).toMatch(/app +the application/);
    expect(await say("logs constructor")).toContain("no service constructor");
    expect(await say("logs __proto__")).toContain('"__proto__" is not a service name');
  });

  it("refuses guests, and people without logs:read:<service>", async () => {
    const guest = await say("logs web", "mallory", false);
    expect(guest).toMatch(/not for guests/);
    expect(guest).not.toContain("access.log");
    const guessing = await say("logs wbe", "mallory", false);
    expect(guessing).not.toContain("did you mean");
    expect(await say("logs", "mallory", false)).toMatch(/not for guests/);
    expect(await say("logs web on fe1", "bob")).toContain("/fe1-only");
    const denied = await say("logs app", "bob");
    expect(denied).toContain("logs:read:app");
    expect(denied).not.toContain("hunter2");
    expect(denied).not.toContain("request 40");
  });

  it("refuses hosts and globs that are not the service's or not names", async () => {
    expect(await say("logs web on fe1;id")).toMatch(/"fe1;id" is not a host, group or glob/);
    expect(await say("logs web on $(id)")).toMatch(/is not a host, group or glob/);
    expect(await say("logs web on -oProxyCommand=id")).toMatch(/unknown option|is not a host, group or glob/);
    expect(await say("logs web on db1")).toMatch(/no host or group db1 here/);
    expect(await say("logs web on databases")).toMatch(/group databases has no hosts here/);
    expect(await say("logs nowhere")).toMatch(/group empty has no hosts here/);
    expect(await say("logs web on db*")).toMatch(/no host matches db\*/);
    expect(await say("logs web on *")).toMatch(/matches every host; say "all"/);
    expect(await say("logs web on constructor")).toMatch(/no host or group constructor here/);
    expect(await say("logs web on fe*")).toContain("web: 5 lines from 2 hosts");
    expect(await say("logs web on all")).toContain("web: 5 lines from 2 hosts");
  });

  it("every run is in the audit log: who, which service, which hosts", async () => {
    await say("logs web on fe1 --grep fe1-only", "bob");
    const entries = await h.audit();
    const run = entries.filter((e) => e.command === "logs" && e.actor === "bob");
    expect(run.length).toBeGreaterThan(0);
    expect(JSON.stringify(run)).toContain('"hosts":"fe1"');
    expect(JSON.stringify(run)).toContain("fe1-only");
  });
});
