/**
 * The audit key is never replaced behind the operator's back. A missing key at start is made anew only on a first
 * start (no public key, no checkpoints, no rotations); otherwise the start stops with the two ways out: put the key
 * back from a backup, or replace it on purpose with `switchboard audit rotate-key --lost-key`.
 * @module
 */
import { existsSync, readFileSync } from "node:fs";
import type { AuditFiles } from "./audit-anchor.js";
import { rotationsFile } from "./audit-keyring.js";
import { CliError } from "./cli-error.js";

/** What shows that a key was in use before, or undefined when nothing does. */
function traceOfEarlierKey(files: AuditFiles): string | undefined {
  if (existsSync(files.publicKeyFile)) return `its public key ${files.publicKeyFile} is still there`;
  if (existsSync(rotationsFile(files))) return `${rotationsFile(files)} records earlier keys`;
  if (existsSync(files.checkpointFile) && readFileSync(files.checkpointFile, "utf8").trim() !== "")
    return `${files.checkpointFile} holds checkpoints it signed`;
  return undefined;
}

/**
 * Throws when the audit key is missing although one was in use (see the module comment); does nothing when the
 * key exists or this is a first start.
 */
export function refuseSilentNewKey(files: AuditFiles): void {
  if (existsSync(files.keyFile)) return;
  const trace = traceOfEarlierKey(files);
  if (!trace) return;
  throw new CliError(
    [
      `the audit key ${files.keyFile} is missing, but one was in use (${trace}); the bot does not make a new key by itself, because checkpoints and runtime role grants depend on it. Either:`,
      `  - restore the key from your backup to ${files.keyFile} (mode 0600; see docs/operations.md, "Restore"), or`,
      "  - replace it on purpose: ./switchboard audit rotate-key --lost-key (recorded in the audit log; earlier checkpoints stay checkable with the kept public key)",
    ].join("\n"),
  );
}
