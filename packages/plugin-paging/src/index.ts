/**
 * `@switchboard/plugin-paging`: who is on call, take the pager, acknowledge and resolve incidents — on PagerDuty, or
 * on a built-in rota kept in the bot's store. The default export is the plugin (`bot.use(paging, config)`, or
 * `plugins: { paging: … }` in the switchboard configuration).
 * @module
 */
import { pagingPlugin } from "./plugin.js";

export default pagingPlugin;
