/** The permissions the logs command needs; grant them to roles in the configuration (`logs:read:*` for every service). */
export const PERMISSIONS = {
  /** `logs <service>` needs `logs:read:<service>`; this is the prefix (`logs:read:web`). */
  read: "logs:read",
} as const;

/** The permission to read one service's logs: `logs:read:web`. */
export function readPermission(service: string): string {
  return `${PERMISSIONS.read}:${service}`;
}
