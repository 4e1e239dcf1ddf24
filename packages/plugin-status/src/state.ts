/**
 * What the commands of one plugin instance share, created by setup: the configuration, the provider and a way to
 * post into rooms.
 * @module
 */
import type { Reply, RoomRef } from "@switchboard/core";
import type { StatusConfig } from "./config.js";
import type { StatusProvider } from "./model.js";

/** Shared by the commands. */
export interface StatusState {
  config: StatusConfig;
  provider: StatusProvider;
  announce(target: RoomRef, output: Reply): Promise<unknown>;
}
