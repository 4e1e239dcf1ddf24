/**
 * Authentication of webhook deliveries, for the HTTP endpoint and for plugins' routes alike: HMAC-SHA256 signatures
 * over the exact body bytes (several secrets while one is rotated), and bearer tokens, compared in constant time.
 * @module
 */
import { createHash, createHmac, timingSafeEqual } from "node:crypto";

const HEX_SHA256 = /^[0-9a-fA-F]{64}$/;

/** The HMAC-SHA256 of `body` under `secret`, as lower-case hex (what a sender puts in its signature header). */
export function hmacSha256Hex(secret: string, body: Buffer | string): string {
  return createHmac("sha256", secret).update(body).digest("hex");
}

/** What {@link hmacMatches} compares: the hex signatures a delivery carries and the secrets that may have made them. */
export interface HmacCheck {
  /** Hex signatures from the delivery's header (anything that is not 64 hex digits never matches). */
  signatures: readonly string[];
  /** The configured secrets (more than one while a secret is being rotated). */
  secrets: readonly string[];
}

/**
 * Whether any signature is the HMAC-SHA256 of the raw `body` under any secret. Computed over the bytes as received
 * (never a re-serialised JSON); every pair is compared with `timingSafeEqual`, so timing tells nothing.
 */
export function hmacMatches(body: Buffer, { signatures, secrets }: HmacCheck): boolean {
  const given = signatures.filter((s) => HEX_SHA256.test(s)).map((s) => Buffer.from(s, "hex"));
  let ok = false;
  for (const secret of secrets) {
    const expected = createHmac("sha256", secret).update(body).digest();
    for (const signature of given) if (timingSafeEqual(signature, expected)) ok = true;
  }
  return ok;
}

/** Whether an `Authorization` header carries `Bearer <token>` (digests compared, so length leaks nothing). */
export function bearerMatches(header: string | undefined, token: string): boolean {
  const match = /^Bearer\s+(\S+)\s*$/i.exec(header ?? "");
  if (!match) return false;
  const digest = (text: string) => createHash("sha256").update(text).digest();
  return timingSafeEqual(digest(match[1]!), digest(token));
}
