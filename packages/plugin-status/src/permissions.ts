/** The permissions the status commands need; grant them to roles in the configuration (`status:*` for all). */
export const PERMISSIONS = {
  /** `status`. */
  read: "status:read",
  /** `status set`. */
  set: "status:set",
  /** `status incident`, `status update`, `status resolve`. */
  incident: "status:incident",
} as const;
