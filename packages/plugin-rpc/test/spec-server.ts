/**
 * A ChatOps RPC server written for the tests from the protocol description alone (not @switchboard/rpc-server):
 * it checks the three Chatops-* headers against the public keys it is given and the URL it was told it is at, records
 * every request, and answers each method as the test says — including never, or with 50 MB.
 */
import { createVerify } from "node:crypto";
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";

/** What the server saw in one request. */
export interface SeenRequest {
  method: string;
  path: string;
  keyId: string;
  body: Record<string, unknown> | undefined;
}

/** How a method answers: JSON, or a raw behaviour. */
export type MethodBehaviour =
  | { json: unknown; status?: number }
  | { never: true }
  | { stall: true }
  | { bytes: number }
  | ((body: Record<string, unknown>) => { json: unknown; status?: number });

export interface SpecServer {
  url: string;
  listingUrl: string;
  requests: SeenRequest[];
  /** The listing document served at GET /_chatops. */
  listing: Record<string, unknown>;
  methods: Map<string, MethodBehaviour>;
  /** When true, every request is answered 503 (the endpoint is "down"). */
  down: boolean;
  /** Requests still open (never-answering methods), and whether their client went away. */
  hanging: Array<{ path: string; closed: boolean }>;
  close(): Promise<void>;
}

function readBody(request: IncomingMessage): Promise<string> {
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    request.on("data", (c: Buffer) => chunks.push(c));
    request.on("end", () => resolve(Buffer.concat(chunks).toString("utf8")));
  });
}

function verified(publicKeys: Record<string, string>, url: string, request: IncomingMessage, body: string) {
  const nonce = request.headers["chatops-nonce"];
  const timestamp = request.headers["chatops-timestamp"];
  const header = request.headers["chatops-signature"];
  if (typeof nonce !== "string" || typeof timestamp !== "string" || typeof header !== "string") return undefined;
  if (Math.abs(Date.parse(timestamp) - Date.now()) > 5 * 60_000) return undefined;
  const fields = Object.fromEntries(
    header
      .replace(/^Signature /, "")
      .split(",")
      .map((kv) => [kv.slice(0, kv.indexOf("=")), kv.slice(kv.indexOf("=") + 1)]),
  );
  const keyId = fields.keyid ?? "";
  const key = Object.hasOwn(publicKeys, keyId) ? publicKeys[keyId] : undefined;
  if (!key || !fields.signature) return undefined;
  const ok = createVerify("RSA-SHA256")
    .update(`${url}\n${nonce}\n${timestamp}\n${body}`)
    .verify(key, fields.signature, "base64");
  return ok ? keyId : undefined;
}

/** Starts a server accepting signatures by `publicKeys` (key id → PEM). */
export async function startSpecServer(publicKeys: Record<string, string>): Promise<SpecServer> {
  const state: Omit<SpecServer, "url" | "listingUrl" | "close"> = {
    requests: [],
    listing: { namespace: "ops", version: 3, methods: {} },
    methods: new Map(),
    down: false,
    hanging: [],
  };
  let origin = "";
  const server: Server = createServer(async (request: IncomingMessage, response: ServerResponse) => {
    const body = await readBody(request);
    const path = request.url ?? "/";
    const send = (status: number, json: unknown) =>
      response.writeHead(status, { "content-type": "application/json" }).end(JSON.stringify(json));
    if (state.down) return send(503, { error: { message: "down" } });
    const keyId = verified(publicKeys, origin + path, request, body);
    if (!keyId) return send(403, { jsonrpc: "2.0", id: null, error: { code: -32800, message: "Not authorized" } });
    const parsed = body ? (JSON.parse(body) as Record<string, unknown>) : undefined;
    state.requests.push({ method: request.method ?? "", path, keyId, body: parsed });
    if (request.method === "GET" && path === "/_chatops") return send(200, state.listing);
    const behaviour = state.methods.get(path.replace("/_chatops/", ""));
    if (!behaviour) return send(404, { jsonrpc: "2.0", error: { code: -32601, message: "Method not found" } });
    if (typeof behaviour === "function") {
      const answer = behaviour(parsed ?? {});
      return send(answer.status ?? 200, answer.json);
    }
    if ("never" in behaviour) {
      const entry = { path, closed: false };
      state.hanging.push(entry);
      response.on("close", () => {
        entry.closed = true;
      });
      return;
    }
    if ("stall" in behaviour) {
      // headers and the start of a body, then nothing
      response.writeHead(200, { "content-type": "application/json" });
      response.write('{"result": "partial');
      const entry = { path, closed: false };
      state.hanging.push(entry);
      response.on("close", () => {
        entry.closed = true;
      });
      return;
    }
    if ("bytes" in behaviour) {
      response.writeHead(200, { "content-type": "application/json" });
      const chunk = Buffer.alloc(64 * 1024, 0x61);
      let sent = 0;
      const pump = () => {
        while (sent < behaviour.bytes) {
          sent += chunk.length;
          if (!response.write(chunk)) return void response.once("drain", pump);
        }
        response.end();
      };
      response.on("error", () => undefined);
      pump();
      return;
    }
    return send(behaviour.status ?? 200, behaviour.json);
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return Object.assign(state, {
    url: origin,
    listingUrl: `${origin}/_chatops`,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  });
}
