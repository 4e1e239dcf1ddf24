/** The permissions the lb commands need; grant them to roles in the configuration (`lb:*` for all). */
export const PERMISSIONS = {
  /** `lb status`. */
  read: "lb:read",
  /** `lb drain`, `lb disable`, `lb enable`, `lb weight`. */
  change: "lb:change",
  /** `--force`: take out the last server of a backend that takes traffic. */
  force: "lb:force",
} as const;
