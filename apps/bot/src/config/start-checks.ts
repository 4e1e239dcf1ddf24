/**
 * What would go wrong only at start or at the first command, checked in advance by `config check`: an audit key
 * inside the data folder, a trusted audit key that cannot be read, rota dates that do not exist or name nobody, PagerDuty services left without a routing
 * key, local paths (repositories, scripts, host folders) that do not exist, a policy in which nobody holds a role.
 * Reads the file leniently (the raw content), so it runs even when the schema found problems elsewhere.
 * @module
 */
import { existsSync } from "node:fs";
import { isAbsolute, resolve } from "node:path";
import { auditFiles } from "../audit-anchor.js";
import { configuredKeys } from "../audit-shared-checkpoints.js";
import { CliError } from "../cli-error.js";
import type { ConfigIssue, ConfigPath } from "./errors.js";
import { valueAt } from "./hints.js";
import { auditSectionSchema, DEFAULT_STORE_PATH } from "./schema.js";

const isRecord = (value: unknown): value is Record<string, unknown> =>
  typeof value === "object" && value !== null && !Array.isArray(value);
const entries = (value: unknown): Array<[string, unknown]> => (isRecord(value) ? Object.entries(value) : []);

/** The audit key and checkpoint file must not be inside the database's folder (what `start` refuses). */
function keyLocation(raw: unknown): ConfigIssue[] {
  const audit = auditSectionSchema.safeParse(valueAt(raw, ["audit"]) ?? {});
  const store = valueAt(raw, ["store", "path"]);
  if (!audit.success) return [];
  try {
    auditFiles(audit.data, resolve(typeof store === "string" ? store : DEFAULT_STORE_PATH), true);
    return [];
  } catch (error) {
    if (!(error instanceof CliError)) throw error;
    const key = error.message.startsWith("audit.checkpointFile") ? "checkpointFile" : "keyFile";
    return [{ path: ["audit", key], message: error.message }];
  }
}

/** Every `audit.trustedKeys` entry must be a readable Ed25519 public key (what `start` and `audit verify` refuse). */
function trustedKeys(raw: unknown): ConfigIssue[] {
  const audit = auditSectionSchema.safeParse(valueAt(raw, ["audit"]) ?? {});
  if (!audit.success) return [];
  try {
    configuredKeys(audit.data);
    return [];
  } catch (error) {
    if (!(error instanceof CliError)) throw error;
    return [{ path: ["audit", "trustedKeys"], message: error.message }];
  }
}

/** `2026-11-23` or `2026-11-23T09:00[:00]` that is a real date and time (not 2026-13-01 or 25:00). */
function isRealLocalTime(text: string): boolean {
  const match = /^(\d{4})-(\d{2})-(\d{2})(?:T(\d{2}):(\d{2})(?::(\d{2}))?)?$/.exec(text);
  if (!match) return true; // the plugin's schema reports the form
  const [y, mo, d, h = 0, mi = 0, s = 0] = match
    .slice(1)
    .map((part) => (part === undefined ? undefined : Number(part)));
  const date = new Date(Date.UTC(y!, mo! - 1, d!, h, mi, s));
  return (
    date.getUTCFullYear() === y &&
    date.getUTCMonth() === mo! - 1 &&
    date.getUTCDate() === d &&
    date.getUTCHours() === h &&
    date.getUTCMinutes() === mi &&
    date.getUTCSeconds() === s
  );
}

/** The paging plugin: rota dates and people, PagerDuty services with an empty routing key. */
function paging(raw: unknown, principals: string[]): ConfigIssue[] {
  const issues: ConfigIssue[] = [];
  const base: ConfigPath = ["plugins", "paging"];
  const known = principals.length ? principals.join(", ") : "none are defined";
  for (const [name, schedule] of entries(valueAt(raw, [...base, "local", "schedules"]))) {
    if (!isRecord(schedule)) continue;
    const path = [...base, "local", "schedules", name];
    if (typeof schedule.start === "string" && !isRealLocalTime(schedule.start))
      issues.push({
        path: [...path, "start"],
        message: `${schedule.start} is not a real date and time (month 01–12, a day the month has, hours 00–23): every paging command would fail with an internal error`,
      });
    if (Array.isArray(schedule.people))
      schedule.people.forEach((person, index) => {
        if (typeof person === "string" && !principals.includes(person))
          issues.push({
            path: [...path, "people", index],
            message: `"${person}" is not a principal (principals: ${known}): the rota names principals, who link their chat logins`,
          });
      });
  }
  for (const [id] of entries(valueAt(raw, [...base, "people"])))
    if (!principals.includes(id))
      issues.push({ path: [...base, "people", id], message: `"${id}" is not a principal (principals: ${known})` });
  for (const [name, service] of entries(valueAt(raw, [...base, "pagerduty", "services"]))) {
    if (isRecord(service) && service.routingKey === "")
      issues.push({
        path: [...base, "pagerduty", "services", name, "routingKey"],
        message: `routingKey is empty (is the variable it names set?): "pager trigger ${name}" would have no integration to send to`,
      });
  }
  return issues;
}

/** A local path (not a URL or `user@host:path`), resolved against the configuration's folder (the working one). */
function localPath(text: unknown): string | undefined {
  if (typeof text !== "string" || text === "") return undefined;
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(text) || /^[^/]+@[^/]+:/.test(text)) return undefined;
  return isAbsolute(text) ? text : resolve(text);
}

function missing(path: ConfigPath, value: unknown, what: string): ConfigIssue[] {
  const local = localPath(value);
  if (!local || existsSync(local)) return [];
  const demo = /\.switchboard\/demo\b/.test(local)
    ? ` — the demo's repositories: run sh examples/${local.includes("/fleet") ? "puppet" : "deploy"}/demo-setup.sh from the repository root`
    : "";
  return [{ path, message: `${what} ${local} does not exist${demo}` }];
}

/** Local paths that must exist: deploy repositories and scripts, the puppet local runner's hosts folder. */
function paths(raw: unknown): ConfigIssue[] {
  const issues: ConfigIssue[] = [];
  for (const [name, app] of entries(valueAt(raw, ["plugins", "deploy", "apps"]))) {
    if (!isRecord(app)) continue;
    const path: ConfigPath = ["plugins", "deploy", "apps", name];
    issues.push(...missing([...path, "git"], app.git, "the repository"));
    const command = isRecord(app.provider) ? app.provider.command : undefined;
    if (Array.isArray(command) && typeof command[0] === "string" && command[0].includes("/"))
      issues.push(...missing([...path, "provider", "command", 0], command[0], "the script"));
  }
  const runner = valueAt(raw, ["plugins", "puppet", "runner"]);
  if (isRecord(runner) && runner.type === "local")
    issues.push(...missing(["plugins", "puppet", "runner", "hostsDir"], runner.hostsDir, "the hosts folder"));
  return issues;
}

/** A policy where no principal holds any role: everyone is a guest, nobody can grant or approve anything. */
function policy(raw: unknown): ConfigIssue[] {
  const principals = entries(valueAt(raw, ["principals"]));
  const holders = principals.filter(([, p]) => isRecord(p) && Array.isArray(p.roles) && p.roles.length > 0);
  if (holders.length > 0 || valueAt(raw, ["principals"]) === undefined) return [];
  return [
    {
      path: ["principals"],
      message:
        'no principal holds a role: everyone is a guest and nobody can administer the bot; give yourself one, e.g. principals: { you: { roles: [owner], identities: { shell: you } } } with roles: { owner: { permissions: ["*"] } }',
    },
  ];
}

/** Every start-time problem of the raw configuration (paths resolve against the working directory). */
export function startChecks(raw: unknown): ConfigIssue[] {
  const principals = entries(valueAt(raw, ["principals"])).map(([id]) => id);
  return [...keyLocation(raw), ...trustedKeys(raw), ...paging(raw, principals), ...paths(raw), ...policy(raw)];
}
