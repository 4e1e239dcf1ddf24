/**
 * One-time set-up of a bot account's cross-signing identity and secret storage (`switchboard matrix
 * setup-recovery`): logs in as a short-lived device, creates a recovery key, secret storage opened by it and new
 * cross-signing keys stored in it, and returns the recovery key for the operator to keep (`MATRIX_RECOVERY_KEY`).
 * An account that already has cross-signing keys or secret storage is left alone unless `reset` is set: replacing
 * the identity makes everyone who verified the bot see it change.
 * @module
 */
import { ClientEvent, createClient, type MatrixClient, SyncState } from "matrix-js-sdk";
import type { GeneratedSecretStorageKey } from "matrix-js-sdk/lib/crypto-api/index.js";
import { quietCrypto, quietSdk } from "./client.js";
import { cryptoSettled } from "./cross-signing.js";

/** What {@link setupRecovery} needs: the bot account and its password (Synapse asks for it to upload the keys). */
export interface SetupRecoveryOptions {
  homeserver: string;
  userId: string;
  password: string;
  /** Replace an existing cross-signing identity and secret storage. Default false: refuse. */
  reset?: boolean;
}

/** The result of {@link setupRecovery}. */
export interface RecoverySetUp {
  /** The recovery key, as Element shows one: give it to the bot as `MATRIX_RECOVERY_KEY`; it is not kept anywhere. */
  recoveryKey: string;
  /** True when an earlier identity was replaced. */
  replaced: boolean;
}

/** The account already has an identity and `reset` was not given; nothing was changed. */
export class RecoveryExistsError extends Error {
  override name = "RecoveryExistsError";
}

async function loginDevice(options: SetupRecoveryOptions): Promise<MatrixClient> {
  const login = createClient({ baseUrl: options.homeserver.replace(/\/+$/, "") });
  const res = await login.loginRequest({
    type: "m.login.password",
    identifier: { type: "m.id.user", user: options.userId },
    password: options.password,
    initial_device_display_name: "Switchboard recovery set-up (logged out when done)",
  });
  // The secret storage key exists only once bootstrapSecretStorage made it; it is then handed back to store the
  // cross-signing keys in it.
  let key: Uint8Array | undefined;
  const client = createClient({
    baseUrl: options.homeserver.replace(/\/+$/, ""),
    userId: res.user_id,
    accessToken: res.access_token,
    deviceId: res.device_id,
    cryptoCallbacks: {
      getSecretStorageKey: async (request) => (key ? keyFor(request, key) : null),
      cacheSecretStorageKey: (_keyId, _info, privateKey) => {
        key = privateKey;
      },
    },
  });
  return client;
}

/** Starts the client and waits for its first sync (a failure to sync is an error, not a wait forever). */
async function synced(client: MatrixClient): Promise<void> {
  const ready = new Promise<void>((resolve, reject) => {
    const onSync = (state: SyncState, _previous: SyncState | null, data?: { error?: Error }) => {
      if (state === SyncState.Prepared) resolve();
      else if (state === SyncState.Error) reject(data?.error ?? new Error("the first sync with the homeserver failed"));
      else return;
      client.off(ClientEvent.Sync, onSync);
    };
    client.on(ClientEvent.Sync, onSync);
  });
  await client.startClient({ initialSyncLimit: 0 });
  await ready;
}

/** Answers a secret-storage key request with `key` for the first key asked about. */
function keyFor(request: { keys: Record<string, unknown> }, key: Uint8Array): [string, Uint8Array] | null {
  const keyId = Object.keys(request.keys)[0];
  return keyId ? [keyId, key] : null;
}

/**
 * Creates cross-signing keys and secret storage for the bot account and returns the new recovery key. Refuses with
 * a {@link RecoveryExistsError} when the account has either already, unless `reset`. The short-lived device it logs
 * in with is logged out again, whatever happens.
 */
export async function setupRecovery(options: SetupRecoveryOptions): Promise<RecoverySetUp> {
  quietSdk();
  quietCrypto();
  const client = await loginDevice(options);
  try {
    // Secret storage waits for its account data to come back through the sync: the client must be syncing.
    await client.initRustCrypto({ useIndexedDB: false });
    await synced(client);
    const userId = client.getSafeUserId();
    const keys = await client.downloadKeysForUsers([userId]);
    const hasIdentity = Boolean(keys.master_keys?.[userId]);
    const hasStorage = (await client.secretStorage.getDefaultKeyId()) !== null;
    if ((hasIdentity || hasStorage) && !options.reset) {
      const what = [hasIdentity ? "cross-signing keys" : "", hasStorage ? "secret storage" : ""].filter(Boolean);
      throw new RecoveryExistsError(
        `${userId} already has ${what.join(" and ")}; nothing was changed. Start the bot with its recovery key (MATRIX_RECOVERY_KEY). Setting up again replaces the bot's identity: everyone who verified it sees it change and its old recovery key stops working. If that is what you want, run again with --reset`,
      );
    }
    const crypto = client.getCrypto()!;
    const generated: GeneratedSecretStorageKey = await crypto.createRecoveryKeyFromPassphrase();
    await crypto.bootstrapSecretStorage({ createSecretStorageKey: async () => generated, setupNewSecretStorage: true });
    await crypto.bootstrapCrossSigning({
      setupNewCrossSigning: true,
      authUploadDeviceSigningKeys: (makeRequest) =>
        makeRequest({
          type: "m.login.password",
          identifier: { type: "m.id.user", user: options.userId },
          password: options.password,
        }),
    });
    // The keys are published (the upload would have thrown); what was stored in secret storage comes back through
    // the sync: wait until all three keys are there under the new key. (The bot's start checks the rest: the keys
    // in secret storage match the published identity and sign its device.)
    const published = async () => {
      const now = (await client.downloadKeysForUsers([userId])).master_keys?.[userId];
      return now !== undefined && JSON.stringify(now) !== JSON.stringify(keys.master_keys?.[userId]);
    };
    const ready = async () => (await crypto.getCrossSigningStatus()).privateKeysInSecretStorage && (await published());
    const deadline = Date.now() + 30_000;
    while (!(await ready())) {
      if (Date.now() > deadline)
        throw new Error(
          `the cross-signing keys of ${userId} were created but are not in secret storage; run again with --reset`,
        );
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
    return { recoveryKey: generated.encodedPrivateKey!, replaced: hasIdentity || hasStorage };
  } finally {
    await cryptoSettled(client);
    client.stopClient();
    await client.logout(true).catch(() => {});
  }
}
