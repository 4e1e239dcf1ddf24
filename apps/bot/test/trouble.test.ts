/**
 * Trouble shown where the operator looks: an unreachable IRC server on `start`'s standard error with its cause, an
 * internal-error reference from chat found with `switchboard log`, a denial that says the login is not linked to a
 * principal, and `why` saying that a line's arguments would be refused.
 */
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { freePort } from "@switchboard/test-servers";
import { afterEach, beforeAll, describe, expect, it } from "vitest";
import { assertBuilt, exited, runCli, spawnCli, tempDir } from "./cli.js";

const temps: Array<{ remove(): void }> = [];
afterEach(() => {
  for (const temp of temps.splice(0)) temp.remove();
});
beforeAll(() => assertBuilt());

function folder(config: string[]): string {
  const temp = tempDir("switchboard-trouble-");
  temps.push(temp);
  writeFileSync(join(temp.dir, "switchboard.yaml"), `${config.join("\n")}\n`);
  return temp.dir;
}

const OWNER = [
  "roles: { owner: { permissions: ['*'] } }",
  "principals: { alice: { roles: [owner], identities: { shell: alice, irc: alice } } }",
];

describe("trouble where the operator looks", () => {
  it("start prints an unreachable IRC server's failure and cause on stderr, not only in the log", async () => {
    const port = await freePort(); // nothing listens there
    const dir = folder([
      `adapters: [{ type: irc, host: 127.0.0.1, port: ${port}, nick: sb, channels: ["#ops"] }]`,
      ...OWNER,
    ]);
    const child = spawnCli(["start"], dir);
    let stderr = "";
    child.stderr.on("data", (chunk: Buffer) => {
      stderr += chunk.toString("utf8");
    });
    const deadline = Date.now() + 20_000;
    while (!stderr.includes("ECONNREFUSED") && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    child.kill("SIGTERM");
    expect((await exited(child)).code).toBe(0);
    expect(stderr).toMatch(
      new RegExp(
        `^switchboard: warn: IRC socket error: connect ECONNREFUSED 127\\.0\\.0\\.1:${port} \\(network irc\\)$`,
        "m",
      ),
    );
    expect(stderr).toMatch(
      /^switchboard: warn: IRC connection lost; reconnecting: could not connect or register \(network irc, attempt 1, /m,
    );
  }, 40_000);

  it("switchboard log finds an internal-error reference from chat, with the error and its stack", async () => {
    // A rota date that does not exist: config check rejects it, but the shell runs it and "oncall" fails inside.
    const dir = folder([
      ...OWNER,
      "plugins: { paging: { local: { schedules: { ops: { people: [alice], start: 2026-13-01T09:00 } } } } }",
    ]);
    const chat = await runCli(["shell", "--user", "alice"], { cwd: dir, input: "oncall\n" });
    const reference = /internal error \(reference (E-[0-9a-f]+)\)/.exec(chat.stdout)?.[1];
    expect(reference).toBeDefined();
    const found = await runCli(["log", reference!], { cwd: dir });
    expect(found.code).toBe(0);
    expect(found.stdout).toMatch(new RegExp(`^${reference}:$`, "m"));
    expect(found.stdout).toMatch(/ error {2}internal error {2}\(.*switchboard\.log\)/);
    expect(found.stdout).toMatch(/^ {2}error: .*13.*month/m);
    expect(found.stdout).toMatch(/^ {2}at /m);
    expect(found.stdout).toMatch(/context: .*"command":"oncall"/);
    const unknown = await runCli(["log", "E-00000000"], { cwd: dir });
    expect(unknown.code).toBe(1);
    expect(unknown.stdout).toMatch(/^not found: E-00000000/);
    expect((await runCli(["log", "oops"], { cwd: dir })).stderr).toMatch(/is not an error reference/);
  });

  it("a denial of a login nobody linked says so", async () => {
    const dir = folder(OWNER);
    const result = await runCli(["shell", "--user", "root"], { cwd: dir, input: "role grant bob owner\n" });
    expect(result.stdout).toContain(
      "denied: command role grant requires permission role:grant, and your roles (guest) do not grant it; your login root is not a principal: no principal lists it (identities: { shell: root }), so you are a guest",
    );
  });

  it("why says when a line's arguments would be refused", async () => {
    const dir = folder(OWNER);
    const result = await runCli(["shell", "--user", "alice"], { cwd: dir, input: "why cancel\n" });
    expect(result.stdout).toContain("✖ refused before any decision: missing id");
    expect(result.stdout).toContain("usage: !cancel <id>");
  });
});
