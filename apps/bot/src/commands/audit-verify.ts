import { verifyChain } from "@switchboard/core";
import { type AuditSourceOptions, openAudit } from "../audit-storage.js";

/**
 * `switchboard audit verify`: walks the hash chain. Prints `ok: N entries, last hash H` (exit 0), or
 * `bad: entry #S: why` naming the first bad entry (exit 1).
 */
export async function auditVerifyCommand(options: AuditSourceOptions): Promise<number> {
  const { path, auditLog, close } = await openAudit(options);
  try {
    let result: Awaited<ReturnType<typeof verifyChain>>;
    try {
      result = await verifyChain(auditLog.entries());
    } catch (error) {
      // The store refuses to decode a row it cannot read (e.g. a body that is not JSON); it names the entry.
      process.stdout.write(`bad: ${error instanceof Error ? error.message : String(error)} (${path})\n`);
      return 1;
    }
    if (result.ok) {
      process.stdout.write(`ok: ${result.checked} entries, last hash ${result.lastHash} (${path})\n`);
      return 0;
    }
    const intact =
      result.checked === 1 ? "1 entry before it is intact" : `${result.checked} entries before it are intact`;
    process.stdout.write(`bad: entry #${result.firstBad.seq}: ${result.firstBad.reason}; ${intact} (${path})\n`);
    return 1;
  } finally {
    close();
  }
}
