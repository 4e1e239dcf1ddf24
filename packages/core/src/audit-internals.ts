/**
 * `@switchboard/core/audit`: the audit chain and checkpoint internals, for audit-log stores (SQLite, PostgreSQL)
 * and the CLI (`audit verify`, `audit tail`, checkpoint files). Embedders, adapters and plugins do not need it.
 * @module
 */

// The chain: canonical encoding, hashes, verification.
export {
  type AuditQuery,
  canonicalJson,
  chainRecords,
  GENESIS_HASH,
  hashEntry,
  type VerifyResult,
  verifyChain,
} from "./audit/audit.js";
// Checkpoints: signed heads kept outside the database, and verification against them.
export {
  type AnchoredVerifyResult,
  describeAnchorProblem,
  type KeptHead,
  verifyAnchored,
} from "./audit/audit-anchor.js";
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
  verifyCheckpoint,
} from "./audit/audit-checkpoint.js";
export { auditSummary } from "./audit/audit-summary.js";
export { CheckpointingAuditLog } from "./audit/checkpointing-audit-log.js";
export { auditRoleGrants, type RoleGrantAudit } from "./policy/role-grant-audit.js";
// What a store implements besides the Store interface.
export type { LockRequest, LockResult } from "./store/store.js";
export { ClaimRefusedError, type MessageClaim } from "./intake/intake-claim.js";
