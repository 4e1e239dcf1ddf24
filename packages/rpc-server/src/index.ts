/**
 * `@switchboard/rpc-server`: expose ChatOps RPC methods from a Node service. Define methods with
 * {@link defineMethod}, build a service with {@link createChatopsServer}, and serve it with {@link chatopsHandler}
 * (`node:http`) or {@link chatopsFastify}. Every request is verified: URL from configured base URLs, ±5 minutes,
 * a nonce once, the key chosen by `keyid`.
 * @module
 */
export { ChatopsError, JSONRPC_ERRORS, type JsonRpcErrorKind } from "./errors.js";
export { chatopsFastify, type FastifyLike } from "./fastify.js";
export {
  type ChatopsAnswer,
  defineMethod,
  type GroupNames,
  groupNames,
  type MethodCall,
  type MethodDefinition,
} from "./method.js";
export { chatopsHandler } from "./node-handler.js";
export {
  type ChatopsRequest,
  type ChatopsResponse,
  type ChatopsServer,
  type ChatopsServerOptions,
  createChatopsServer,
} from "./server.js";
export {
  type ChatopsAuthHeaders,
  chatopsTimestamp,
  type ParsedSignature,
  parseSignatureHeader,
  type SigningKey,
  signingString,
  signRequest,
  signString,
  verifyString,
} from "./signing.js";
export { RequestVerifier, type SignedRequest, type Verification, type VerifierOptions } from "./verify.js";
