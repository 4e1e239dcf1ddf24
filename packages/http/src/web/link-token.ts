/**
 * Signed, expiring links to the web view: `<payload>.<signature>`, both base64url. The payload says what the link
 * shows (kind and target or filters), for whom (the principal who asked) and until when; the signature is
 * HMAC-SHA256 over the payload text with the configured key, compared in constant time.
 * @module
 */
import { createHmac, timingSafeEqual } from "node:crypto";
import type { WebLinkRequest } from "@switchboard/core/app";
import { z } from "zod";

/** A verified link: what it shows, for whom, until when. */
export interface LinkGrant {
  request: WebLinkRequest;
  principal: string;
  /** Unix time (ms) after which the link is refused. */
  expiresAt: number;
}

const filtersSchema = z
  .object({
    actor: z.string().max(200).optional(),
    command: z.string().max(100).optional(),
    outcome: z.string().max(20).optional(),
    jobId: z.string().max(40).optional(),
  })
  .strict();

const payloadSchema = z
  .object({
    v: z.literal(1),
    r: z.discriminatedUnion("kind", [
      z.object({ kind: z.literal("job"), jobId: z.string().min(1).max(40) }).strict(),
      z.object({ kind: z.literal("audit"), filters: filtersSchema }).strict(),
      z.object({ kind: z.literal("approvals") }).strict(),
    ]),
    p: z.string().min(1).max(200),
    e: z.number().int().positive(),
  })
  .strict();

const TOKEN = /^([A-Za-z0-9_-]{1,4000})\.([A-Za-z0-9_-]{43})$/;
/** Domain separation: the key signs nothing else with this prefix. */
const CONTEXT = "switchboard web link v1\u0000";

function sign(key: string, payload: string): Buffer {
  return createHmac("sha256", key).update(CONTEXT).update(payload).digest();
}

/** A token for `request`, bound to `principal`, valid until `expiresAt` (ms). */
export function signLink(key: string, request: WebLinkRequest, principal: string, expiresAt: number): string {
  const payload = Buffer.from(JSON.stringify({ v: 1, r: request, p: principal, e: expiresAt })).toString("base64url");
  return `${payload}.${sign(key, payload).toString("base64url")}`;
}

/** Why a token was refused (for the log; the page says only "forbidden"). */
export type LinkProblem = "malformed" | "bad-signature" | "expired";

/** The grant of a token signed with `key` and not expired at `now`, or why not. */
export function verifyLink(
  key: string,
  token: string | undefined,
  now = Date.now(),
): { ok: true; grant: LinkGrant } | { ok: false; problem: LinkProblem } {
  const match = TOKEN.exec(token ?? "");
  if (!match) return { ok: false, problem: "malformed" };
  const given = Buffer.from(match[2]!, "base64url");
  const expected = sign(key, match[1]!);
  if (given.length !== expected.length || !timingSafeEqual(given, expected))
    return { ok: false, problem: "bad-signature" };
  let parsed: z.infer<typeof payloadSchema>;
  try {
    parsed = payloadSchema.parse(JSON.parse(Buffer.from(match[1]!, "base64url").toString("utf8")));
  } catch {
    return { ok: false, problem: "malformed" };
  }
  if (parsed.e <= now) return { ok: false, problem: "expired" };
  return { ok: true, grant: { request: parsed.r as WebLinkRequest, principal: parsed.p, expiresAt: parsed.e } };
}
