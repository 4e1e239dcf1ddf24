/**
 * What every test server shares: finding its binary (a missing one fails the test with the command that provisions
 * it, never skips), free loopback ports, and polling until something is true.
 * @module
 */
import { spawnSync } from "node:child_process";
import { createConnection, createServer } from "node:net";

/** The one command that installs every server the tests need (`npm test` runs it before vitest). */
export const PROVISION = "sh scripts/test-servers.sh";

/** The error a test fails with when something it needs is not provisioned. */
export function notProvisioned(what: string): Error {
  return new Error(
    `${what}. The tests use real servers; provision them with \`${PROVISION}\` (as root, from the repository root; ` +
      "`npm test` runs it first)",
  );
}

/** The absolute path of a server binary (also looked for in the sbin folders); fails, never skips, when missing. */
export function requireBinary(name: string): string {
  const found = spawnSync("sh", ["-c", 'command -v "$0"', name], {
    encoding: "utf8",
    env: { ...process.env, PATH: `${process.env.PATH ?? ""}:/usr/local/sbin:/usr/sbin:/sbin` },
  });
  if (found.status !== 0) throw notProvisioned(`${name} is not installed`);
  return found.stdout.trim();
}

/** A free TCP port on 127.0.0.1. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.on("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      server.close(() => resolve(typeof address === "object" && address ? address.port : 0));
    });
  });
}

/** Whether something accepts TCP connections on 127.0.0.1:`port`. */
export function canConnect(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = createConnection({ host: "127.0.0.1", port });
    socket.once("connect", () => {
      socket.destroy();
      resolve(true);
    });
    socket.once("error", () => resolve(false));
  });
}

/** Polls `check` (every 25 ms) until it returns true; rejects with `what` after `timeoutMs`. */
export async function until(check: () => boolean | Promise<boolean>, what: string, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (await check()) return;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

/** Polls `check` (every 20 ms) until it returns a value; that value, or a rejection naming `what` after `timeoutMs`. */
export async function eventually<T>(
  what: string,
  check: () => T | undefined | false | Promise<T | undefined | false>,
  timeoutMs = 20_000,
): Promise<T> {
  const started = Date.now();
  for (;;) {
    const value = await check();
    if (value !== undefined && value !== false) return value;
    if (Date.now() - started > timeoutMs) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}
