/**
 * A real OpenSSH server (Debian's openssh-server) on loopback ports for tests: a temporary host key, one authorised
 * test key, and optionally a folder first on PATH for sessions (authorized_keys `environment=`), so that a stand-in
 * command (the puppet plugin's `puppet agent`) runs instead of the real one.
 * @module
 */
import { type ChildProcess, execFileSync, spawn } from "node:child_process";
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { createConnection } from "node:net";
import { join } from "node:path";
import { freePort, notProvisioned } from "./wait.js";

/** A running sshd. */
export interface Sshd {
  port: number;
  /** The private key sshd accepts. */
  userKey: string;
  /** The server's host key (public, `ssh-ed25519 AAAA…`). */
  hostKey: string;
  /** Another host key (to write a wrong known_hosts entry). */
  otherHostKey: string;
  stop(): Promise<void>;
}

const SSHD = "/usr/sbin/sshd";

function accepting(port: number, host: string): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = createConnection({ port, host });
    socket.once("connect", () => {
      socket.destroy();
      resolve(true);
    });
    socket.once("error", () => resolve(false));
  });
}

function keygen(path: string): string {
  execFileSync("ssh-keygen", ["-q", "-t", "ed25519", "-N", "", "-C", "switchboard-test", "-f", path]);
  return readFileSync(`${path}.pub`, "utf8").trim().split(" ").slice(0, 2).join(" ");
}

/**
 * Starts sshd listening on 127.0.0.1 and 127.0.0.2 (the same port), its keys and files in `dir`. Sessions of the
 * test key get `binDir` (when given) first on PATH. Fails (never skips) when sshd is missing.
 */
export async function startSshd(dir: string, binDir?: string): Promise<Sshd> {
  if (!existsSync(SSHD)) throw notProvisioned(`${SSHD} is missing (openssh-server)`);
  mkdirSync("/run/sshd", { recursive: true }); // the privilege separation folder sshd insists on
  const hostKey = keygen(join(dir, "hostkey"));
  const otherHostKey = keygen(join(dir, "otherkey"));
  const userPublic = keygen(join(dir, "userkey"));
  const path = `${binDir ? `${binDir}:` : ""}/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin`;
  writeFileSync(join(dir, "authorized_keys"), `environment="PATH=${path}" ${userPublic}\n`);
  chmodSync(join(dir, "authorized_keys"), 0o600);
  const port = await freePort();
  writeFileSync(
    join(dir, "sshd_config"),
    [
      `Port ${port}`,
      "ListenAddress 127.0.0.1",
      "ListenAddress 127.0.0.2",
      `HostKey ${join(dir, "hostkey")}`,
      `AuthorizedKeysFile ${join(dir, "authorized_keys")}`,
      "PasswordAuthentication no",
      "KbdInteractiveAuthentication no",
      "PermitRootLogin prohibit-password",
      "PermitUserEnvironment PATH",
      "StrictModes no",
      "UsePAM no",
      `PidFile ${join(dir, "sshd.pid")}`,
      "",
    ].join("\n"),
  );
  const child: ChildProcess = spawn(SSHD, ["-D", "-f", join(dir, "sshd_config"), "-E", join(dir, "sshd.log")], {
    stdio: "ignore",
  });
  const started = Date.now();
  while (!(await accepting(port, "127.0.0.1"))) {
    if (child.exitCode !== null) throw new Error(`sshd exited: ${readFileSync(join(dir, "sshd.log"), "utf8")}`);
    if (Date.now() - started > 10_000) throw new Error("sshd did not start listening within 10 s");
    await new Promise((r) => setTimeout(r, 20));
  }
  return {
    port,
    userKey: join(dir, "userkey"),
    hostKey,
    otherHostKey,
    stop: () =>
      new Promise((resolve) => {
        if (child.exitCode !== null) return resolve();
        child.once("exit", () => resolve());
        child.kill("SIGTERM");
      }),
  };
}
