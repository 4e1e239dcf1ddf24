/**
 * ChatOps RPC request signing (protocol v3): RSA-SHA256 over `url\nnonce\ntimestamp\nbody`, carried in the
 * `Chatops-Nonce`, `Chatops-Timestamp` and `Chatops-Signature: Signature keyid=…,signature=…` headers.
 * @module
 */
import { createSign, createVerify, type KeyObject, randomBytes } from "node:crypto";

/** The string both sides sign: the full URL, the nonce, the timestamp and the body (empty for a GET), one per line. */
export function signingString(url: string, nonce: string, timestamp: string, body: string): string {
  return `${url}\n${nonce}\n${timestamp}\n${body}`;
}

/** A private key (PEM text or a KeyObject) with the id servers use to pick the matching public key. */
export interface SigningKey {
  keyId: string;
  privateKey: string | KeyObject;
}

/** The three authentication headers of one request. */
export type ChatopsAuthHeaders = Record<"Chatops-Nonce" | "Chatops-Timestamp" | "Chatops-Signature", string>;

/** Base64 RSA-SHA256 signature of `text`. */
export function signString(privateKey: string | KeyObject, text: string): string {
  return createSign("RSA-SHA256").update(text, "utf8").sign(privateKey, "base64");
}

/** Whether `signature` (base64) is an RSA-SHA256 signature of `text` by the holder of `publicKey`. Never throws. */
export function verifyString(publicKey: string | KeyObject, text: string, signature: string): boolean {
  try {
    return createVerify("RSA-SHA256").update(text, "utf8").verify(publicKey, signature, "base64");
  } catch {
    return false;
  }
}

/** ISO 8601 UTC without milliseconds, as the spec shows: `2017-05-11T19:15:23Z`. */
export function chatopsTimestamp(date: Date = new Date()): string {
  return `${date.toISOString().slice(0, 19)}Z`;
}

/**
 * Signs one request: a fresh 32-byte nonce, the current time, and the signature of `url`, nonce, time and `body`.
 * `url` must be the exact URL requested (scheme, host, port and path), as the server rebuilds it.
 */
export function signRequest(key: SigningKey, url: string, body: string, now: Date = new Date()): ChatopsAuthHeaders {
  const nonce = randomBytes(32).toString("base64");
  const timestamp = chatopsTimestamp(now);
  const signature = signString(key.privateKey, signingString(url, nonce, timestamp, body));
  return {
    "Chatops-Nonce": nonce,
    "Chatops-Timestamp": timestamp,
    "Chatops-Signature": `Signature keyid=${key.keyId},signature=${signature}`,
  };
}

/** The parts of a `Chatops-Signature` header. */
export interface ParsedSignature {
  keyId: string | undefined;
  signature: string;
}

/**
 * Parses `Signature keyid=…,signature=…` (keys lower-case, as the spec requires). Returns undefined when the
 * header is missing, does not start with `Signature `, or has no signature.
 */
export function parseSignatureHeader(header: string | undefined): ParsedSignature | undefined {
  if (!header) return undefined;
  const match = /^Signature\s+(.+)$/.exec(header.trim());
  if (!match) return undefined;
  let keyId: string | undefined;
  let signature: string | undefined;
  for (const item of match[1]!.split(",")) {
    const eq = item.indexOf("=");
    if (eq < 0) continue;
    const name = item.slice(0, eq).trim();
    const value = item.slice(eq + 1).trim();
    if (name === "keyid") keyId = value;
    else if (name === "signature") signature = value;
  }
  if (!signature || !/^[A-Za-z0-9+/]+={0,2}$/.test(signature)) return undefined;
  return { keyId, signature };
}
