/**
 * `@switchboard/plugin-lb`: the load balancer from chat — HAProxy's runtime API (`stats socket`, unix or TCP) on every
 * instance of a site: `lb status`, `lb drain`, `lb disable`, `lb enable`, `lb weight`. The default export is the
 * plugin (`bot.use(lb, config)`, or `plugins: { lb: … }` in the switchboard configuration).
 * @module
 */
import { lbPlugin } from "./plugin.js";

export { PERMISSIONS } from "./commands/permissions.js";
export type { LbConfig, LbConfigInput } from "./config.js";
export { lbConfigSchema } from "./config.js";
export type { AdminState, ServerStatus } from "./haproxy.js";
export { Haproxy, HaproxyAnswerError, isServing, parseServers } from "./haproxy.js";
export { NAME_PATTERN, nameProblem } from "./names.js";
export { lbCommands } from "./plugin.js";
export { describeEndpoint, type Endpoint, parseEndpoint, RuntimeApi } from "./runtime-api.js";

export default lbPlugin;
