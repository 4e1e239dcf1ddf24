/**
 * The `type: slack` entry of the app's `adapters:` list: its schema (checked without loading any Slack library)
 * and a factory that imports them.
 * @module
 */
import { defineAdapterType } from "@switchboard/core";
import { optionsFromConfig, type SlackAdapterConfig, slackConfigSchema } from "./options.js";

/** `adapters: [{ type: slack, … }]`. */
export const slackAdapterType = defineAdapterType<SlackAdapterConfig>({
  type: "slack",
  description: "a Slack workspace (Socket Mode or the Events API; Block Kit, buttons, threads, edits, file uploads)",
  schema: slackConfigSchema,
  networkName: (config) => config.name ?? "slack",
  async create(config, context) {
    const [{ SlackAdapter, loadSlack }] = await Promise.all([import("./slack-adapter.js")]);
    await loadSlack();
    context.logger.debug({ network: config.name ?? "slack", mode: config.mode }, "creating the Slack adapter");
    return new SlackAdapter(optionsFromConfig(config));
  },
});
