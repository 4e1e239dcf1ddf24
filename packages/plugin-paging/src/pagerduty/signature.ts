/**
 * PagerDuty v3 webhook signatures: `X-PagerDuty-Signature: v1=<hex>[,v1=<hex>…]`, each an HMAC-SHA256 of the raw
 * body with one of the subscription's secrets (several while a secret is being rotated).
 * @module
 */
import { createHmac, timingSafeEqual } from "node:crypto";

/** The `v1=` signatures of a header value (lower-case hex, other versions ignored). */
export function signaturesOf(header: string | undefined): Buffer[] {
  if (!header) return [];
  return header
    .split(",")
    .map((part) => part.trim())
    .filter((part) => /^v1=[0-9a-fA-F]{64}$/.test(part))
    .map((part) => Buffer.from(part.slice(3).toLowerCase(), "hex"));
}

/** The `v1=` signature PagerDuty would send for `body` with `secret`. */
export function signBody(body: Buffer | string, secret: string): string {
  return `v1=${createHmac("sha256", secret).update(body).digest("hex")}`;
}

/** True when any signature in the header matches the body under any of the secrets (constant-time compares). */
export function verifySignature(rawBody: Buffer, header: string | undefined, secrets: readonly string[]): boolean {
  const given = signaturesOf(header);
  if (given.length === 0) return false;
  let ok = false;
  for (const secret of secrets) {
    const expected = createHmac("sha256", secret).update(rawBody).digest();
    for (const signature of given) if (timingSafeEqual(signature, expected)) ok = true;
  }
  return ok;
}
