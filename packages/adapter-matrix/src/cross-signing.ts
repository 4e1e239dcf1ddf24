/**
 * The bot's own device, cross-signed by its owner. With a recovery key (`recoveryKey: ${MATRIX_RECOVERY_KEY}`) the
 * adapter reads the account's cross-signing keys from secret storage at every start and signs its device with them,
 * so that people and clients who trust the bot's identity trust this device too (Element is moving to exclude
 * devices their owner has not signed, bots included). The key is kept in memory only: never logged, never shown.
 * @module
 */
import { type MatrixClient, MatrixError, Method } from "matrix-js-sdk";
import { decodeRecoveryKey } from "matrix-js-sdk/lib/crypto-api/index.js";
import type { SecretStorageCallbacks, SecretStorageKeyDescription } from "matrix-js-sdk/lib/secret-storage.js";

/** How long the device waits to see its own signature listed by the homeserver. */
const confirmWithinMs = 30_000;

/**
 * Waits for the key-backup check the Rust crypto starts in the background when it is created: stopping the client
 * while it runs makes it use the closed crypto (an unhandled "null pointer passed to rust").
 */
export async function cryptoSettled(client: MatrixClient): Promise<void> {
  await client
    .getCrypto()
    ?.checkKeyBackupAndEnable()
    .catch(() => null);
}

/** A start-up problem with the recovery key or the account's secret storage: the message says what to do. */
export class CrossSigningError extends Error {
  override name = "CrossSigningError";
}

/**
 * Decodes a recovery key as Element shows it (`EsT… …`); a malformed one is a {@link CrossSigningError} that never
 * repeats the key.
 */
export function decodeKey(recoveryKey: string): Uint8Array {
  try {
    return decodeRecoveryKey(recoveryKey.trim());
  } catch (err) {
    throw new CrossSigningError(
      `the Matrix recovery key (recoveryKey) is not a recovery key: ${(err as Error).message.toLowerCase()} (it looks like "EsTc 1234 …", 48 characters in groups of four)`,
    );
  }
}

/** The `getSecretStorageKey` callback matrix-js-sdk asks for a secret storage key: answered with `key`. */
export function secretStorageCallbacks(key: Uint8Array | undefined): SecretStorageCallbacks {
  if (!key) return {};
  return {
    getSecretStorageKey: async ({ keys }: { keys: Record<string, SecretStorageKeyDescription> }) => {
      const keyId = Object.keys(keys)[0];
      return keyId ? [keyId, key] : null;
    },
  };
}

/**
 * Checks that `key` opens the account's secret storage (before anything is signed); a {@link CrossSigningError}
 * says why not. Reads the account data from the homeserver when the client has not synced yet.
 */
export async function checkRecoveryKey(client: MatrixClient, key: Uint8Array): Promise<void> {
  const userId = client.getSafeUserId();
  const stored = await client.secretStorage.getKey();
  if (!stored) {
    throw new CrossSigningError(
      `${userId} has no secret storage, so a recovery key cannot open it: run "switchboard matrix setup-recovery" once to create it`,
    );
  }
  const [, info] = stored;
  if (!(await client.secretStorage.checkKey(key, info as Parameters<typeof client.secretStorage.checkKey>[1]))) {
    throw new CrossSigningError(
      `the Matrix recovery key (recoveryKey) does not open ${userId}'s secret storage: a wrong key, or the storage was set up again since (then use the new key)`,
    );
  }
}

/** Account data that secret storage and cross-signing read, which must be the homeserver's current one. */
const secretStorageTypes = [
  "m.secret_storage.default_key",
  "m.cross_signing.master",
  "m.cross_signing.self_signing",
  "m.cross_signing.user_signing",
];

async function fromServer(client: MatrixClient, type: string): Promise<unknown> {
  const path = `/user/${encodeURIComponent(client.getSafeUserId())}/account_data/${encodeURIComponent(type)}`;
  try {
    return await client.http.authedRequest(Method.Get, path);
  } catch (err) {
    if (err instanceof MatrixError && err.errcode === "M_NOT_FOUND") return null;
    throw err;
  }
}

/**
 * Waits until the synced account data of secret storage is the homeserver's: a resumed sync starts from the kept
 * state, which is older than a `setup-recovery --reset` done while the bot was away; the first sync brings the
 * change.
 */
async function currentAccountData(client: MatrixClient): Promise<void> {
  const wanted = await Promise.all(secretStorageTypes.map((type) => fromServer(client, type)));
  const deadline = Date.now() + confirmWithinMs;
  const same = () =>
    secretStorageTypes.every(
      (type, i) =>
        JSON.stringify(client.getAccountData(type as never)?.getContent() ?? null) === JSON.stringify(wanted[i]),
    );
  while (!same()) {
    if (Date.now() > deadline) {
      throw new CrossSigningError(
        `the Matrix sync did not bring the account's current secret storage within ${confirmWithinMs / 1000} s`,
      );
    }
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

/**
 * Signs the bot's device with the account's self-signing key from secret storage (importing the cross-signing keys
 * when this device does not have them yet), then waits until the device is listed as cross-signed by its owner.
 * Throws a {@link CrossSigningError} naming the cause when that cannot be done.
 */
export async function selfSign(client: MatrixClient, key: Uint8Array): Promise<void> {
  const crypto = client.getCrypto();
  if (!crypto) throw new CrossSigningError("recoveryKey needs encryption: true (the device keys are what gets signed)");
  const userId = client.getSafeUserId();
  const deviceId = client.getDeviceId()!;
  if (client.isInitialSyncComplete()) await currentAccountData(client);
  await checkRecoveryKey(client, key);
  // An up-to-date view of the account's published identity (a fresh key query for our own user), which the keys
  // in secret storage must match; the first sync may not have fetched it yet.
  if (!(await crypto.userHasCrossSigningKeys(userId, true))) {
    throw new CrossSigningError(
      `${userId} has secret storage but no published cross-signing keys: run "switchboard matrix setup-recovery --reset"`,
    );
  }
  await crypto.bootstrapCrossSigning({});
  // The identity is ours only when the device's private keys match the published ones: a device that kept keys of
  // an earlier identity (set up again with --reset meanwhile) keeps them, and matrix-js-sdk does not replace them.
  if (!(await crypto.isCrossSigningReady())) {
    throw new CrossSigningError(
      `the Matrix device ${deviceId} could not be cross-signed with ${userId}'s identity from secret storage: its stored keys belong to another identity (was setup-recovery run with --reset?); remove the adapter's dataDir so the bot starts as a new device`,
    );
  }
  // The signature is uploaded; the device's own view shows it once the homeserver's key list comes back.
  await crypto.userHasCrossSigningKeys(userId, true);
  const deadline = Date.now() + confirmWithinMs;
  while (!(await crypto.getDeviceVerificationStatus(userId, deviceId))?.crossSigningVerified) {
    if (Date.now() > deadline) {
      throw new CrossSigningError(
        `the Matrix device ${deviceId} was signed, but the homeserver did not list the signature within ${confirmWithinMs / 1000} s`,
      );
    }
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}
