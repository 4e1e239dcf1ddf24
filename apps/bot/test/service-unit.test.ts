/**
 * examples/switchboard.service as an operator installs it: `systemd-analyze verify` accepts it, and its ExecStart
 * line, run as written (the install prefix /opt/switchboard is this checkout, /etc/switchboard and
 * /var/lib/switchboard are temporary folders) with the unit's environment, runs the bot on a real IRC server with
 * examples/service.yaml: it answers, logs JSON lines to standard output (the journal), names its paths once, keeps
 * running through SIGHUP and stops cleanly on SIGTERM.
 */
import { spawn, spawnSync } from "node:child_process";
import { copyFileSync, existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { IrcUser, notProvisioned, startNgircd, type TestServer, until } from "@switchboard/test-servers";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { assertBuilt, childEnv, repoRoot, tempDir } from "./cli.js";

const unitFile = join(repoRoot, "examples/switchboard.service");
const unit = readFileSync(unitFile, "utf8");

/** The values of `Key=` lines of the [Service] section, in order. */
function directives(key: string): string[] {
  return unit
    .split("\n")
    .filter((line) => line.startsWith(`${key}=`))
    .map((line) => line.slice(key.length + 1));
}

describe("examples/switchboard.service", () => {
  it("passes systemd-analyze verify", () => {
    const result = spawnSync("systemd-analyze", ["verify", unitFile], { encoding: "utf8" });
    if (result.error) throw notProvisioned("systemd-analyze is missing (Debian package systemd)");
    // Other units on the machine may warn; nothing may be said about this one.
    const aboutThisUnit = `${result.stdout}${result.stderr}`
      .split("\n")
      .filter((line) => line.includes("switchboard.service"));
    expect(aboutThisUnit).toEqual([]);
    expect(result.status).toBe(0);
  });

  it("runs as its own user with hardening, state and configuration directories, and absolute paths", () => {
    expect(directives("User")).toEqual(["switchboard"]);
    expect(directives("StateDirectory")).toEqual(["switchboard"]);
    expect(directives("ConfigurationDirectory")).toEqual(["switchboard"]);
    expect(directives("EnvironmentFile")[0]).toMatch(/^-?\/etc\/switchboard\//);
    expect(directives("ProtectSystem")).toEqual(["strict"]);
    expect(directives("NoNewPrivileges")).toEqual(["yes"]);
    const execStart = directives("ExecStart")[0]!.split(" ");
    for (const word of execStart.filter((w) => w.includes("/"))) expect(word.startsWith("/")).toBe(true);
  });

  describe("its ExecStart line, run as written", () => {
    let ircd: TestServer;
    let user: IrcUser | undefined;
    const temp = tempDir("switchboard-service-");
    const etc = join(temp.dir, "etc/switchboard");
    const state = join(temp.dir, "var/lib/switchboard");
    let stdout = "";
    let stderr = "";
    let child: ReturnType<typeof spawn>;

    beforeAll(async () => {
      assertBuilt();
      ircd = await startNgircd({ penalties: false });
      mkdirSync(etc, { recursive: true });
      mkdirSync(state, { recursive: true, mode: 0o700 });
      copyFileSync(join(repoRoot, "examples/service.yaml"), join(etc, "switchboard.yaml"));
      writeFileSync(join(etc, "switchboard.env"), `IRC_PORT=${ircd.port}\nIRC_NICK=svcbot\n`);
      const place = (text: string) =>
        text
          .replaceAll("/opt/switchboard", repoRoot.replace(/\/$/, ""))
          .replaceAll("/etc/switchboard", etc)
          .replaceAll("/var/lib/switchboard", state);
      // What systemd passes: Environment=, the EnvironmentFile's KEY=VALUE lines, and the directories' paths.
      const env: Record<string, string | undefined> = { STATE_DIRECTORY: state, CONFIGURATION_DIRECTORY: etc };
      for (const pair of directives("Environment")) env[pair.split("=")[0]!] = pair.slice(pair.indexOf("=") + 1);
      const envFile = place(directives("EnvironmentFile")[0]!.replace(/^-/, ""));
      for (const line of readFileSync(envFile, "utf8")
        .split("\n")
        .filter((l) => l.includes("=")))
        env[line.slice(0, line.indexOf("="))] = line.slice(line.indexOf("=") + 1);
      const [program, ...args] = place(directives("ExecStart")[0]!).split(" ");
      const node = existsSync(program!) ? program! : process.execPath;
      child = spawn(node, args, {
        cwd: place(directives("WorkingDirectory")[0]!),
        env: { ...childEnv(env), HOME: state, XDG_CONFIG_HOME: undefined },
        stdio: ["ignore", "pipe", "pipe"],
      });
      child.stdout!.on("data", (chunk: Buffer) => {
        stdout += chunk.toString("utf8");
      });
      child.stderr!.on("data", (chunk: Buffer) => {
        stderr += chunk.toString("utf8");
      });
      user = await IrcUser.connect({ port: ircd.port, nick: "carol" });
      await user.join("#ops");
      await until(
        async () => {
          user!.say("#ops", "!ping");
          await new Promise((resolve) => setTimeout(resolve, 300));
          return user!.from("svcbot", "#ops").some((r) => /pong/.test(r.text));
        },
        `the service to answer in #ops (stderr: ${stderr})`,
        30_000,
      );
    }, 60_000);

    afterAll(async () => {
      if (child && child.exitCode === null) child.kill("SIGKILL");
      await user?.quit();
      await ircd?.stop();
      temp.remove();
    });

    it("names its paths once, logs JSON lines to standard output, survives SIGHUP, stops on SIGTERM", async () => {
      const pathLines = stderr.split("\n").filter((line) => line.includes("; data "));
      expect(pathLines).toHaveLength(1);
      expect(pathLines[0]).toContain(`data ${join(state, "data/switchboard.db")}`);
      expect(pathLines[0]).toContain("log standard output");
      expect(pathLines[0]).toContain(`audit key ${join(state, "audit/audit-key")}`);
      expect(existsSync(join(state, "data/switchboard.db"))).toBe(true);
      expect(existsSync(join(state, "audit/audit-key"))).toBe(true);
      const logLines = stdout.trim().split("\n");
      expect(logLines.length).toBeGreaterThan(1);
      for (const line of logLines) expect(() => JSON.parse(line)).not.toThrow();

      child.kill("SIGHUP");
      await until(() => stdout.includes('"log reopened"'), "the SIGHUP to be handled", 10_000);
      user!.say("#ops", "!ping");
      await user!.waitFor("svcbot", /pong/, "#ops", 15_000, user!.received.length);

      child.kill("SIGTERM");
      const code = await new Promise<number | null>((resolve) => child.on("exit", (c) => resolve(c)));
      expect(code).toBe(0);
      expect(stdout).toContain('"msg":"stopped"');
    }, 40_000);
  });
});
