/**
 * The permissions the deploy commands check; grant them to roles in the configuration (`deploy:*` for all).
 * @module
 */

/** Every permission of the plugin, by what it allows. */
export const PERMISSIONS = {
  /** `deploys`, `environments`, `ci status`, `locks`. */
  read: "deploy:read",
  /** `deploy`, `rollback`. */
  run: "deploy:run",
  /** `deploy!` / `--force`: deploy although CI is not green. */
  force: "deploy:force",
  /** `lock`, `unlock`. */
  lock: "deploy:lock",
  /** `unlock --force`: take away someone else's lock. */
  unlockForce: "deploy:unlock-force",
  /** Approving a deploy to a protected environment (the default `approval.permission`). */
  approve: "deploy:approve",
} as const;
