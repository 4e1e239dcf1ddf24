/**
 * Authentication of deliveries: HMAC-SHA256 signatures over the exact body bytes, and bearer tokens, both compared
 * in constant time.
 * @module
 */
import { createHash, createHmac, timingSafeEqual } from "node:crypto";

/**
 * Whether `header` is `sha256=<hex>` of the HMAC-SHA256 of `body` with `secret` (GitHub's X-Hub-Signature-256).
 * Computed over the raw bytes, never a re-serialised JSON, and compared with `timingSafeEqual`.
 */
export function verifyHmacSha256(secret: string, body: Buffer, header: string | undefined): boolean {
  const match = /^sha256=([0-9a-f]{64})$/i.exec(header?.trim() ?? "");
  if (!match) return false;
  const expected = createHmac("sha256", secret).update(body).digest();
  return timingSafeEqual(Buffer.from(match[1]!, "hex"), expected);
}

/** Whether an `Authorization` header carries `Bearer <token>` (digests compared, so length leaks nothing). */
export function verifyBearer(token: string, header: string | undefined): boolean {
  const match = /^Bearer\s+(\S+)\s*$/i.exec(header ?? "");
  if (!match) return false;
  const digest = (text: string) => createHash("sha256").update(text).digest();
  return timingSafeEqual(digest(match[1]!), digest(token));
}
