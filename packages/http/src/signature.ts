/**
 * GitHub-style signatures (`X-Hub-Signature-256: sha256=<hex>`): the header's format is read here, the check is
 * core's (the same as plugins' routes use), over the exact body bytes and in constant time.
 * @module
 */
import { hmacMatches } from "@switchboard/core";

/**
 * Whether `header` is `sha256=<hex>` of the HMAC-SHA256 of `body` with `secret` (GitHub's X-Hub-Signature-256).
 * Computed over the raw bytes, never a re-serialised JSON.
 */
export function verifyHmacSha256(secret: string, body: Buffer, header: string | undefined): boolean {
  const match = /^sha256=([0-9a-f]{64})$/i.exec(header?.trim() ?? "");
  return match !== null && hmacMatches(body, { signatures: [match[1]!], secrets: [secret] });
}
