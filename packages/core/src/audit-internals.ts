/**
 * `@switchboard/core/audit`: the audit chain and checkpoint internals, for audit-log stores (SQLite, PostgreSQL)
 * and the CLI (`audit verify`, `audit tail`, checkpoint files). Embedders, adapters and plugins do not need it.
 * @module
 */

// The chain: canonical encoding, hashes, verification.
export { type AuditQuery, canonicalJson, chainRecords, GENESIS_HASH, hashEntry, verifyChain } from "./audit.js";
// Checkpoints: signed heads kept outside the database, and verification against them.
export { type AnchoredVerifyResult, describeAnchorProblem, type KeptHead, verifyAnchored } from "./audit-anchor.js";
export {
  type AuditCheckpoint,
  type AuditHead,
  type BadCheckpointLine,
  type CheckpointFile,
  type CheckpointSigner,
  checkpointPublicKey,
  checkpointSigner,
  formatCheckpointLine,
  generateCheckpointKey,
  keyIdOf,
  readCheckpoints,
} from "./audit-checkpoint.js";
export { auditSummary } from "./audit-summary.js";
export { CheckpointingAuditLog } from "./checkpointing-audit-log.js";
export { auditRoleGrants, type RoleGrantAudit } from "./role-grant-audit.js";
// What a store implements besides the Store interface.
export type { LockRequest, LockResult } from "./store.js";
