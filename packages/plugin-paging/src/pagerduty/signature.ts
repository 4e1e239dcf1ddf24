/**
 * PagerDuty v3 webhook signatures: `X-PagerDuty-Signature: v1=<hex>[,v1=<hex>…]`, each an HMAC-SHA256 of the raw
 * body with one of the subscription's secrets (several while a secret is being rotated). Only the header's format is
 * PagerDuty's: the check itself is core's, the same as the HTTP endpoint's.
 * @module
 */
import { hmacMatches, hmacSha256Hex } from "@switchboard/core";

/** The `v1=` signatures of a header value, as hex (other versions ignored). */
export function signaturesOf(header: string | undefined): string[] {
  if (!header) return [];
  return header
    .split(",")
    .map((part) => part.trim())
    .filter((part) => /^v1=[0-9a-fA-F]{64}$/.test(part))
    .map((part) => part.slice(3).toLowerCase());
}

/** The `v1=` signature PagerDuty would send for `body` with `secret`. */
export function signBody(body: Buffer | string, secret: string): string {
  return `v1=${hmacSha256Hex(secret, body)}`;
}

/** True when any signature in the header matches the body under any of the secrets (constant-time compares). */
export function verifySignature(rawBody: Buffer, header: string | undefined, secrets: readonly string[]): boolean {
  return hmacMatches(rawBody, { signatures: signaturesOf(header), secrets });
}
