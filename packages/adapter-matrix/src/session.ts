/**
 * The bot's Matrix session (user id, device id, access token), kept in the data folder after a password login.
 * @module
 */
import { existsSync, readFileSync, renameSync, writeFileSync } from "node:fs";

/** What is kept after logging in. */
export interface Session {
  userId: string;
  deviceId: string;
  accessToken: string;
}

/** Reads the session file, if there is one (the token is empty when it came from the configuration). */
export function readSession(file: string): Session | undefined {
  if (!existsSync(file)) return undefined;
  const data = JSON.parse(readFileSync(file, "utf8")) as Partial<Session>;
  if (!data.userId || !data.deviceId) return undefined;
  return { userId: data.userId, deviceId: data.deviceId, accessToken: data.accessToken ?? "" };
}

/** Writes the session file atomically, readable by the owner only. */
export function writeSession(file: string, session: Session): void {
  const tmp = `${file}.tmp`;
  writeFileSync(tmp, `${JSON.stringify(session, null, 2)}\n`, { mode: 0o600 });
  renameSync(tmp, file);
}
