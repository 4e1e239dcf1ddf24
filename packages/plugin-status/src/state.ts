/**
 * What the commands of one plugin instance share, created by setup: the configuration, the provider and a way to
 * post into rooms.
 * @module
 */
import type { PluginHandle, Reply, RoomRef } from "@switchboard/core";
import type { StatusConfig } from "./config.js";
import type { StatusProvider } from "./model.js";

/** Shared by the commands. */
export interface StatusState {
  config: StatusConfig;
  provider: StatusProvider;
  announce(target: RoomRef, output: Reply): Promise<unknown>;
}

/** The state setup created; throws when setup has not run. */
export function stateOf(handle: PluginHandle<StatusState>): StatusState {
  const state = handle.state;
  if (!state) throw new Error("the status plugin is not set up yet (its setup runs when the bot starts)");
  return state;
}
