/**
 * `@switchboard/adapter-shell`: chat with a Switchboard bot from a terminal, or pipe commands into it.
 * @module
 */
export { appendHistory, loadHistory } from "./history.js";
export { osLogin } from "./login.js";
export { colourFor, renderForTerminal } from "./render.js";
export { ShellAdapter, type ShellAdapterOptions } from "./shell-adapter.js";
export { parseSlash, type SlashCommand, slashHelp } from "./slash.js";
