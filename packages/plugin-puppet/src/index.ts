/**
 * `@switchboard/plugin-puppet`: Puppet noop, apply on one host and staged rollouts to a fleet from chat, with one
 * summary for the whole fleet. The default export is the plugin (`bot.use(puppet, config)`, or
 * `plugins: { puppet: … }` in the switchboard configuration).
 * @module
 */
import { puppetPlugin } from "./plugin.js";

export default puppetPlugin;
