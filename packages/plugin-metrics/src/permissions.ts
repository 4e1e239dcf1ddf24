/**
 * The permissions the metrics commands check; grant them to roles in the configuration (`metrics:*` for all).
 * @module
 */

/** Every permission of the plugin, by what it allows. */
export const PERMISSIONS = {
  /** `graph`, `graph list`, `metrics`: read metrics. */
  read: "metrics:read",
  /** `graph save`: save an alias for everyone. */
  save: "metrics:save",
} as const;
