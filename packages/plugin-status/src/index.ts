/**
 * `@switchboard/plugin-status`: the status page from chat — `status`, `status set`, `status incident`,
 * `status update`, `status resolve` — on a page the bot serves itself through the HTTP endpoint (`/status`, HTML and
 * JSON), or on Atlassian Statuspage (REST API v1). The default export is the plugin (`bot.use(status, config)`, or
 * `plugins: { status: … }` in the switchboard configuration).
 * @module
 */
import { statusPlugin } from "./plugin.js";

export default statusPlugin;
