/**
 * Checks across sections that a schema cannot express: roles that exist, network names that are unique.
 * @module
 */
import { networkName } from "../adapter-types.js";
import type { ConfigIssue } from "./errors.js";
import type { SwitchboardConfig } from "./schema.js";

/** Problems with references between sections (positions are filled in by the loader). */
export function checkReferences(config: SwitchboardConfig, raw: unknown): ConfigIssue[] {
  const issues: ConfigIssue[] = [];
  const roles = Object.keys(config.roles);
  const known = roles.length ? roles.join(", ") : "none are defined";
  for (const [principal, { roles: held }] of Object.entries(config.principals)) {
    held.forEach((role, index) => {
      if (!Object.hasOwn(config.roles, role))
        issues.push({
          path: ["principals", principal, "roles", index],
          message: `no role "${role}" is defined (roles: ${known})`,
        });
    });
  }
  const explicitGuestRole = typeof raw === "object" && raw !== null && "guestRole" in raw;
  if (explicitGuestRole && !Object.hasOwn(config.roles, config.guestRole))
    issues.push({ path: ["guestRole"], message: `no role "${config.guestRole}" is defined (roles: ${known})` });
  const seen = new Map<string, number>();
  config.adapters.forEach((entry, index) => {
    const network = networkName(entry);
    const first = seen.get(network);
    if (first === undefined) seen.set(network, index);
    else
      issues.push({
        path: ["adapters", index],
        message: `network name "${network}" is already used by adapters[${first}]; give one of them a different name`,
      });
  });
  return issues;
}
