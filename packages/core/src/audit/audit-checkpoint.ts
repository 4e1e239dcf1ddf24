/**
 * Signed checkpoints of the audit log: an Ed25519 signature over a position in the chain (its seq and hash), made
 * with a key kept outside the database. Whoever can rewrite the database cannot make a checkpoint, so a log that was
 * recomputed or cut off after a checkpoint no longer matches it. No file I/O here: the caller keeps the key and the
 * checkpoint file.
 * @module
 */
import {
  createPrivateKey,
  createPublicKey,
  generateKeyPairSync,
  hash,
  type KeyObject,
  sign,
  verify,
} from "node:crypto";

/** A position in the chain: an entry's seq and its hash. */
export interface AuditHead {
  seq: number;
  hash: string;
}

/** A signed statement "entry #seq of the log had this hash at this time". One JSON line in the checkpoint file. */
export interface AuditCheckpoint extends AuditHead {
  /** ISO-8601 time of signing. */
  time: string;
  /** Which key signed it: the first 16 hex digits of sha256 over the public key (SPKI DER). */
  keyId: string;
  /** Ed25519 signature over {@link checkpointMessage}, base64. */
  signature: string;
}

const HASH = /^[0-9a-f]{64}$/;

/** The bytes a checkpoint signs: a fixed label (so no other signed text can pass for one), seq, hash and time. */
export function checkpointMessage(head: AuditHead, time: string): Buffer {
  return Buffer.from(`switchboard audit checkpoint v1\n${head.seq}\n${head.hash}\n${time}`, "utf8");
}

/** The key id of a public key: the first 16 hex digits of sha256 over its SPKI DER encoding. */
export function keyIdOf(publicKey: KeyObject): string {
  return hash("sha256", publicKey.export({ type: "spki", format: "der" }), "hex").slice(0, 16);
}

/** A new Ed25519 key pair as PEM text (private key PKCS#8, public key SPKI). */
export function generateCheckpointKey(): { privateKeyPem: string; publicKeyPem: string } {
  const { privateKey, publicKey } = generateKeyPairSync("ed25519");
  return {
    privateKeyPem: privateKey.export({ type: "pkcs8", format: "pem" }).toString(),
    publicKeyPem: publicKey.export({ type: "spki", format: "pem" }).toString(),
  };
}

/** Signs checkpoints with one private key. */
export interface CheckpointSigner {
  readonly keyId: string;
  readonly publicKey: KeyObject;
  /** A checkpoint of `head`, signed now (or at `time`). */
  sign(head: AuditHead, time?: Date): AuditCheckpoint;
}

function checkHead(head: AuditHead): void {
  if (!Number.isSafeInteger(head.seq) || head.seq < 1) throw new RangeError(`not an entry number: ${head.seq}`);
  if (!HASH.test(head.hash)) throw new RangeError(`not an entry hash: ${head.hash}`);
}

/**
 * A signer for an Ed25519 private key (PEM).
 * @throws When the text is not an Ed25519 private key.
 */
export function checkpointSigner(privateKeyPem: string): CheckpointSigner {
  const privateKey = createPrivateKey(privateKeyPem);
  if (privateKey.asymmetricKeyType !== "ed25519")
    throw new Error(`the audit key must be an Ed25519 key, not ${privateKey.asymmetricKeyType}`);
  const publicKey = createPublicKey(privateKey);
  const keyId = keyIdOf(publicKey);
  return {
    keyId,
    publicKey,
    sign(head, at = new Date()) {
      checkHead(head);
      const time = at.toISOString();
      const signature = sign(null, checkpointMessage(head, time), privateKey).toString("base64");
      return { seq: head.seq, hash: head.hash, time, keyId, signature };
    },
  };
}

/**
 * The public key to check checkpoints with: from a private key (PEM) or a public key (PEM).
 * @throws When the text is neither, or the key is not Ed25519.
 */
export function checkpointPublicKey(pem: string): KeyObject {
  const key = pem.includes("PRIVATE KEY") ? createPublicKey(createPrivateKey(pem)) : createPublicKey(pem);
  if (key.asymmetricKeyType !== "ed25519")
    throw new Error(`the audit key must be an Ed25519 key, not ${key.asymmetricKeyType}`);
  return key;
}

/** True when `checkpoint` carries a valid signature by `publicKey` over its seq, hash and time. */
export function verifyCheckpoint(checkpoint: AuditCheckpoint, publicKey: KeyObject): boolean {
  let signature: Buffer;
  try {
    signature = Buffer.from(checkpoint.signature, "base64");
    return verify(null, checkpointMessage(checkpoint, checkpoint.time), publicKey, signature);
  } catch {
    return false;
  }
}

/** One JSON line of the checkpoint file (ends with a newline). */
export function formatCheckpointLine(checkpoint: AuditCheckpoint): string {
  const { seq, hash: entryHash, time, keyId, signature } = checkpoint;
  return `${JSON.stringify({ seq, hash: entryHash, time, keyId, signature })}\n`;
}

/** A line of a checkpoint file that does not hold a valid checkpoint, and why. */
export interface BadCheckpointLine {
  /** 1-based line number. */
  line: number;
  reason: string;
  /** The entry it claims to vouch for, when it says. */
  seq?: number;
}

/** What {@link readCheckpoints} found: the checkpoints with valid signatures (by seq) and every bad line. */
export interface CheckpointFile {
  checkpoints: AuditCheckpoint[];
  bad: BadCheckpointLine[];
}

function parseCheckpoint(text: string): AuditCheckpoint | string {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return "it is not JSON";
  }
  if (value === null || typeof value !== "object" || Array.isArray(value)) return "it is not a JSON object";
  const { seq, hash: entryHash, time, keyId, signature } = value as Record<string, unknown>;
  if (typeof seq !== "number" || !Number.isSafeInteger(seq) || seq < 1) return "its seq is not an entry number";
  if (typeof entryHash !== "string" || !HASH.test(entryHash)) return "its hash is not a sha256 hex digest";
  if (typeof time !== "string" || Number.isNaN(Date.parse(time))) return "its time is not a date";
  if (typeof keyId !== "string" || typeof signature !== "string") return "it has no keyId or signature";
  return { seq, hash: entryHash, time, keyId, signature };
}

/**
 * Parses a checkpoint file's text and checks every signature with `publicKey`. A line that is not a checkpoint, is
 * signed by another key, or whose signature does not match is reported in `bad` (a forged or damaged checkpoint);
 * blank lines are skipped. The valid checkpoints come back sorted by seq.
 */
export function readCheckpoints(text: string, publicKey: KeyObject): CheckpointFile {
  const keyId = keyIdOf(publicKey);
  const checkpoints: AuditCheckpoint[] = [];
  const bad: BadCheckpointLine[] = [];
  const lines = text.split("\n");
  for (const [index, raw] of lines.entries()) {
    if (raw.trim() === "") continue;
    const line = index + 1;
    const parsed = parseCheckpoint(raw);
    if (typeof parsed === "string") {
      bad.push({ line, reason: `${parsed}: not a checkpoint` });
      continue;
    }
    if (parsed.keyId !== keyId)
      bad.push({ line, seq: parsed.seq, reason: `signed by key ${parsed.keyId}, not by this key (${keyId})` });
    else if (!verifyCheckpoint(parsed, publicKey))
      bad.push({ line, seq: parsed.seq, reason: "its signature does not match (forged or edited)" });
    else checkpoints.push(parsed);
  }
  checkpoints.sort((a, b) => a.seq - b.seq);
  return { checkpoints, bad };
}
