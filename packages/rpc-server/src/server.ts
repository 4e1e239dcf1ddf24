/**
 * A ChatOps RPC service, independent of any HTTP framework: the listing on GET of the base path, methods on POST of
 * `<base path>/<method>`, every request verified first.
 * @module
 */
import { ChatopsError, JSONRPC_ERRORS, type JsonRpcErrorKind } from "./errors.js";
import { type ChatopsAnswer, groupNames, type MethodDefinition } from "./method.js";
import { RequestVerifier, type VerifierOptions } from "./verify.js";

/** Options of {@link createChatopsServer}. */
export interface ChatopsServerOptions extends VerifierOptions {
  /** A globally unique slug for this service; clients may use it as the default prefix. */
  namespace: string;
  /** Overall help for the namespace. */
  help?: string;
  /** What clients show when a method fails without a usable answer. */
  errorResponse?: string;
  /** The path of the listing (default `/_chatops`); methods are under it. */
  basePath?: string;
  // biome-ignore lint/suspicious/noExplicitAny: methods of any regex
  methods: Array<MethodDefinition<any>>;
  /** Largest request body accepted, in bytes (default 64 KiB). */
  maxBodyBytes?: number;
  /** Called with the error when a handler throws something other than a {@link ChatopsError}. */
  onError?: (error: unknown, method: string) => void;
}

/** A request as any HTTP server sees it. */
export interface ChatopsRequest {
  method: string;
  /** The path with query, as received. */
  path: string;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

/** An answer to write back. */
export interface ChatopsResponse {
  status: number;
  headers: Record<string, string>;
  body: string;
}

/** A service: `handle` answers one request; `matches` says whether a path belongs to it. */
export interface ChatopsServer {
  readonly basePath: string;
  readonly maxBodyBytes: number;
  matches(path: string): boolean;
  handle(request: ChatopsRequest): Promise<ChatopsResponse>;
  /** The listing document (what GET of the base path answers). */
  listing(): Record<string, unknown>;
}

const json = (status: number, value: unknown): ChatopsResponse => ({
  status,
  headers: { "content-type": "application/json; charset=utf-8" },
  body: JSON.stringify(value),
});

function rpcError(kind: JsonRpcErrorKind, id: unknown = null, message?: string): ChatopsResponse {
  const known = JSONRPC_ERRORS[kind];
  return json(known.status, {
    jsonrpc: "2.0",
    id,
    error: { code: known.code, message: message ?? known.message },
  });
}

const isStringRecord = (value: unknown): value is Record<string, string> =>
  typeof value === "object" &&
  value !== null &&
  !Array.isArray(value) &&
  Object.values(value).every((v) => typeof v === "string");

/** Creates a service from its methods and verification settings. */
export function createChatopsServer(options: ChatopsServerOptions): ChatopsServer {
  const verifier = new RequestVerifier(options);
  const basePath = (options.basePath ?? "/_chatops").replace(/\/+$/, "");
  const maxBodyBytes = options.maxBodyBytes ?? 64 * 1024;
  if (!/^[A-Za-z0-9_-]{1,64}$/.test(options.namespace))
    throw new Error(`rpc-server: namespace "${options.namespace}" is not a slug`);
  const methods = new Map<string, MethodDefinition>();
  for (const method of options.methods) {
    if (methods.has(method.name)) throw new Error(`rpc-server: method "${method.name}" is defined twice`);
    methods.set(method.name, method);
  }

  const listing = () => ({
    namespace: options.namespace,
    help: options.help ?? null,
    error_response: options.errorResponse ?? null,
    version: "3",
    methods: Object.fromEntries(
      [...methods.values()].map((m) => [
        m.name,
        { help: m.help ?? null, regex: m.regex, params: groupNames(m.regex), path: m.name },
      ]),
    ),
  });

  async function invoke(name: string, body: string, keyId: string): Promise<ChatopsResponse> {
    let request: unknown;
    try {
      request = JSON.parse(body);
    } catch {
      return rpcError("parseError");
    }
    if (typeof request !== "object" || request === null || Array.isArray(request)) return rpcError("invalidRequest");
    const r = request as Record<string, unknown>;
    const id = typeof r.id === "string" || typeof r.id === "number" ? r.id : null;
    const method = methods.get(name);
    if (!method) return rpcError("methodNotFound", id);
    if (r.method !== undefined && r.method !== name)
      return rpcError("invalidRequest", id, `method "${String(r.method)}" does not match the path`);
    if (typeof r.user !== "string" || r.user === "")
      return rpcError("invalidParams", id, "A username must be supplied as 'user'");
    const rawParams = r.params ?? {};
    if (!isStringRecord(rawParams)) return rpcError("invalidParams", id, "params must be an object of strings");
    const declared = new Set(groupNames(method.regex));
    const params: Record<string, string> = Object.create(null);
    const extra: Record<string, string> = Object.create(null);
    for (const [key, value] of Object.entries(rawParams)) (declared.has(key) ? params : extra)[key] = value;
    const optional = (v: unknown) => (typeof v === "string" ? v : undefined);
    try {
      const answer = await method.handler({
        user: r.user,
        roomId: optional(r.room_id),
        params,
        extra,
        messageId: optional(r.message_id),
        mentionSlug: optional(r.mention_slug),
        keyId,
      });
      const fields: ChatopsAnswer = typeof answer === "string" ? { result: answer } : answer;
      return json(200, { jsonrpc: "2.0", id, ...fields, result: String(fields.result) });
    } catch (error) {
      if (error instanceof ChatopsError)
        return json(error.status, { jsonrpc: "2.0", id, error: { code: error.code, message: error.message } });
      options.onError?.(error, name);
      return rpcError("internalError", id);
    }
  }

  return {
    basePath,
    maxBodyBytes,
    matches: (path) => {
      const p = path.split("?")[0]!;
      return p === basePath || p.startsWith(`${basePath}/`);
    },
    listing,
    async handle(request) {
      const path = request.path.split("?")[0]!;
      const rest = path === basePath ? "" : path.startsWith(`${basePath}/`) ? path.slice(basePath.length + 1) : null;
      if (rest === null || !/^[A-Za-z0-9_-]*$/.test(rest)) return rpcError("methodNotFound");
      const isList = rest === "";
      if (isList ? request.method !== "GET" : request.method !== "POST") {
        return rpcError("invalidRequest", null, `use ${isList ? "GET" : "POST"} for ${path}`);
      }
      if (Buffer.byteLength(request.body, "utf8") > maxBodyBytes)
        return rpcError("invalidRequest", null, "request body too large");
      const verified = verifier.verify({ path, headers: request.headers, body: request.body });
      if (!verified.ok) return rpcError(verified.kind, null, verified.message);
      if (isList) return json(200, listing());
      return invoke(rest, request.body, verified.keyId);
    },
  };
}
