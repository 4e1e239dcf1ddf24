/**
 * `@switchboard/adapter-shell`: chat with a Switchboard bot from a terminal, or pipe commands into it.
 * @module
 */

export { osLogin } from "./login.js";

export { ShellAdapter } from "./shell-adapter.js";
