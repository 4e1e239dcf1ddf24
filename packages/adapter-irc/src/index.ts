/**
 * `@switchboard/adapter-irc`: run a Switchboard bot on IRC, with verified identity (services accounts), output
 * rendered within the line limit, flood control and reconnects.
 * @module
 */
export { IrcAdapter } from "./irc-adapter.js";
export { IRC_LINE_BYTES, type SelfMask, textBudget } from "./line-budget.js";
export type {
  IrcAdapterOptions,
  IrcChannel,
  IrcFloodOptions,
  IrcOutputOptions,
  IrcReconnectOptions,
  IrcSaslOptions,
  IrcTlsOptions,
  ResolvedIrcOptions,
} from "./options.js";
export { renderIrcLines, stripFormatting } from "./render.js";
export { byteLength, splitToBytes } from "./split.js";
