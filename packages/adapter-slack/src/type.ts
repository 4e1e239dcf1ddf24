/**
 * The light entry of the Slack adapter (`@switchboard/adapter-slack/type`): the `type: slack` config schema and a
 * factory. Loading it (as `switchboard config check` does) loads no Slack library; creating an adapter does.
 * @module
 */
import { defineAdapterType } from "@switchboard/core";
import { optionsFromConfig, type SlackAdapterConfig, slackConfigSchema } from "./options.js";

export type { SlackAdapterConfig } from "./options.js";

/** `adapters: [{ type: slack, … }]`: config schema and a factory that loads the Slack libraries only when used. */
export const slackAdapterType = defineAdapterType<SlackAdapterConfig>({
  type: "slack",
  description: "a Slack workspace (Socket Mode or the Events API; Block Kit, buttons, threads, edits, file uploads)",
  schema: slackConfigSchema,
  networkName: (config) => config.name ?? "slack",
  async create(config, context) {
    const { SlackAdapter, loadSlack } = await import("./slack-adapter.js");
    await loadSlack();
    context.logger.debug({ network: config.name ?? "slack", mode: config.mode }, "creating the Slack adapter");
    return new SlackAdapter(optionsFromConfig(config));
  },
});
