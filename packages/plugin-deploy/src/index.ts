/**
 * `@switchboard/plugin-deploy`: deploy branches to environments from chat, with CI gates, locks, approvals and
 * history. The default export is the plugin (`bot.use(deploy, config)`, or `plugins: { deploy: … }` in the
 * switchboard configuration).
 * @module
 */
import { deployPlugin } from "./plugin.js";

export default deployPlugin;
