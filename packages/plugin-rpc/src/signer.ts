/**
 * Signs ChatOps RPC requests: RSA-SHA256 over `url\nnonce\ntimestamp\nbody` with a fresh 32-byte nonce.
 * @module
 */
import { createPrivateKey, createSign, type KeyObject, randomBytes } from "node:crypto";
import { readFileSync } from "node:fs";

/** A loaded client key. */
export interface ClientKey {
  id: string;
  key: KeyObject;
}

/** Reads a PEM private key; throws naming the file and what is wrong, never the key. */
export function loadClientKey(id: string, file: string): ClientKey {
  let pem: string;
  try {
    pem = readFileSync(file, "utf8");
  } catch (error) {
    throw new Error(`rpc: key "${id}": cannot read ${file}: ${(error as NodeJS.ErrnoException).code ?? error}`);
  }
  let key: KeyObject;
  try {
    key = createPrivateKey(pem);
  } catch {
    throw new Error(`rpc: key "${id}": ${file} is not a PEM private key`);
  }
  if (key.asymmetricKeyType !== "rsa") throw new Error(`rpc: key "${id}": ${file} is not an RSA key`);
  return { id, key };
}

/** The signing string of the protocol. */
export const signingString = (url: string, nonce: string, timestamp: string, body: string) =>
  `${url}\n${nonce}\n${timestamp}\n${body}`;

/** The base64 RSA-SHA256 signature of `text`. */
export const signString = (key: ClientKey, text: string): string =>
  createSign("RSA-SHA256").update(text, "utf8").sign(key.key, "base64");

/** The three `Chatops-*` headers for one request to `url` with `body` (empty for a GET). */
export function authHeaders(key: ClientKey, url: string, body: string, now = new Date()): Record<string, string> {
  const nonce = randomBytes(32).toString("base64");
  const timestamp = `${now.toISOString().slice(0, 19)}Z`;
  const signature = signString(key, signingString(url, nonce, timestamp, body));
  return {
    "Chatops-Nonce": nonce,
    "Chatops-Timestamp": timestamp,
    "Chatops-Signature": `Signature keyid=${key.id},signature=${signature}`,
  };
}
