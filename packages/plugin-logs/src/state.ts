/**
 * What the command of one plugin instance shares, created by setup: the configuration, the inventory, the redactor,
 * and the ways to place long output (a thread, a private message).
 * @module
 */
import type { PluginSetupContext } from "@switchboard/core";
import type { LogsConfig } from "./config.js";
import { HostInventory } from "./inventory.js";
import { Redactor, redactionsOf } from "./redact.js";

/** What the command uses of the bot to place long output: threads where the network has them, private messages. */
export type Delivery = Pick<PluginSetupContext<LogsConfig>, "announce" | "directMessage" | "capabilities">;

/** Shared by the commands. */
export interface LogsState {
  config: LogsConfig;
  inventory: HostInventory;
  redactor: Redactor;
  delivery: Delivery;
}

/** The state for a validated configuration. */
export function createState(config: LogsConfig, delivery: Delivery): LogsState {
  return {
    config,
    inventory: new HostInventory(config.inventory),
    redactor: new Redactor(redactionsOf(config.redact)),
    delivery,
  };
}
