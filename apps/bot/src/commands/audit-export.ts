import { closeSync, openSync, writeSync } from "node:fs";
import { resolve } from "node:path";
import { canonicalJson } from "@switchboard/core/audit";
import { type AuditSourceOptions, openAudit } from "../audit-storage.js";

/** Options of `switchboard audit export`. */
export interface AuditExportOptions extends AuditSourceOptions {
  output?: string;
}

/**
 * `switchboard audit export`: every entry, oldest first, one canonical JSON object per line (the exact encoding the
 * hashes are computed over, so the chain can be checked with other tools), to stdout or `--output FILE` (mode 0600).
 */
export async function auditExportCommand(options: AuditExportOptions): Promise<number> {
  // --output is relative to where the command was started (openAudit enters the configuration's folder).
  const output = options.output === undefined ? undefined : resolve(options.output);
  const { auditLog, close } = await openAudit(options);
  const fd = output ? openSync(output, "w", 0o600) : 1;
  let count = 0;
  try {
    let batch = "";
    for await (const entry of auditLog.entries()) {
      batch += `${canonicalJson(entry)}\n`;
      count++;
      if (batch.length > 1 << 16) {
        writeAll(fd, batch);
        batch = "";
      }
    }
    writeAll(fd, batch);
  } finally {
    if (fd !== 1) closeSync(fd);
    close();
  }
  if (output) process.stderr.write(`exported ${count} entries to ${options.output}\n`);
  return 0;
}

/** Writes the whole string, retrying on EAGAIN (stdout may be a non-blocking pipe). */
function writeAll(fd: number, text: string): void {
  let buffer = Buffer.from(text);
  while (buffer.length > 0) {
    try {
      buffer = buffer.subarray(writeSync(fd, buffer));
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== "EAGAIN") throw error;
    }
  }
}
