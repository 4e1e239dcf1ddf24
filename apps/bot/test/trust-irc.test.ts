/**
 * Issue 25's attacks on real inspircd with atheme-services, through the built CLI (`switchboard start`): accounts
 * the services vouch for launder an approval through a chain of grants, and a guest (a nick with no account) asks
 * for the Puppet inventory and a deploy with a made-up app. Neither works, and neither answer reveals anything.
 */
import type { ChildProcessWithoutNullStreams } from "node:child_process";
import { execFileSync } from "node:child_process";
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { IrcUser, type ServicesServer, startInspircdWithServices, until } from "@switchboard/test-servers";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { assertBuilt, exited, spawnCli, tempDir } from "./cli.js";

const BOT = "switchboard";

describe("laundered grants and guests on inspircd + atheme", { timeout: 180_000 }, () => {
  let server: ServicesServer;
  let child: ChildProcessWithoutNullStreams | undefined;
  const people: Record<string, IrcUser> = {};
  const temp = tempDir("switchboard-trust-irc-");
  let stderr = "";

  beforeAll(async () => {
    assertBuilt();
    server = await startInspircdWithServices({ relaxedFloodLimits: true });
    const accounts = ["boss", "sock1", "sock2", "carol"];
    for (const account of accounts) {
      const registrar = await IrcUser.connect({ port: server.port, nick: account });
      await registrar.services(`REGISTER ${account}-secret ${account}@example.org`, /registered/i);
      await registrar.quit();
    }
    // An app whose production deploys need approval, and a Puppet inventory a guest must not see.
    const repo = join(temp.dir, "web");
    mkdirSync(repo);
    const git = (...args: string[]) => execFileSync("git", ["-C", repo, ...args], { stdio: "ignore" });
    git("init", "-q", "-b", "main");
    writeFileSync(join(repo, "index.html"), "hello\n");
    git("add", ".");
    git("-c", "user.name=t", "-c", "user.email=t@example.org", "commit", "-qm", "one");
    mkdirSync(join(temp.dir, "environments/production"), { recursive: true });
    mkdirSync(join(temp.dir, "hosts"), { recursive: true });
    writeFileSync(
      join(temp.dir, "switchboard.yaml"),
      [
        "adapters:",
        "  - type: irc",
        "    host: 127.0.0.1",
        `    port: ${server.port}`,
        `    nick: ${BOT}`,
        "    channels: ['#ops']",
        "plugins:",
        "  deploy:",
        "    apps:",
        "      web:",
        "        git: ./web",
        "        provider: { type: command, command: ['true'] }",
        "        environments: { production: {} }",
        "  puppet:",
        "    runner: { type: local, hostsDir: ./hosts }",
        "    environmentPath: ./environments",
        "    inventory: { hosts: [fs1, db1], groups: { secretdbs: ['db*'] } }",
        "roles:",
        "  owner: { permissions: ['*'] }",
        "  approver: { permissions: ['deploy:approve'] }",
        "  guest: { permissions: [] }",
        "principals:",
        "  boss: { roles: [owner], identities: { irc: boss } }",
        "  carol: { roles: [approver], identities: { irc: carol } }",
        "",
      ].join("\n"),
    );
    child = spawnCli(["start"], temp.dir);
    child.stderr.on("data", (chunk: Buffer) => {
      stderr += chunk.toString("utf8");
    });
    for (const account of accounts)
      people[account] = await IrcUser.connect({
        port: server.port,
        nick: account,
        sasl: { account, password: `${account}-secret` },
      });
    people.mallory = await IrcUser.connect({ port: server.port, nick: "mallory" });
    await Promise.all(Object.values(people).map((p) => p.join("#ops")));
    await until(
      async () => {
        people.boss!.say("#ops", "!ping");
        await new Promise((resolve) => setTimeout(resolve, 300));
        return people.boss!.from(BOT, "#ops").some((r) => /pong/.test(r.text));
      },
      `the bot to answer in #ops (stderr: ${stderr})`,
      30_000,
    );
  }, 120_000);

  afterAll(async () => {
    if (child && child.exitCode === null) {
      child.kill("SIGTERM");
      await exited(child);
    }
    for (const person of Object.values(people)) await person.quit();
    await server?.stop();
    temp.remove();
  });

  /** Says `text` in #ops as `who` and waits for the bot's line to them that matches. */
  const ask = async (who: string, text: string, answer: RegExp) => {
    const since = people[who]!.received.length;
    people[who]!.say("#ops", text);
    return (await people[who]!.waitFor(BOT, answer, "#ops", 30_000, since)).text;
  };

  it("boss → sock1 (owner) → sock2 (approver): sock2's approval of boss's production deploy does not count", async () => {
    await ask("boss", "!role grant irc:sock1 owner", /irc:sock1 now has role owner/);
    await ask("sock1", "!role grant irc:sock2 approver", /irc:sock2 now has role approver/);
    const request = await ask("boss", "!deploy web to production", /needs 1 approval/);
    const id = /job (\w{5})/.exec(request)![1]!;
    const refused = await ask("sock2", `!approve ${id}`, /approv/);
    expect(refused).toMatch(/granted by irc:sock1, whose power to grant it does not come from the configuration/);
    await ask("carol", `!approve ${id}`, /it is running now for boss/);
    await people.boss!.waitFor(BOT, /deployed web\/main \(\w{7}\) to production/, "#ops", 30_000);
    expect(people.boss!.from(BOT, "#ops").some((r) => /approved by irc:sock2/.test(r.text))).toBe(false);
  });

  it("a guest's puppet hosts and deploy x are denials that reveal no host, group, app or environment", async () => {
    for (const [line, permission] of [
      ["!puppet hosts", "puppet:read"],
      ["!puppet status all", "puppet:read"],
      ["!puppet noop nosuch all", "puppet:noop"],
      ["!deploy x", "deploy:run"],
      ["!deploy web to nope", "deploy:run"],
    ] as const) {
      const answer = await ask("mallory", line, /denied|✖|fs1|web/);
      expect(answer, line).toMatch(new RegExp(`denied: command .* requires permission ${permission}`));
      expect(answer, line).not.toMatch(/fs1|db1|secretdbs|\bweb\b|production|environments/);
    }
  });
});
