/**
 * The audit keys over time. `switchboard audit rotate-key` appends a rotation record to `<keyFile>.rotations.jsonl`:
 * the old and the new public key, signed by both (the old key vouches for its successor; the new key proves it
 * was there). Checkpoints signed by an earlier key stay verifiable through that chain; a checkpoint signed by a
 * retired key after its retirement, or by a key no rotation leads to, is reported as bad. Reading a checkpoint file
 * here uses core's `readCheckpoints` once per key, so each line is checked exactly as before.
 * @module
 */
import { createPrivateKey, createPublicKey, type KeyObject, sign, verify } from "node:crypto";
import { existsSync, readFileSync } from "node:fs";
import { type BadCheckpointLine, type CheckpointFile, keyIdOf, readCheckpoints } from "@switchboard/core/audit";
import type { AuditFiles } from "./audit-anchor.js";

/** One line of the rotations file. */
export interface KeyRotation {
  /** The retired key's id, and its public key (PEM; null when it was lost with its private key). */
  from: string;
  fromPublicKey: string | null;
  /** The new key's id and public key (PEM). */
  to: string;
  toPublicKey: string;
  /** ISO time of the rotation: the retired key signs nothing after it. */
  time: string;
  /** Who rotated (the OS login of whoever ran the command). */
  by: string;
  reason: string;
  /** Signature by the retired key (base64); null when it was lost (`--lost-key`). */
  fromSignature: string | null;
  /** Signature by the new key (base64). */
  toSignature: string;
}

/** A key checkpoints may be signed with, and until when. */
export interface TrustedKey {
  keyId: string;
  publicKey: KeyObject | null;
  /** Retired at this time (undefined: the current key). */
  retiredAt?: string;
  /** The rotation that retired it. */
  rotation?: KeyRotation;
}

/** The rotations file beside the key. */
export function rotationsFile(files: AuditFiles): string {
  return `${files.keyFile}.rotations.jsonl`;
}

/** The bytes a rotation record signs (the label keeps any other signed text from passing for one). */
export function rotationMessage(r: Omit<KeyRotation, "fromSignature" | "toSignature">): Buffer {
  return Buffer.from(
    [
      "switchboard audit key rotation v1",
      r.from,
      r.fromPublicKey ?? "-",
      r.to,
      r.toPublicKey,
      r.time,
      r.by,
      r.reason,
    ].join("\n"),
    "utf8",
  );
}

/** Signs `message` with an Ed25519 private key (PEM), base64. */
export function signWith(privateKeyPem: string, message: Buffer): string {
  return sign(null, message, createPrivateKey(privateKeyPem)).toString("base64");
}

/** The public key (PEM, SPKI) of a private key (PEM). */
export function publicPemOf(privateKeyPem: string): string {
  return createPublicKey(createPrivateKey(privateKeyPem)).export({ type: "spki", format: "pem" }).toString();
}

function verifies(publicKey: KeyObject, message: Buffer, signature: string): boolean {
  try {
    return verify(null, message, publicKey, Buffer.from(signature, "base64"));
  } catch {
    return false;
  }
}

/** The rotation records in the file (unparseable lines are skipped: they can lead to no key). */
export function readRotations(files: AuditFiles): KeyRotation[] {
  const path = rotationsFile(files);
  if (!existsSync(path)) return [];
  const out: KeyRotation[] = [];
  for (const line of readFileSync(path, "utf8").split("\n")) {
    if (!line.trim()) continue;
    try {
      const value = JSON.parse(line) as KeyRotation;
      if (typeof value.from === "string" && typeof value.to === "string" && typeof value.toPublicKey === "string")
        out.push(value);
    } catch {
      // Not a record.
    }
  }
  return out;
}

/**
 * The keys whose checkpoints count, newest first: the current key, then each key that a valid rotation record
 * says it replaced (both signatures checked; a lost key's record carries only the new key's signature).
 */
export function trustedKeys(current: KeyObject, rotations: KeyRotation[]): TrustedKey[] {
  const keys: TrustedKey[] = [{ keyId: keyIdOf(current), publicKey: current }];
  let head: KeyObject = current;
  for (;;) {
    const headId = keyIdOf(head);
    // The newest record to this key whose signatures hold (a forged record beside it changes nothing).
    const found = [...rotations]
      .reverse()
      .filter((r) => r.to === headId && !keys.some((k) => k.keyId === r.from))
      .map((r) => ({ rotation: r, from: verifiedPredecessor(r, headId) }))
      .find((candidate) => candidate.from !== undefined);
    if (!found) break;
    const { rotation, from } = found;
    keys.push({ keyId: rotation.from, publicKey: from!.key, retiredAt: rotation.time, rotation });
    if (!from!.key) break;
    head = from!.key;
  }
  return keys;
}

/**
 * The retired key a rotation record vouches for, when its signatures hold: the new key's over the record (it must
 * be the key `toId`), and the old key's too unless the record says the old key was lost (then its public key, if
 * kept, is taken as written, or null). Undefined when the record does not hold.
 */
function verifiedPredecessor(rotation: KeyRotation, toId: string): { key: KeyObject | null } | undefined {
  const message = rotationMessage(rotation);
  try {
    const toKey = createPublicKey(rotation.toPublicKey);
    if (keyIdOf(toKey) !== toId || !verifies(toKey, message, rotation.toSignature)) return undefined;
    if (!rotation.fromPublicKey) return rotation.fromSignature === null ? { key: null } : undefined;
    const fromKey = createPublicKey(rotation.fromPublicKey);
    if (keyIdOf(fromKey) !== rotation.from) return undefined;
    if (rotation.fromSignature !== null && !verifies(fromKey, message, rotation.fromSignature)) return undefined;
    return { key: fromKey };
  } catch {
    return undefined;
  }
}

/** What {@link readCheckpointsWithKeys} found: valid checkpoints of any trusted key, bad lines, and set-aside ones. */
export interface KeyedCheckpointFile extends CheckpointFile {
  /** Checkpoints of a key whose public key was lost: they cannot be checked, so they vouch for nothing. */
  unverifiable: Array<{ line: number; keyId: string }>;
}

/**
 * Reads a checkpoint file's text with every trusted key: each line is checked by core's `readCheckpoints` with the
 * key it names (other lines blanked, so line numbers stay). A line of an unknown key is checked with the current
 * key (and so reported as signed by another key); a retired key's checkpoint dated after its retirement is bad.
 */
export function readCheckpointsWithKeys(text: string, keys: TrustedKey[]): KeyedCheckpointFile {
  const lines = text.split("\n");
  const byKey = new Map<string, number[]>();
  const current = keys[0]!;
  for (const [index, raw] of lines.entries()) {
    if (!raw.trim()) continue;
    let keyId = current.keyId;
    try {
      const named = (JSON.parse(raw) as { keyId?: unknown }).keyId;
      if (typeof named === "string" && keys.some((k) => k.keyId === named)) keyId = named;
    } catch {
      // Left to the current key's reading, which reports it.
    }
    byKey.set(keyId, [...(byKey.get(keyId) ?? []), index]);
  }
  const result: KeyedCheckpointFile = { checkpoints: [], bad: [], unverifiable: [] };
  for (const [keyId, indexes] of byKey) {
    const key = keys.find((k) => k.keyId === keyId)!;
    if (!key.publicKey) {
      for (const index of indexes) result.unverifiable.push({ line: index + 1, keyId });
      continue;
    }
    const only = new Set(indexes);
    const masked = lines.map((line, index) => (only.has(index) ? line : "")).join("\n");
    const read = readCheckpoints(masked, key.publicKey);
    result.bad.push(...read.bad);
    for (const checkpoint of read.checkpoints) {
      if (key.retiredAt !== undefined && Date.parse(checkpoint.time) > Date.parse(key.retiredAt)) {
        const line = indexes.find((i) => lines[i]!.includes(checkpoint.signature))! + 1;
        result.bad.push({
          line,
          seq: checkpoint.seq,
          reason: `signed by key ${keyId} at ${checkpoint.time}, after it was retired at ${key.retiredAt}`,
        } satisfies BadCheckpointLine);
      } else result.checkpoints.push(checkpoint);
    }
  }
  result.checkpoints.sort((a, b) => a.seq - b.seq || Date.parse(a.time) - Date.parse(b.time));
  result.bad.sort((a, b) => a.line - b.line);
  return result;
}
