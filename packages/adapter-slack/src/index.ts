/**
 * `@switchboard/adapter-slack`: run a Switchboard bot in a Slack workspace, over Socket Mode (no public URL) or the
 * Events API, with Block Kit output, Approve / Deny buttons, threads, edits and native file uploads. Importing this
 * entry does not load the Slack libraries; starting an adapter does.
 * @module
 */
export { actionIds, limits as slackLimits, type SlackBlock } from "./block-kit.js";
export { Identities, type SlackUserRef, slackUserId } from "./identity.js";
export type { BotSelf } from "./inbound.js";
export {
  optionsFromConfig,
  type ResolvedSlackOptions,
  type SlackAdapterConfig,
  type SlackAdapterOptions,
  slackConfigSchema,
} from "./options.js";
export { maxFallbackChars, type RenderedMessage, type RenderedPart, renderParts, renderProgress } from "./render.js";
export { checkSignature, signatureWindowSeconds, signRequest } from "./signature.js";
export { loadSlack, SlackAdapter } from "./slack-adapter.js";
export { afterLeadingMention, decodeSlackText, escapeMrkdwn } from "./slack-text.js";
export { slackAdapterType } from "./type.js";
