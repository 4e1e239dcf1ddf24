/**
 * `@switchboard/adapter-irc`: run a Switchboard bot on IRC, with verified identity (services accounts), output
 * rendered within the line limit, flood control and reconnects.
 * @module
 */
export { IrcAdapter } from "./irc-adapter.js";
