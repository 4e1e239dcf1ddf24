/**
 * `@switchboard/store-postgres`: several Switchboard instances on one PostgreSQL database — core's {@link Store} and
 * {@link AuditLog} (one hash chain for all instances), exactly-once intake, at-most-once jobs, leases with fencing
 * tokens for exclusive resources, webhook delivery dedupe.
 * @module
 */
export {
  type ConnectOptions,
  checkSession,
  connectClient,
  guardSettings,
  PoolerRefusedError,
  type SessionGuards,
} from "./connect.js";
export { type AbandonedJob, InstanceRegistry, type InstanceRegistryOptions } from "./instances.js";
export { IntakeLog } from "./intake-log.js";
export {
  LEASE_CHANNEL,
  type Lease,
  LeaseElector,
  type LeaseElectorOptions,
  LeaseLostError,
  leaseHolders,
} from "./lease-elector.js";
export { LeaseListener } from "./lease-listener.js";
export { LeasedAdapter, type LeasedAdapterOptions, StandbyError } from "./leased-adapter.js";
export {
  defaultInstanceId,
  migratePostgres,
  type OpenPostgresOptions,
  openPostgres,
  type PostgresStorage,
} from "./open-postgres.js";
export { PostgresAuditLog } from "./postgres-audit-log.js";
export { PostgresStore, type PostgresStoreOptions } from "./postgres-store.js";
export { type MigrationResult, SCHEMA_VERSION } from "./schema.js";
export { claimDelivery } from "./webhook-deliveries.js";
