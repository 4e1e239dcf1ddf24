/**
 * `@switchboard/adapter-slack`: run a Switchboard bot in a Slack workspace, over Socket Mode (no public URL) or the
 * Events API, with Block Kit output, Approve / Deny buttons, threads, edits and native file uploads. Importing this
 * entry does not load the Slack libraries; starting an adapter does.
 * @module
 */

export { SlackAdapter } from "./slack-adapter.js";
