import type { AuditEntry } from "@switchboard/core";
import { canonicalJson } from "@switchboard/core/audit";
import { formatAuditLine } from "../audit-format.js";
import { type AuditSourceOptions, openAudit } from "../audit-storage.js";
import { CliError } from "../cli-error.js";

/** Options of `switchboard audit tail`. */
export interface AuditTailOptions extends AuditSourceOptions {
  lines?: string;
  follow?: boolean;
  json?: boolean;
  /** Poll interval of --follow, in ms (default 500). */
  intervalMs?: number;
}

/** Entries newer than `afterSeq`, oldest first (reads newest-first pages until it reaches `afterSeq`). */
async function newerThan(
  auditLog: { query(q: { limit?: number }): Promise<AuditEntry[]> },
  afterSeq: number,
): Promise<AuditEntry[]> {
  for (let limit = 64; ; limit *= 4) {
    const page = await auditLog.query({ limit });
    const fresh = page.filter((e) => e.seq > afterSeq);
    if (fresh.length < page.length || page.length < limit) return fresh.reverse();
  }
}

/**
 * `switchboard audit tail [-n N] [--follow] [--json]`: the last N entries (default 10), one per line; with
 * --follow, keeps printing new entries (written by a running bot) until Ctrl-C.
 */
export async function auditTailCommand(options: AuditTailOptions): Promise<number> {
  const count = Number(options.lines ?? 10);
  if (!Number.isInteger(count) || count < 0) throw new CliError(`-n wants a whole number, not "${options.lines}"`);
  const { path, auditLog, close } = await openAudit(options);
  const print = (entries: AuditEntry[]) => {
    if (entries.length === 0) return;
    const text = entries.map((e) => (options.json ? canonicalJson(e) : formatAuditLine(e))).join("\n");
    process.stdout.write(`${text}\n`);
  };
  try {
    const last = count > 0 ? (await auditLog.query({ limit: count })).reverse() : [];
    print(last);
    if (!options.follow) return 0;
    let seq = last.at(-1)?.seq ?? (await auditLog.query({ limit: 1 }))[0]?.seq ?? 0;
    process.stderr.write(`following ${path} after entry #${seq}; Ctrl-C to stop\n`);
    await new Promise<void>((resolve) => {
      const timer = setInterval(() => {
        void newerThan(auditLog, seq).then((fresh) => {
          print(fresh);
          seq = fresh.at(-1)?.seq ?? seq;
        });
      }, options.intervalMs ?? 500);
      const stop = () => {
        clearInterval(timer);
        resolve();
      };
      process.once("SIGINT", stop);
      process.once("SIGTERM", stop);
    });
    return 0;
  } finally {
    close();
  }
}
