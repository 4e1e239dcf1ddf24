/**
 * What the commands of one plugin instance share, created by setup: the configuration, the HAProxy instances of each
 * site, and the ways to post and audit.
 * @module
 */
import type { PluginAuditRecord, Reply, RoomRef } from "@switchboard/core";
import type { LbConfig } from "./config.js";
import type { Haproxy } from "./haproxy.js";

/** Shared by the commands. */
export interface LbState {
  config: LbConfig;
  /** site → its instances, in configuration order. */
  sites: Map<string, Haproxy[]>;
  announce(target: RoomRef, output: Reply): Promise<unknown>;
  audit(record: PluginAuditRecord): Promise<void>;
}
