/**
 * `@switchboard/plugin-lb`: the load balancer from chat — HAProxy's runtime API (`stats socket`, unix or TCP) on every
 * instance of a site: `lb status`, `lb drain`, `lb disable`, `lb enable`, `lb weight`. The default export is the
 * plugin (`bot.use(lb, config)`, or `plugins: { lb: … }` in the switchboard configuration).
 * @module
 */
import { lbPlugin } from "./plugin.js";

export { Haproxy } from "./haproxy.js";

export { RuntimeApi } from "./runtime-api.js";

export default lbPlugin;
