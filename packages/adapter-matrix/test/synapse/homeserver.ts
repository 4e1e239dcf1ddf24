/**
 * A real Synapse homeserver for tests: Debian sid's matrix-synapse in a chroot (built once by prepare-chroot.sh,
 * reused afterwards), started on a free loopback port with a fresh data folder, users registered with the shared
 * secret. Fails with instructions when something it needs is missing; never skips.
 * @module
 */
import { type ChildProcess, execFile, spawn } from "node:child_process";
import { createHmac, randomBytes } from "node:crypto";
import { copyFileSync, existsSync, mkdtempSync, rmSync } from "node:fs";
import { createServer } from "node:net";
import { join } from "node:path";
import { promisify } from "node:util";

const run = promisify(execFile);
const here = new URL(".", import.meta.url).pathname;

/** The chroot folder: `$SWITCHBOARD_SYNAPSE_CHROOT`, else /var/tmp/switchboard-synapse-chroot. */
export const chrootDir = process.env.SWITCHBOARD_SYNAPSE_CHROOT ?? "/var/tmp/switchboard-synapse-chroot";

let preparing: Promise<void> | undefined;

/** Builds the chroot when it is missing (about a minute or two; needs root and the Debian mirror). */
export function ensureChroot(): Promise<void> {
  preparing ??= (async () => {
    if (existsSync(join(chrootDir, ".switchboard-synapse-ready"))) return;
    if (process.getuid?.() !== 0) {
      throw new Error(
        `Synapse chroot ${chrootDir} is missing and building it needs root. Run as root: ` +
          `sh packages/adapter-matrix/test/synapse/prepare-chroot.sh ${chrootDir}`,
      );
    }
    try {
      await run("sh", [join(here, "prepare-chroot.sh"), chrootDir], { maxBuffer: 64 << 20 });
    } catch (error) {
      const e = error as { stderr?: string; message: string };
      throw new Error(
        `could not build the Synapse chroot (needs root, debootstrap and network access to deb.debian.org; ` +
          `see packages/adapter-matrix/test/synapse/prepare-chroot.sh): ${e.stderr ?? e.message}`,
      );
    }
  })();
  return preparing;
}

/** A free TCP port on 127.0.0.1. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      const port = typeof address === "object" && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
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
    await ensureChroot();
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
    copyFileSync(join(here, "configure.py"), join(hostDir, "configure.py"));
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
