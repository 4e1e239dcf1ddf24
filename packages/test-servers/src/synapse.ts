/**
 * A real Synapse homeserver for tests: Debian sid's matrix-synapse in a chroot (built once by
 * `synapse/prepare-chroot.sh`, which `sh scripts/test-servers.sh` runs; reused afterwards), started on a free loopback
 * port with a fresh data folder, users registered with the shared secret. Fails with the command that provisions what
 * is missing; never skips.
 * @module
 */
import { type ChildProcess, execFile, spawn } from "node:child_process";
import { createHmac, randomBytes } from "node:crypto";
import { copyFileSync, existsSync, mkdtempSync, rmSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { freePort, notProvisioned } from "./wait.js";

const run = promisify(execFile);
/** This package's synapse/ folder (the same from src/ and from dist/). */
const synapseDir = fileURLToPath(new URL("../synapse/", import.meta.url));

/** The chroot folder: `$SWITCHBOARD_SYNAPSE_CHROOT`, else /var/tmp/switchboard-synapse-chroot. */
export const chrootDir = process.env.SWITCHBOARD_SYNAPSE_CHROOT ?? "/var/tmp/switchboard-synapse-chroot";

/** Fails with what to run when the chroot is not built, or when this process cannot chroot into it. */
export function requireChroot(): void {
  if (!existsSync(join(chrootDir, ".switchboard-synapse-ready"))) {
    throw notProvisioned(`The Synapse chroot ${chrootDir} (the Matrix tests' homeserver) is not built`);
  }
  if (process.getuid?.() !== 0) {
    throw new Error(`The Matrix tests run Synapse in the chroot ${chrootDir}, which needs root; run them as root`);
  }
}

/** One running test homeserver. */
export class Homeserver {
  readonly url: string;
  readonly serverName = "localhost";
  #process: ChildProcess | undefined;
  #exited: Promise<void> = Promise.resolve();

  private constructor(
    readonly port: number,
    /** The data folder as seen from inside the chroot. */
    readonly dataDir: string,
    readonly secret: string,
  ) {
    this.url = `http://127.0.0.1:${port}`;
  }

  /** Creates a data folder, writes the configuration and starts Synapse. */
  static async start(): Promise<Homeserver> {
    requireChroot();
    const hostDir = mkdtempSync(join(chrootDir, "tmp", "switchboard-hs-"));
    const dataDir = hostDir.slice(chrootDir.length);
    const port = await freePort();
    const secret = randomBytes(16).toString("hex");
    await run("chroot", [
      chrootDir,
      "python3",
      "-m",
      "synapse.app.homeserver",
      "--server-name",
      "localhost",
      "--config-path",
      `${dataDir}/homeserver.yaml`,
      "--data-directory",
      dataDir,
      "--generate-config",
      "--report-stats=no",
    ]);
    copyFileSync(join(synapseDir, "configure.py"), join(hostDir, "configure.py"));
    await run("chroot", [chrootDir, "python3", `${dataDir}/configure.py`, dataDir, String(port), secret]);
    const server = new Homeserver(port, dataDir, secret);
    await server.resume();
    return server;
  }

  /** Starts Synapse (again) on the same port and data, and waits until it answers. */
  async resume(): Promise<void> {
    if (this.#process) return;
    const child = spawn(
      "chroot",
      [chrootDir, "python3", "-m", "synapse.app.homeserver", "--config-path", `${this.dataDir}/homeserver.yaml`],
      { stdio: ["ignore", "ignore", "pipe"] },
    );
    let stderr = "";
    child.stderr?.on("data", (chunk: Buffer) => {
      stderr = (stderr + chunk.toString("utf8")).slice(-4000);
    });
    this.#process = child;
    this.#exited = new Promise((resolve) => child.once("exit", () => resolve()));
    let gone = false;
    void this.#exited.then(() => {
      gone = true;
    });
    for (;;) {
      if (gone) throw new Error(`Synapse exited during start-up:\n${stderr}`);
      try {
        const res = await fetch(`${this.url}/_matrix/client/versions`);
        if (res.ok) return;
      } catch {
        // not listening yet
      }
      await new Promise((r) => setTimeout(r, 100));
    }
  }

  /** Stops Synapse (the data stays), e.g. to test reconnecting. */
  async pause(): Promise<void> {
    const child = this.#process;
    if (!child) return;
    this.#process = undefined;
    child.kill("SIGTERM");
    const killer = setTimeout(() => child.kill("SIGKILL"), 10_000);
    await this.#exited;
    clearTimeout(killer);
  }

  /** Stops Synapse and removes its data. */
  async close(): Promise<void> {
    await this.pause();
    rmSync(join(chrootDir, this.dataDir), { recursive: true, force: true });
  }

  /** Registers a user with the shared secret; returns the user id. */
  async register(user: string, password: string, admin = false): Promise<string> {
    const endpoint = `${this.url}/_synapse/admin/v1/register`;
    const { nonce } = (await (await fetch(endpoint)).json()) as { nonce: string };
    const mac = createHmac("sha1", this.secret)
      .update(`${nonce}\0${user}\0${password}\0${admin ? "admin" : "notadmin"}`)
      .digest("hex");
    const res = await fetch(endpoint, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ nonce, username: user, password, admin, mac }),
    });
    if (!res.ok) throw new Error(`registering ${user} failed: ${res.status} ${await res.text()}`);
    return ((await res.json()) as { user_id: string }).user_id;
  }
}
