import { appendFileSync, existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from "node:fs";
import { dirname } from "node:path";
import {
  checkpointPublicKey,
  describeAnchorProblem,
  generateCheckpointKey,
  keyIdOf,
  verifyAnchored,
} from "@switchboard/core/audit";
import { auditFiles } from "../audit-anchor.js";
import { type KeyRotation, publicPemOf, rotationMessage, rotationsFile, signWith } from "../audit-keyring.js";
import { checkpointHead, operatorName, readPrivateKey, recordOperatorAction } from "../audit-operator.js";
import { type AuditSourceOptions, openAudit } from "../audit-storage.js";
import { readTrustedAnchors } from "../audit-trust.js";
import { CliError } from "../cli-error.js";

/** Options of `switchboard audit rotate-key`. */
export interface AuditRotateKeyOptions extends AuditSourceOptions {
  /** The private key is gone: the new key is signed by itself only (the old public key is kept if `.pub` exists). */
  lostKey?: boolean;
  /** Why, in a few words. */
  reason?: string;
}

/** Writes `content` to `path` through a temporary file and a rename (never a half-written key). */
function writeAtomically(path: string, content: string, mode: number): void {
  const temp = `${path}.${process.pid}.tmp`;
  writeFileSync(temp, content, { mode, flag: "w" });
  renameSync(temp, path);
}

/**
 * `switchboard audit rotate-key [--lost-key] [--reason TEXT]`, with the bot stopped: checks the log against its
 * checkpoints, makes a new Ed25519 key, records the rotation in `<keyFile>.rotations.jsonl` signed by the old key
 * and the new one (by the new one only with `--lost-key`), keeps the old private key as
 * `<keyFile>.retired-<id>`, records an `operator` audit entry and signs a checkpoint of the new head with the new
 * key. Earlier checkpoints stay verifiable, so runtime role grants backed by them stay trusted.
 */
export async function auditRotateKeyCommand(options: AuditRotateKeyOptions): Promise<number> {
  const { path, database, auditLog, audit, durable, writeShared, close } = await openAudit(options);
  try {
    const files = auditFiles(audit, path, true, database);
    let oldPrivatePem: string | undefined;
    let oldPublicPem: string | null = null;
    if (options.lostKey) {
      if (existsSync(files.keyFile))
        throw new CliError(
          `--lost-key, but the audit key ${files.keyFile} is there: rotate without --lost-key, so the old key vouches for the new one`,
        );
      if (existsSync(files.publicKeyFile)) oldPublicPem = readFileSync(files.publicKeyFile, "utf8");
    } else {
      oldPrivatePem = readPrivateKey(files, "audit rotate-key");
      oldPublicPem = publicPemOf(oldPrivatePem);
    }
    const oldKey = oldPublicPem ? checkpointPublicKey(oldPublicPem) : undefined;
    if (!oldKey && !options.lostKey) throw new CliError("no audit key to rotate");
    if (oldKey) {
      // Rotate only a log that verifies: a rotation must not launder a cut-off or recomputed log.
      const anchors = readTrustedAnchors(files, oldKey);
      const result = await verifyAnchored(auditLog.entries(), { checkpoints: anchors.checkpoints });
      const problem = !result.chain.ok
        ? `entry #${result.chain.firstBad.seq}: ${result.chain.firstBad.reason}`
        : result.problems[0]
          ? describeAnchorProblem(result.problems[0])
          : anchors.bad[0]
            ? `checkpoint line ${anchors.bad[0].line}: ${anchors.bad[0].reason}`
            : undefined;
      if (problem)
        throw new CliError(
          `refused: audit verify fails (${problem}); restore and re-anchor first (docs/operations.md), then rotate`,
        );
    }
    const fresh = generateCheckpointKey();
    const newKey = checkpointPublicKey(fresh.publicKeyPem);
    const by = operatorName();
    const reason = options.reason ?? (options.lostKey ? "the old key was lost" : "scheduled rotation");
    const unsigned: Omit<KeyRotation, "fromSignature" | "toSignature"> = {
      from: oldKey ? keyIdOf(oldKey) : "unknown",
      fromPublicKey: oldPublicPem,
      to: keyIdOf(newKey),
      toPublicKey: fresh.publicKeyPem,
      time: new Date().toISOString(),
      by,
      reason,
    };
    const message = rotationMessage(unsigned);
    const rotation: KeyRotation = {
      ...unsigned,
      fromSignature: oldPrivatePem ? signWith(oldPrivatePem, message) : null,
      toSignature: signWith(fresh.privateKeyPem, message),
    };
    // The record first: should the swap below fail, the old key is still in place and the record leads nowhere.
    const rotations = rotationsFile(files);
    mkdirSync(dirname(rotations), { recursive: true, mode: 0o700 });
    appendFileSync(rotations, `${JSON.stringify(rotation)}\n`, { mode: 0o600 });
    const retired = `${files.keyFile}.retired-${unsigned.from}`;
    if (oldPrivatePem) renameSync(files.keyFile, retired);
    writeAtomically(files.keyFile, fresh.privateKeyPem, 0o600);
    writeAtomically(files.publicKeyFile, fresh.publicKeyPem, 0o644);
    const summary = `${by} rotated the audit key from ${unsigned.from} to ${unsigned.to} (${reason}${options.lostKey ? "; the old key was lost" : ""})`;
    const entry = await recordOperatorAction(auditLog, {
      actor: `operator:${by}`,
      command: "audit rotate-key",
      detail: { summary, from: unsigned.from, to: unsigned.to, lostKey: Boolean(options.lostKey), reason },
    });
    await new Promise((resolveLater) => setTimeout(resolveLater, 2));
    const head = await checkpointHead(auditLog, files, fresh.privateKeyPem, durable, writeShared);
    const lines = [
      `rotated: ${summary}`,
      `  new key ${files.keyFile} (public ${files.publicKeyFile})`,
      oldPrivatePem
        ? `  old key kept as ${retired}: move it offline or delete it; its checkpoints stay verifiable through ${rotations}`
        : `  rotation recorded in ${rotations}${oldPublicPem ? "" : " (no public key of the lost key was kept: its checkpoints vouch for nothing)"}`,
      `  recorded in audit entry #${entry.seq}; checkpoint of entry #${head.seq} signed with the new key`,
    ];
    process.stdout.write(`${lines.join("\n")}\n`);
    return 0;
  } finally {
    close();
  }
}
