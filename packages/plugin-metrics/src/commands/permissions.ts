/**
 * The permissions the plugin's commands need.
 * @module
 */

/** `graph`, `graph list`, `metrics`: read metrics. */
export const READ_PERMISSION = "metrics:read";
/** `graph save`: save an alias for everyone. */
export const SAVE_PERMISSION = "metrics:save";
