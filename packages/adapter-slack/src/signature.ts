/**
 * Slack's request signatures (Events API, slash commands and interactivity over HTTP): `v0=` + HMAC-SHA256 of
 * `v0:<timestamp>:<raw body>` with the app's signing secret, compared in constant time, with a five-minute window
 * against replays.
 * @module
 */
import { createHmac, timingSafeEqual } from "node:crypto";

/** How far a request's timestamp may be from now (Slack's recommendation). */
export const signatureWindowSeconds = 5 * 60;

/** The signature Slack would send for `body` at `timestamp`. */
export function signRequest(secret: string, timestamp: string, body: Buffer | string): string {
  const hmac = createHmac("sha256", secret);
  hmac.update(`v0:${timestamp}:`);
  hmac.update(body);
  return `v0=${hmac.digest("hex")}`;
}

/** Why a request was refused, or undefined when its signature is good and fresh. */
export function checkSignature(
  secret: string,
  headers: Record<string, string | undefined>,
  rawBody: Buffer,
  nowSeconds: number = Date.now() / 1000,
): string | undefined {
  const timestamp = headers["x-slack-request-timestamp"];
  const signature = headers["x-slack-signature"];
  if (!timestamp || !signature) return "missing signature headers";
  if (!/^\d{1,12}$/.test(timestamp)) return "bad timestamp";
  if (Math.abs(nowSeconds - Number(timestamp)) > signatureWindowSeconds) return "timestamp outside the 5-minute window";
  const expected = Buffer.from(signRequest(secret, timestamp, rawBody));
  const given = Buffer.from(signature);
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) return "signature mismatch";
  return undefined;
}
