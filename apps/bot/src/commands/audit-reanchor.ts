import { appendFileSync, mkdirSync } from "node:fs";
import { dirname } from "node:path";
import { checkpointPublicKey, describeAnchorProblem, verifyAnchored } from "@switchboard/core/audit";
import { auditFiles } from "../audit-anchor.js";
import { signWith } from "../audit-keyring.js";
import { checkpointHead, operatorName, readPrivateKey, recordOperatorAction } from "../audit-operator.js";
import { type Reanchor, reanchorFile, reanchorMessage } from "../audit-reanchor.js";
import { type AuditSourceOptions, openAudit } from "../audit-storage.js";
import { readTrustedAnchors } from "../audit-trust.js";
import { CliError } from "../cli-error.js";
import { parseKeptHead } from "./audit-verify.js";

/** Options of `switchboard audit re-anchor`. */
export interface AuditReanchorOptions extends AuditSourceOptions {
  /** `SEQ:HASH`: the head the operator accepts (the backup's, from its manifest). */
  acceptHead: string;
  /** Why, in a few words (kept in the record and the audit entry). */
  reason?: string;
}

/**
 * `switchboard audit re-anchor --accept-head SEQ:HASH [--reason TEXT]`, with the bot stopped, after restoring a
 * backup: checks that the chain is intact, that entry SEQ has HASH, and that every checkpoint up to SEQ still
 * matches; then records, signed with the audit key and in the audit log (`operator` entry), that the operator
 * accepted that head, sets aside the checkpoints of the lost tail, and signs a checkpoint of the new head. Refuses
 * a log that does not match (a tampered restore stays caught).
 */
export async function auditReanchorCommand(options: AuditReanchorOptions): Promise<number> {
  const accepted = parseKeptHead(options.acceptHead);
  if (accepted.seq === undefined)
    throw new CliError("--accept-head wants SEQ:HASH (as the backup's manifest.json has it)");
  const seq = accepted.seq;
  const { path, database, auditLog, audit, durable, writeShared, close } = await openAudit(options);
  try {
    const files = auditFiles(audit, path, false, database);
    const privateKeyPem = readPrivateKey(files, "audit re-anchor");
    const anchors = readTrustedAnchors(files, checkpointPublicKey(privateKeyPem));
    const upToHead = anchors.checkpoints.filter((c) => c.seq <= seq);
    const result = await verifyAnchored(auditLog.entries(), { checkpoints: upToHead, heads: [accepted] });
    if (!result.chain.ok)
      throw new CliError(
        `refused: the chain is broken at entry #${result.chain.firstBad.seq} (${result.chain.firstBad.reason}); a re-anchor accepts an older head, never a damaged log`,
      );
    if (result.problems.length > 0)
      throw new CliError(
        `refused: ${describeAnchorProblem(result.problems[0]!)} — this log is not a copy of the one the checkpoints vouched for, up to the head you accept`,
      );
    const lastSeq = result.chain.checked;
    const setAside = anchors.checkpoints.filter((c) => c.seq > seq);
    const full = await verifyAnchored(auditLog.entries(), { checkpoints: anchors.checkpoints });
    if (full.ok)
      throw new CliError(
        `nothing to re-anchor: audit verify passes (entry #${lastSeq} is the head, and no checkpoint vouches for a later one)`,
      );
    const by = operatorName();
    const reason = options.reason ?? "restored from a backup";
    const setAsideThrough = Math.max(0, ...setAside.map((c) => c.seq));
    const summary = `${by} accepted entry #${seq} as the head (${reason}); ${setAside.length} checkpoints up to entry #${setAsideThrough} set aside`;
    const entry = await recordOperatorAction(auditLog, {
      actor: `operator:${by}`,
      command: "audit re-anchor",
      detail: {
        summary,
        accepted: { seq, hash: accepted.hash },
        lastSeqBefore: lastSeq,
        setAside: setAside.length,
        setAsideThrough,
        reason,
      },
    });
    const record: Omit<Reanchor, "signature" | "keyId"> = {
      seq,
      hash: accepted.hash,
      time: entry.time,
      by,
      reason,
      auditSeq: entry.seq,
      setAside: setAside.length,
      setAsideThrough,
    };
    const line: Reanchor = {
      ...record,
      keyId: anchors.keys[0]!.keyId,
      signature: signWith(privateKeyPem, reanchorMessage(record)),
    };
    const file = reanchorFile(files);
    mkdirSync(dirname(file), { recursive: true, mode: 0o700 });
    appendFileSync(file, `${JSON.stringify(line)}\n`, { mode: 0o600 });
    // A checkpoint signed after the re-anchor: the new head (with the operator entry) is anchored at once.
    await new Promise((resolveLater) => setTimeout(resolveLater, 2));
    const head = await checkpointHead(auditLog, files, privateKeyPem, durable, writeShared);
    process.stdout.write(
      `re-anchored: ${summary}\n  recorded in audit entry #${entry.seq} and ${file}\n  checkpoint: entry #${head.seq} ${head.hash}\n`,
    );
    return 0;
  } finally {
    close();
  }
}
