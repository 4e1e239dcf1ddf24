/**
 * Checks across sections that a schema cannot express: roles that exist, network names that are unique. They run
 * even when the schema found problems elsewhere (on what can be read of the file), so one run reports everything.
 * @module
 */
import { type AdapterConfig, networkName } from "../adapter-types.js";
import type { ConfigIssue } from "./errors.js";

/** The parts of a configuration the reference checks read: validated, or read leniently from the raw file. */
export interface ReferenceView {
  roles: Record<string, unknown>;
  principals: Record<string, { roles?: unknown }>;
  guestRole: string;
  adapters: AdapterConfig[];
  /** `store` as far as these checks need it. */
  store?: { postgres?: { stateKey?: unknown } | undefined };
}

const isRecord = (value: unknown): value is Record<string, unknown> =>
  typeof value === "object" && value !== null && !Array.isArray(value);

/** What the reference checks can read from a file whose schema check failed (wrongly shaped parts are skipped). */
export function referenceView(raw: unknown): ReferenceView {
  const file = isRecord(raw) ? raw : {};
  const principals: Record<string, { roles?: unknown }> = {};
  if (isRecord(file.principals))
    for (const [id, value] of Object.entries(file.principals)) if (isRecord(value)) principals[id] = value;
  return {
    roles: isRecord(file.roles) ? file.roles : {},
    principals,
    guestRole: typeof file.guestRole === "string" ? file.guestRole : "guest",
    adapters: Array.isArray(file.adapters)
      ? (file.adapters.filter((a) => isRecord(a) && typeof a.type === "string") as AdapterConfig[])
      : [],
    ...(isRecord(file.store) && isRecord(file.store.postgres) ? { store: { postgres: file.store.postgres } } : {}),
  };
}

/** Problems with references between sections (positions are filled in by the loader). */
export function checkReferences(config: ReferenceView, raw: unknown): ConfigIssue[] {
  const issues: ConfigIssue[] = [];
  const roles = Object.keys(config.roles);
  const known = roles.length ? roles.join(", ") : "none are defined";
  for (const [principal, { roles: held }] of Object.entries(config.principals)) {
    if (!Array.isArray(held)) continue;
    held.forEach((role, index) => {
      if (typeof role === "string" && !Object.hasOwn(config.roles, role))
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
  // Several instances on Matrix: the device's keys are kept in the database, sealed with stateKey.
  const postgres = config.store?.postgres;
  if (postgres && postgres.stateKey === undefined)
    config.adapters.forEach((entry, index) => {
      if (entry.type === "matrix")
        issues.push({
          path: ["store", "postgres"],
          message: `adapters[${index}] is Matrix: with store.postgres its session and encryption keys are kept in the database, sealed with store.postgres.stateKey; set it (\`stateKey: \${SWITCHBOARD_STATE_KEY}\`, made once with \`openssl rand -base64 32\`)`,
        });
    });
  return issues;
}
