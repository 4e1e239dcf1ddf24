/**
 * Verifying the audit chain against positions kept outside the database: signed checkpoints and heads someone
 * wrote down. The chain alone proves that nothing before its last entry was changed; an anchor also proves that the
 * log was not recomputed from some entry on, or cut off at the end.
 * @module
 */
import type { AuditEntry, VerifyResult } from "./audit.js";
import { verifyChain } from "./audit.js";
import type { AuditHead } from "./audit-checkpoint.js";

/** A head someone kept (from `audit verify` or a checkpoint announcement): a hash, and its seq when known. */
export interface KeptHead {
  seq?: number;
  hash: string;
}

/** An anchor that the log does not match. */
export type AnchorProblem =
  | {
      /** The log ends before the anchored entry. */
      kind: "cut";
      anchor: AuditHead & { time?: string };
      source: "checkpoint" | "head";
      /** The log's last entry. */
      lastSeq: number;
      /** The highest checkpoint below that still matches (0: none). */
      matchesThrough: number;
    }
  | {
      /** The anchored entry has another hash now. */
      kind: "mismatch";
      anchor: AuditHead & { time?: string };
      source: "checkpoint" | "head";
      found: string;
      matchesThrough: number;
    }
  | {
      /** A kept hash without a seq that no entry has. */
      kind: "missing";
      anchor: KeptHead;
      source: "head";
      lastSeq: number;
      matchesThrough: number;
    };

/** The result of {@link verifyAnchored}. */
export interface AnchoredVerifyResult {
  /** True when the chain is intact and matches every checkpoint and kept head. */
  ok: boolean;
  /** The plain chain walk (links and hashes), as {@link verifyChain} reports it. */
  chain: VerifyResult;
  /** The last entry of the intact part of the chain (undefined for an empty log). */
  last: AuditHead | undefined;
  /** The matching checkpoint with the highest seq (undefined when none matches or none was given). */
  anchor: (AuditHead & { time?: string }) | undefined;
  /** Entries of the intact chain after {@link anchor} (not vouched for by any checkpoint yet). */
  unanchored: number;
  /** The first checkpoint that does not match, and every kept head that does not. */
  problems: AnchorProblem[];
  /** Where a kept head without a seq was found, by hash. */
  headsFound: Map<string, number>;
}

/** Options for {@link verifyAnchored}. */
export interface VerifyAnchoredOptions {
  /** Checkpoints whose signatures were already checked (see `readCheckpoints`), in any order. */
  checkpoints?: ReadonlyArray<AuditHead & { time?: string }>;
  /** Heads someone kept. */
  heads?: readonly KeptHead[];
  /** Sees every entry as it is read (before it is checked), e.g. to collect role changes. */
  onEntry?: (entry: AuditEntry) => void;
}

/**
 * Walks the chain once, checking links and hashes like {@link verifyChain}, and compares the entries at every
 * checkpoint's and kept head's seq with the hash it vouches for. Only the intact part of the chain is compared.
 */
export async function verifyAnchored(
  entries: AsyncIterable<AuditEntry> | Iterable<AuditEntry>,
  options: VerifyAnchoredOptions = {},
): Promise<AnchoredVerifyResult> {
  const checkpoints = [...(options.checkpoints ?? [])].sort((a, b) => a.seq - b.seq);
  const heads = options.heads ?? [];
  const wanted = new Map<number, string | undefined>();
  for (const anchor of [...checkpoints, ...heads]) if (anchor.seq !== undefined) wanted.set(anchor.seq, undefined);
  const hashesWanted = new Set(heads.filter((h) => h.seq === undefined).map((h) => h.hash));
  const headsFound = new Map<string, number>();
  const onEntry = options.onEntry;
  async function* observed(): AsyncIterable<AuditEntry> {
    for await (const entry of entries) {
      if (wanted.has(entry.seq)) wanted.set(entry.seq, entry.hash);
      if (hashesWanted.has(entry.hash) && !headsFound.has(entry.hash)) headsFound.set(entry.hash, entry.seq);
      onEntry?.(entry);
      yield entry;
    }
  }
  const chain = await verifyChain(observed());
  const intact = chain.checked;
  const last = chain.ok && intact > 0 ? { seq: intact, hash: chain.lastHash } : undefined;
  const problems: AnchorProblem[] = [];

  let anchor: AnchoredVerifyResult["anchor"];
  for (const checkpoint of checkpoints) {
    const matchesThrough = anchor?.seq ?? 0;
    if (checkpoint.seq > intact) {
      // Past a broken link nothing can be compared; the broken chain is the report.
      if (chain.ok)
        problems.push({ kind: "cut", anchor: checkpoint, source: "checkpoint", lastSeq: intact, matchesThrough });
      break;
    }
    const found = wanted.get(checkpoint.seq)!;
    if (found !== checkpoint.hash) {
      problems.push({ kind: "mismatch", anchor: checkpoint, source: "checkpoint", found, matchesThrough });
      break;
    }
    anchor = checkpoint;
  }
  const matchesThrough = anchor?.seq ?? 0;
  for (const head of heads) {
    if (head.seq === undefined) {
      if (!headsFound.has(head.hash) && chain.ok)
        problems.push({ kind: "missing", anchor: head, source: "head", lastSeq: intact, matchesThrough });
      continue;
    }
    const seq = head.seq;
    if (seq > intact) {
      if (chain.ok)
        problems.push({
          kind: "cut",
          anchor: { seq, hash: head.hash },
          source: "head",
          lastSeq: intact,
          matchesThrough,
        });
      continue;
    }
    const found = wanted.get(seq)!;
    if (found !== head.hash)
      problems.push({ kind: "mismatch", anchor: { seq, hash: head.hash }, source: "head", found, matchesThrough });
  }
  return {
    ok: chain.ok && problems.length === 0,
    chain,
    last,
    anchor,
    unanchored: intact - matchesThrough,
    problems,
    headsFound,
  };
}

const shortHash = (hash: string) => `${hash.slice(0, 12)}…`;

/** One sentence about a problem, naming the anchor and after which entry the log can no longer be trusted. */
export function describeAnchorProblem(problem: AnchorProblem): string {
  if (problem.source === "head") {
    const kept = `the kept head ${problem.anchor.seq === undefined ? "" : `#${problem.anchor.seq} `}${shortHash(problem.anchor.hash)}`;
    switch (problem.kind) {
      case "cut":
        return `the log ends at entry #${problem.lastSeq}, before ${kept}: it was cut off or recomputed`;
      case "mismatch":
        return `entry #${problem.anchor.seq} has hash ${shortHash(problem.found)}, not ${kept}: the log was recomputed or cut off at or before entry #${problem.anchor.seq}`;
      case "missing":
        return `no entry up to #${problem.lastSeq} has ${kept}: the log was recomputed or cut off before it`;
    }
  }
  const after =
    problem.matchesThrough > 0
      ? `the log was recomputed or cut off after entry #${problem.matchesThrough}`
      : "the log was recomputed or cut off (no earlier checkpoint matches)";
  const time = problem.anchor.time ? ` signed at ${problem.anchor.time}` : "";
  const what = `the checkpoint of entry #${problem.anchor.seq}${time}`;
  if (problem.kind === "cut")
    return `the log ends at entry #${problem.lastSeq}, but ${what} vouches for entry #${problem.anchor.seq}: ${after}`;
  return `entry #${problem.anchor.seq} has hash ${shortHash(problem.kind === "mismatch" ? problem.found : "")}, not ${shortHash(problem.anchor.hash)} as ${what} says: ${after}`;
}
