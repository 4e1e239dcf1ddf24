/**
 * What the command of one plugin instance shares, created by setup: the configuration, the inventory, the redactor,
 * and a way to reach the asker privately.
 * @module
 */
import type { PluginHandle, Reply } from "@switchboard/core";
import type { LogsConfig } from "./config.js";
import { HostInventory } from "./inventory.js";
import { Redactor, redactionsOf } from "./redact.js";

/** Shared by the commands. */
export interface LogsState {
  config: LogsConfig;
  inventory: HostInventory;
  redactor: Redactor;
  /** Sends a reply privately to a principal; resolves to the networks reached. */
  directMessage(principal: string, reply: Reply): Promise<string[]>;
}

/** The state for a validated configuration. */
export function createState(
  config: LogsConfig,
  directMessage: (principal: string, reply: Reply) => Promise<string[]>,
): LogsState {
  return {
    config,
    inventory: new HostInventory(config.inventory),
    redactor: new Redactor(redactionsOf(config.redact)),
    directMessage,
  };
}

/** The state setup created; throws when setup has not run (the plugin was registered without starting the bot). */
export function stateOf(handle: PluginHandle<LogsState>): LogsState {
  const state = handle.state;
  if (!state) throw new Error("the logs plugin is not set up yet (its setup runs when the bot starts)");
  return state;
}
