/**
 * The permissions of the rpc plugin. Each endpoint's methods need `rpc:<prefix>` unless its configuration names
 * another permission.
 * @module
 */

/** Permissions the plugin's own commands check. */
export const PERMISSIONS = {
  /** `rpc add`, `rpc remove`, `rpc refresh`, `rpc list`. */
  admin: "rpc:admin",
} as const;

/** The default permission of an endpoint's methods. */
export const endpointPermission = (prefix: string) => `rpc:${prefix}`;
