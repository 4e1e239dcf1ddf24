/**
 * The bot's Matrix session (user id, device id, access token), kept after a password login: in the data folder, or
 * in the shared state store when several instances take turns on one device.
 * @module
 */
import type { AdapterStateStore } from "@switchboard/core";

/** What is kept after logging in. */
export interface Session {
  userId: string;
  deviceId: string;
  accessToken: string;
}

/** Reads the kept session, if there is one (the token is empty when it came from the configuration). */
export async function readSession(state: AdapterStateStore): Promise<Session | undefined> {
  const bytes = await state.read("session");
  if (!bytes) return undefined;
  const data = JSON.parse(Buffer.from(bytes).toString("utf8")) as Partial<Session>;
  if (!data.userId || !data.deviceId) return undefined;
  return { userId: data.userId, deviceId: data.deviceId, accessToken: data.accessToken ?? "" };
}

/** Keeps the session (atomically; a file is readable by the owner only). */
export async function writeSession(state: AdapterStateStore, session: Session): Promise<void> {
  await state.write("session", Buffer.from(`${JSON.stringify(session, null, 2)}\n`, "utf8"));
}
