/**
 * How commands reach the plugin state: what setup created, or (for a bot without setup support) state made on
 * first use from the same configuration.
 * @module
 */
import type { PluginHandle } from "@switchboard/core";
import type { MetricsConfig } from "../config.js";
import { createState, type MetricsState } from "../state.js";

/** A getter for the state. */
export function stateAccess(config: MetricsConfig, plugin: PluginHandle<MetricsState> | undefined): () => MetricsState {
  let own: MetricsState | undefined;
  return () => {
    try {
      if (plugin?.state) return plugin.state;
    } catch {
      // not set up (a bot that was never started): fall through to state of our own
    }
    own ??= createState(config);
    return own;
  };
}
