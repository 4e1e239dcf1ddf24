/**
 * `@switchboard/plugin-logs`: a service's configured log files or systemd journal units from chat, on this machine or
 * on its hosts over ssh (core's ssh runner, the puppet plugin's settings), filtered by time and a fixed string,
 * capped in the room, redacted before anything leaves the bot. The default export is the plugin (`bot.use(logs,
 * config)`, or `plugins: { logs: … }` in the switchboard configuration).
 * @module
 */
import { logsPlugin } from "./plugin.js";

export default logsPlugin;
