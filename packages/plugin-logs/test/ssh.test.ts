/**
 * `logs` over a real OpenSSH server on loopback (the same launcher and settings as the puppet plugin's tests): files
 * read with `tail` on the "hosts" 127.0.0.1 and 127.0.0.2, a unit of a real journal file read with the real
 * `journalctl -D` (wrapped first on the session's PATH to record the argv that arrived, and to flood for one unit), and
 * a host whose key does not match the known_hosts file.
 */
import { chmodSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { type Sshd, startSshd } from "@switchboard/test-servers";
import type { Harness } from "@switchboard/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { accessLine, logsHarness, tempDir, writeJournal, writeLog } from "./fixtures.js";

describe("logs over ssh to a real sshd", { timeout: 60_000 }, () => {
  const temp = tempDir("logs-ssh-");
  const knownHosts = join(temp.dir, "known_hosts");
  const calls = join(temp.dir, "journalctl-calls.log");
  const now = Date.now();
  const min = 60_000;
  let sshd: Sshd;
  let h: Harness;

  beforeAll(async () => {
    for (const host of ["fe1", "fe2", "fe3"])
      writeLog(join(temp.dir, "logs", host, "access.log"), [
        accessLine(now - 90 * min, `/${host}/old-error`, 500),
        accessLine(now - 3 * min, `/${host}/error?token=abcdef123456`, 500),
        accessLine(now - 1 * min, `/${host}/ok`, 200),
      ]);
    const bin = join(temp.dir, "bin");
    mkdirSync(bin, { recursive: true });
    writeJournal(join(temp.dir, "journal", "fe1"), [
      { ago: 60 * min, unit: "web.service", message: "old start" },
      { ago: 2 * min, unit: "web.service", message: "started, db password: s3cret-db-pass" },
      { ago: 1 * min, unit: "web.service", message: "listening on :8080" },
      { ago: 30_000, unit: "db.service", message: "another unit" },
    ]);
    // The real journalctl, wrapped to record the argv that arrived over ssh — and, for one unit, a hostile host.
    writeFileSync(
      join(bin, "journalctl"),
      [
        "#!/bin/sh",
        `printf '%s\\n' "$*" >> '${calls}'`,
        `case "$*" in *flood.service*) exec sh -c "tr '\\000' a < /dev/zero" ;; esac`,
        'exec /usr/bin/journalctl "$@"',
        "",
      ].join("\n"),
    );
    chmodSync(join(bin, "journalctl"), 0o755);
    sshd = await startSshd(temp.dir, bin);
    writeFileSync(
      knownHosts,
      [
        `[127.0.0.1]:${sshd.port} ${sshd.hostKey}`,
        `[127.0.0.2]:${sshd.port} ${sshd.hostKey}`,
        `[localhost]:${sshd.port} ${sshd.otherHostKey}`, // fe3: a key that is not the server's
        "",
      ].join("\n"),
    );
    h = await logsHarness({
      maxOutput: 1024 * 1024,
      runner: {
        type: "ssh",
        port: sshd.port,
        identityFile: sshd.userKey,
        knownHostsFile: knownHosts,
        connectTimeout: "5s",
      },
      inventory: {
        hosts: { fe1: { address: "127.0.0.1" }, fe2: { address: "127.0.0.2" }, fe3: { address: "localhost" } },
        groups: { frontends: ["fe*"] },
      },
      services: {
        web: {
          hosts: "frontends",
          sources: [{ path: join(temp.dir, "logs", "{host}", "access.log"), timestamps: "clf" }],
        },
        unit: { hosts: "fe1", sources: [{ unit: "web.service", directory: join(temp.dir, "journal", "{host}") }] },
        flood: { hosts: "fe1", sources: [{ unit: "flood.service" }] },
      },
    });
  });
  afterAll(async () => {
    await h?.close();
    await sshd?.stop();
    temp.remove();
  });

  const say = async (text: string, who = "alice") => (await h.as(who).say(`!${text}`)).text;

  it("reads a file on a host over ssh with --since and --grep, redacting what comes back", async () => {
    const text = await say("logs web on fe2 --since 10m --grep error");
    expect(text).toContain('web: 1 line from 1 host since 10m ago matching "error"');
    expect(text).toContain("/fe2/error?token=[redacted]");
    expect(text).not.toContain("abcdef123456");
    expect(text).not.toContain("old-error");
    expect(text).not.toContain("/fe1/");
  });

  it("reads every host of a group; a host whose key does not match is refused, the others shown", async () => {
    const before = readFileSync(knownHosts, "utf8");
    const text = await say("logs web --lines 1");
    expect(text).toContain("/fe1/ok");
    expect(text).toContain("/fe2/ok");
    expect(text).toContain("✖ fe3 ");
    expect(text).toMatch(/✖ fe3 \S+: ssh refused: the host key (does not match|is not in) the known_hosts file/);
    expect(text).not.toContain("GET /fe3/");
    expect(readFileSync(knownHosts, "utf8")).toBe(before);
  });

  it("reads a journal unit with a fixed argv, --since as epoch seconds, redacted", async () => {
    const text = await say("logs unit --since 5m");
    expect(text).toContain("unit: 2 lines from 1 host since 5m ago");
    expect(text).toMatch(/fe1 journal web\.service in \S+\/journal\/fe1/);
    expect(text).toMatch(/\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\+0000 fe1 web\[412\]: listening on :8080/);
    expect(text).toContain("db password: [redacted]");
    expect(text).not.toContain("s3cret-db-pass");
    expect(text).not.toContain("old start");
    expect(text).not.toContain("another unit");
    const argv = readFileSync(calls, "utf8").trim().split("\n").pop()!;
    expect(argv).toBe(
      `-D ${join(temp.dir, "journal", "fe1")} --no-pager --quiet --output=short-iso -n 20000 --since ${/@\d{10}/.exec(argv)![0]} -u web.service`,
    );
    const since = Number(/@(\d+)/.exec(argv)![1]);
    expect(Math.abs(since - Math.floor((Date.now() - 5 * min) / 1000))).toBeLessThan(60);
    expect(await say("logs unit")).toContain("old start");
  });

  it("a host that floods the bot with output is stopped after maxOutput", async () => {
    const text = await say("logs flood");
    expect(text).toContain("✖ fe1 journal flood.service: stopped after 1048576 characters of output");
    expect(text).toContain("flood: 0 lines from 1 host");
    expect(text).not.toContain("aaaa");
  });

  it("a target that is not a name never reaches ssh", async () => {
    const lines = readFileSync(calls, "utf8");
    expect(await say("logs unit on fe1;journalctl")).toMatch(/is not a host, group or glob/);
    expect(await say("logs unit on fe2")).toMatch(/no host or group fe2 here/);
    expect(readFileSync(calls, "utf8")).toBe(lines);
  });
});
