/**
 * `@switchboard/plugin-rpc`: a ChatOps RPC client. Services publish a listing of methods (regex + params); each
 * method becomes a command under the endpoint's prefix, with help, permissions, approvals, jobs and audit; calls
 * are signed with the bot's RSA key. The default export is the plugin (`plugins: { rpc: … }`).
 * @module
 */
import { rpcPlugin } from "./plugin.js";

export { compileMethodPattern } from "./regex.js";
export { authHeaders } from "./signer.js";

export default rpcPlugin;
