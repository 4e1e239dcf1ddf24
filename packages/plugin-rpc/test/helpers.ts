/**
 * Keys, policy and a harness for the rpc plugin's tests.
 */
import { generateKeyPairSync } from "node:crypto";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import type { AnyPlugin, PolicyConfigInput, Store } from "@switchboard/core";
import { eventually as pollUntil, tempDir } from "@switchboard/test-servers";
import { createHarness, type Harness } from "@switchboard/testing";
import type { RpcConfigInput } from "../src/config.js";
import rpc from "../src/index.js";

export { tempDir };

/** A fresh RSA key pair, the private half written to a PEM file in `dir`. */
export function keyPair(dir: string, name: string): { file: string; publicKey: string } {
  const { privateKey, publicKey } = generateKeyPairSync("rsa", {
    modulusLength: 2048,
    publicKeyEncoding: { type: "spki", format: "pem" },
    privateKeyEncoding: { type: "pkcs8", format: "pem" },
  });
  const file = join(dir, `${name}.pem`);
  writeFileSync(file, privateKey, { mode: 0o600 });
  return { file, publicKey };
}

/** alice and bob are staff (rpc:ops), carol is an admin; anyone else is a guest. */
export const policy: PolicyConfigInput = {
  roles: {
    staff: { permissions: ["rpc:ops", "rpc:approve"] },
    admin: { permissions: ["rpc:*"] },
    guest: { permissions: [] },
  },
  principals: {
    alice: { roles: ["staff"], identities: { test: "alice", second: "@alice:example.org" } },
    bob: { roles: ["staff"], identities: { test: "bob" } },
    carol: { roles: ["admin"], identities: { test: "carol" } },
  },
};

/** A harness with the rpc plugin (and any other plugins), polling fast. */
export function rpcHarness(
  config: RpcConfigInput,
  options: { policy?: PolicyConfigInput; plugins?: AnyPlugin[]; store?: Store; networks?: string[] } = {},
): Promise<Harness> {
  return createHarness({
    policy: options.policy ?? policy,
    store: options.store,
    networks: options.networks,
    plugins: [...(options.plugins ?? []), [rpc, { pollInterval: 50, maxPollInterval: 200, ...config }]],
  });
}

/**
 * Polls `check` until it returns a value (not undefined/false) or `timeoutMs` passes: the shared `eventually` of
 * @switchboard/test-servers, with these tests' argument order and 10 s default.
 */
export function eventually<T>(check: () => T | Promise<T>, what: string, timeoutMs = 10_000): Promise<T> {
  return pollUntil(what, check as () => T | undefined | false | Promise<T | undefined | false>, timeoutMs);
}

/** The job id in a reply (`job 3`). */
export const jobIdIn = (text: string) => /job (\w+)/.exec(text)?.[1] ?? "";
