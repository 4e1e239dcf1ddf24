/**
 * Checks a signed ChatOps RPC request, stricter than the Ruby server: the URL is rebuilt from configured base URLs
 * (never from the Host header), the timestamp must be within ±5 minutes, the key is chosen by `keyid`, and a nonce
 * is accepted once within its window.
 * @module
 */
import { createPublicKey, type KeyObject } from "node:crypto";
import { JSONRPC_ERRORS, type JsonRpcErrorKind } from "./errors.js";
import { NonceCache } from "./nonce-cache.js";
import { parseSignatureHeader, signingString, verifyString } from "./signing.js";

/** Options of a {@link RequestVerifier}. */
export interface VerifierOptions {
  /**
   * The base URLs clients use to reach this service, as they sign them (`https://ops.example.com`). The signed URL
   * is a base URL followed by the request path; requests for any other host or scheme fail to verify.
   */
  baseUrls: string[];
  /**
   * Client public keys (PEM) by key id, as clients send it in `keyid=`. Two ids let a client roll its key: add the
   * new one, switch the client, remove the old one.
   */
  publicKeys: Record<string, string | KeyObject>;
  /** Allowed clock difference in ms (default 5 minutes). */
  allowedSkewMs?: number;
  /** The clock (for tests). */
  now?: () => number;
}

/** What a request carries that the check needs. Header names are matched without regard to case. */
export interface SignedRequest {
  /** The request path as received (`/_chatops/restart`); a query string is ignored. */
  path: string;
  headers: Record<string, string | string[] | undefined>;
  /** The raw body, exactly as received (empty for a GET). */
  body: string;
}

/** The outcome of {@link RequestVerifier.verify}. */
export type Verification =
  | { ok: true; keyId: string }
  | { ok: false; kind: JsonRpcErrorKind; code: number; status: number; message: string };

const ISO_UTC = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,9})?(Z|[+-]00:?00)$/;
const NONCE = /^[A-Za-z0-9+/=_-]{8,256}$/;

function header(headers: SignedRequest["headers"], name: string): string | undefined {
  const lower = name.toLowerCase();
  for (const key of Object.keys(headers)) {
    if (key.toLowerCase() !== lower) continue;
    const value = headers[key];
    return Array.isArray(value) ? value[0] : value;
  }
  return undefined;
}

function refuse(kind: JsonRpcErrorKind, message?: string): Verification {
  const known = JSONRPC_ERRORS[kind];
  return { ok: false, kind, code: known.code, status: known.status, message: message ?? known.message };
}

/** Verifies signed requests against configured keys, keeping the nonces it has accepted. */
export class RequestVerifier {
  readonly #baseUrls: string[];
  readonly #keys = new Map<string, KeyObject>();
  readonly #skewMs: number;
  readonly #now: () => number;
  readonly #nonces = new NonceCache();

  constructor(options: VerifierOptions) {
    if (options.baseUrls.length === 0) throw new Error("rpc-server: at least one base URL is needed");
    this.#baseUrls = options.baseUrls.map((url) => {
      const parsed = new URL(url);
      if (parsed.search || parsed.hash) throw new Error(`rpc-server: base URL ${url} must not have a query or hash`);
      return url.replace(/\/+$/, "");
    });
    for (const [keyId, key] of Object.entries(options.publicKeys)) {
      if (!/^[A-Za-z0-9._-]{1,64}$/.test(keyId)) throw new Error(`rpc-server: key id "${keyId}" is not a slug`);
      this.#keys.set(keyId, typeof key === "string" ? createPublicKey(key) : key);
    }
    if (this.#keys.size === 0) throw new Error("rpc-server: at least one client public key is needed");
    this.#skewMs = options.allowedSkewMs ?? 5 * 60_000;
    this.#now = options.now ?? Date.now;
  }

  /** How many nonces are remembered now. */
  get remembered(): number {
    return this.#nonces.size;
  }

  /**
   * Checks timestamp, nonce, signature header, key id and signature; on success records the nonce so the same
   * request is refused if it comes again.
   */
  verify(request: SignedRequest): Verification {
    const now = this.#now();
    const timestamp = header(request.headers, "Chatops-Timestamp");
    const time = timestamp && ISO_UTC.test(timestamp) ? Date.parse(timestamp) : Number.NaN;
    if (!Number.isFinite(time)) return refuse("invalidTimestamp", `Invalid Chatops-Timestamp: ${timestamp ?? ""}`);
    if (Math.abs(time - now) > this.#skewMs) {
      const minutes = Math.round(this.#skewMs / 60_000);
      return refuse(
        "timestampSkew",
        `Chatops timestamp not within ${minutes} minutes of server time: ${timestamp} vs ${new Date(now).toISOString()}`,
      );
    }
    const nonce = header(request.headers, "Chatops-Nonce");
    if (!nonce) return refuse("missingNonce");
    if (!NONCE.test(nonce)) return refuse("notAuthorized", "Not authorized: malformed nonce");
    const parsed = parseSignatureHeader(header(request.headers, "Chatops-Signature"));
    if (!parsed) return refuse("badSignatureHeader");
    const key = parsed.keyId === undefined ? undefined : this.#keys.get(parsed.keyId);
    if (!key) {
      return refuse("notAuthorized", "Not authorized: unknown keyid");
    }
    const path = request.path.split("?")[0]!;
    const signedBy = this.#baseUrls.some((base) =>
      verifyString(key, signingString(base + path, nonce, timestamp!, request.body), parsed.signature),
    );
    if (!signedBy) return refuse("notAuthorized");
    if (!this.#nonces.remember(nonce, time + this.#skewMs, now)) {
      return refuse("notAuthorized", "Not authorized: this nonce was already used");
    }
    return { ok: true, keyId: parsed.keyId! };
  }
}
