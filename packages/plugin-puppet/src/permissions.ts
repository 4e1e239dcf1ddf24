/**
 * The permissions the puppet commands check; grant them to roles in the configuration (`puppet:*` for all).
 * @module
 */

/** Every permission of the plugin, by what it allows. */
export const PERMISSIONS = {
  /** `puppet status`, `puppet hosts`. */
  read: "puppet:read",
  /** `puppet noop`. */
  noop: "puppet:noop",
  /** `puppet apply`, `puppet rollout`. */
  apply: "puppet:apply",
  /** `puppet rollout --force`: a rollout without a recent noop. */
  force: "puppet:force",
  /** Approving a rollout (the default `approval.permission`). */
  approve: "puppet:approve",
} as const;
