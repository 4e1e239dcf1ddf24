/**
 * `@switchboard/plugin-rpc`: a ChatOps RPC client. Services publish a listing of methods (regex + params); each
 * method becomes a command under the endpoint's prefix, with help, permissions, approvals, jobs and audit; calls
 * are signed with the bot's RSA key. The default export is the plugin (`plugins: { rpc: … }`).
 * @module
 */
import { rpcPlugin } from "./plugin.js";

export type { RpcState } from "./admin-commands.js";
export type { EndpointConfig, RpcConfig, RpcConfigInput } from "./config.js";
export { rpcConfigSchema } from "./config.js";
export { type ListedMethod, type Listing, ListingError, readListing } from "./listing.js";
export { endpointPermission, PERMISSIONS } from "./permissions.js";
export { compileMethodPattern, type MethodPattern } from "./regex.js";
export { authHeaders, type ClientKey, loadClientKey, signingString, signString } from "./signer.js";

export default rpcPlugin;
