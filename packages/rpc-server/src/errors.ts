/**
 * JSON-RPC error codes as the ChatOps RPC spec and the Ruby server use them, with their HTTP statuses.
 * @module
 */

/** Error codes and HTTP statuses of ChatOps RPC answers. */
export const JSONRPC_ERRORS = {
  parseError: { code: -32700, status: 500, message: "Parse error" },
  invalidRequest: { code: -32600, status: 400, message: "Invalid request" },
  methodNotFound: { code: -32601, status: 404, message: "Method not found" },
  invalidParams: { code: -32602, status: 400, message: "Invalid parameters" },
  internalError: { code: -32603, status: 500, message: "Internal error" },
  notAuthorized: { code: -32800, status: 403, message: "Not authorized" },
  missingNonce: { code: -32801, status: 403, message: "A Chatops-Nonce header is required" },
  badSignatureHeader: { code: -32802, status: 403, message: "Failed to parse signature header" },
  timestampSkew: { code: -32803, status: 403, message: "Chatops timestamp not within the allowed skew" },
  invalidTimestamp: { code: -32804, status: 403, message: "Invalid Chatops-Timestamp" },
} as const;

/** One kind of error from {@link JSONRPC_ERRORS}. */
export type JsonRpcErrorKind = keyof typeof JSONRPC_ERRORS;

/**
 * Thrown by a method handler to answer with a JSON-RPC error the person sees (`-32602` by default, as the Ruby
 * server's `jsonrpc_failure`): `throw new ChatopsError("no such queue: " + name)`.
 */
export class ChatopsError extends Error {
  constructor(
    message: string,
    readonly code: number = JSONRPC_ERRORS.invalidParams.code,
    readonly status: number = JSONRPC_ERRORS.invalidParams.status,
  ) {
    super(message);
    this.name = "ChatopsError";
  }
}
