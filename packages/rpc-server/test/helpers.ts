/**
 * Keys and a running service for the rpc-server tests.
 */
import { generateKeyPairSync } from "node:crypto";
import { readFileSync } from "node:fs";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { type ChatopsServer, chatopsHandler, type SigningKey, signRequest } from "../src/index.js";

const fixture = (name: string) => readFileSync(new URL(`./fixtures/${name}`, import.meta.url), "utf8");

/** The spec's example key pair (docs/example in github/chatops-controller). */
export const specKeys = { privateKey: fixture("spec-private-key.pem"), publicKey: fixture("spec-public-key.pem") };

/** A fresh 2048-bit RSA key pair in PEM. */
export function newKeyPair(): { privateKey: string; publicKey: string } {
  return generateKeyPairSync("rsa", {
    modulusLength: 2048,
    publicKeyEncoding: { type: "spki", format: "pem" },
    privateKeyEncoding: { type: "pkcs8", format: "pem" },
  });
}

/** Serves `service` on a free local port; `url` is its origin. */
export async function serve(service: ChatopsServer): Promise<{ url: string; server: Server; close(): Promise<void> }> {
  const server = createServer(chatopsHandler(service));
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return { url, server, close: () => new Promise((resolve) => server.close(() => resolve())) };
}

/** Sends a signed request (GET without body, POST with one), signing over `signedUrl` (default: the URL sent to). */
export async function signedFetch(
  url: string,
  key: SigningKey,
  options: { body?: unknown; signedUrl?: string; now?: Date; headers?: Record<string, string> } = {},
): Promise<{ status: number; json: Record<string, unknown>; headers: Record<string, string> }> {
  const body = options.body === undefined ? "" : JSON.stringify(options.body);
  const auth = signRequest(key, options.signedUrl ?? url, body, options.now);
  return send(url, body, { ...auth, ...options.headers });
}

/** Sends a request with exactly these headers. */
export async function send(
  url: string,
  body: string,
  headers: Record<string, string>,
): Promise<{ status: number; json: Record<string, unknown>; headers: Record<string, string> }> {
  const response = await fetch(url, {
    method: body ? "POST" : "GET",
    headers: { accept: "application/json", ...(body ? { "content-type": "application/json" } : {}), ...headers },
    body: body || undefined,
  });
  const text = await response.text();
  return { status: response.status, json: JSON.parse(text), headers: Object.fromEntries(response.headers) };
}
