/**
 * Logging in and creating the matrix-js-sdk client over the persisted stores.
 * @module
 */
import { LoggerLevel, Tracing } from "@matrix-org/matrix-sdk-crypto-wasm";
import type { AdapterStateStore, Logger } from "@switchboard/core";
import { createClient, IndexedDBStore, type MatrixClient } from "matrix-js-sdk";
import { logger as sdkLogger } from "matrix-js-sdk/lib/logger.js";
import { secretStorageCallbacks } from "./cross-signing.js";
import { IdbSnapshot } from "./idb-snapshot.js";
import type { MatrixOptions } from "./matrix-adapter.js";
import { readSession, type Session, writeSession } from "./session.js";

/** Database name of the sync store inside the snapshot. */
const syncDbName = "switchboard-sync";

const sdkLevels: Record<string, number> = { trace: 0, debug: 1, info: 2, log: 2, warn: 3, error: 4, silent: 5 };
let sdkQuieted = false;

/**
 * The SDK logs a lot to the console; silent unless asked (`SWITCHBOARD_MATRIX_SDK_LOG=warn`, `debug`…). Its loggers
 * are loglevel loggers that copy their parent's method factory, so filtering at the root logger covers them all.
 */
export function quietSdk(): void {
  if (sdkQuieted) return;
  sdkQuieted = true;
  const threshold = sdkLevels[process.env.SWITCHBOARD_MATRIX_SDK_LOG ?? "silent"] ?? 5;
  type Factory = (method: string, level: number, name: string) => (...args: unknown[]) => void;
  const root = sdkLogger as unknown as { methodFactory: Factory; rebuild(): void };
  const original = root.methodFactory;
  root.methodFactory = (method, level, name) =>
    (sdkLevels[method] ?? 2) >= threshold ? original(method, level, name) : () => {};
  root.rebuild();
}

let cryptoQuieted = false;

/**
 * initRustCrypto turns the Rust library's debug tracing on (to stdout) every time; keep warnings and errors only
 * (`SWITCHBOARD_MATRIX_SDK_LOG=debug` keeps everything). Call before initRustCrypto.
 */
export function quietCrypto(): void {
  if (cryptoQuieted || process.env.SWITCHBOARD_MATRIX_SDK_LOG === "debug") return;
  cryptoQuieted = true;
  const proto = Tracing.prototype as unknown as { turnOn(): void; minLevel: LoggerLevel };
  const turnOn = proto.turnOn;
  proto.turnOn = function (this: typeof proto) {
    turnOn.call(this);
    this.minLevel = LoggerLevel.Warn;
  };
}

/** A connected client and what it owns. */
export interface ClientBundle {
  client: MatrixClient;
  session: Session;
  snapshot: IdbSnapshot;
  syncStore: IndexedDBStore;
  /** True when no sync state was restored (the first start of this device). */
  fresh: boolean;
}

async function passwordLogin(options: MatrixOptions): Promise<Session> {
  const client = createClient({ baseUrl: options.homeserver });
  const res = await client.loginRequest({
    type: "m.login.password",
    identifier: { type: "m.id.user", user: options.userId },
    password: options.password!,
    initial_device_display_name: options.deviceName,
  });
  return { userId: res.user_id, deviceId: res.device_id, accessToken: res.access_token };
}

/** Logs a device out, ignoring failures (it may be gone already). */
async function retire(options: MatrixOptions, session: Session, logger: Logger): Promise<void> {
  const client = createClient({ baseUrl: options.homeserver, accessToken: session.accessToken });
  await client.logout().catch((err: unknown) => logger.debug({ err }, "logging the old device out failed"));
}

/**
 * Finds the session to use: the configured access token, or the kept one, or a new password login. The token,
 * device id and crypto snapshot belong together: when the snapshot of an encrypted session is lost, the old device
 * is logged out and a new one created (reusing a device id with new keys breaks decryption for others).
 */
async function resolveSession(options: MatrixOptions, snapshot: IdbSnapshot, logger: Logger): Promise<Session> {
  const state = snapshot.state;
  const saved = await readSession(state);
  if (options.accessToken) {
    let deviceId = options.deviceId;
    if (!deviceId) {
      const probe = createClient({ baseUrl: options.homeserver, accessToken: options.accessToken });
      deviceId = (await probe.whoami()).device_id;
    }
    if (!deviceId) throw new Error("the homeserver did not say which device the access token belongs to; set deviceId");
    const session = { userId: options.userId, deviceId, accessToken: options.accessToken };
    if (saved && saved.deviceId !== deviceId) await snapshot.discard();
    await writeSession(state, { ...session, accessToken: "" });
    return session;
  }
  if (saved?.accessToken && saved.userId === options.userId) {
    if (!options.encryption || (await snapshot.exists())) return saved;
    logger.warn({ deviceId: saved.deviceId }, "the encryption keys of the kept Matrix device are gone; new device");
    await retire(options, saved, logger);
  }
  await snapshot.discard();
  const session = await passwordLogin(options);
  await writeSession(state, session);
  logger.info(
    { deviceId: session.deviceId, where: state.where },
    "logged in to Matrix with the password; session kept",
  );
  return session;
}

/**
 * Restores the stores from `state` (the session and the snapshot of the crypto and sync stores), logs in, and creates
 * the client (with Rust crypto when encryption is on). `recoveryKey` is the decoded recovery key that opens the
 * account's secret storage (see cross-signing.ts).
 */
export async function openClient(
  options: MatrixOptions,
  logger: Logger,
  state: AdapterStateStore,
  recoveryKey?: Uint8Array,
): Promise<ClientBundle> {
  quietSdk();
  const snapshot = new IdbSnapshot(state, (err) => logger.error({ err }, "could not save the Matrix store"));
  const session = await resolveSession(options, snapshot, logger);
  snapshot.install();
  await snapshot.restore();
  const syncStore = new IndexedDBStore({
    indexedDB: snapshot.factory as unknown as ConstructorParameters<typeof IndexedDBStore>[0]["indexedDB"],
    dbName: syncDbName,
  });
  await syncStore.startup();
  const fresh = (await syncStore.getSavedSyncToken()) === null;
  const fetchFn: typeof fetch = async (input, init) => {
    // Whatever the crypto or sync store wrote must be kept before the homeserver hears about it: when it cannot be
    // (a full disk; with several instances, this one no longer holds the device) the request is not sent.
    await snapshot.flush().catch((err: unknown) => {
      logger.error({ err }, "could not save the Matrix store; the request to the homeserver is not sent");
      throw err;
    });
    return fetch(input, init);
  };
  const client = createClient({
    baseUrl: options.homeserver,
    userId: session.userId,
    accessToken: session.accessToken,
    deviceId: session.deviceId,
    store: syncStore,
    fetchFn,
    useAuthorizationHeader: true,
    cryptoCallbacks: secretStorageCallbacks(recoveryKey),
  });
  if (options.encryption) {
    quietCrypto();
    await client.initRustCrypto({
      useIndexedDB: true,
      ...(options.storePassphrase ? { storagePassword: options.storePassphrase } : {}),
    });
  }
  return { client, session, snapshot, syncStore, fresh };
}
