/**
 * `@switchboard/store-postgres`: several Switchboard instances on one PostgreSQL database — core's {@link Store} and
 * {@link AuditLog} (one hash chain for all instances), exactly-once intake, at-most-once jobs, leases with fencing
 * tokens for exclusive resources, sealed adapter state that follows a lease (Matrix failover), webhook delivery
 * dedupe.
 * @module
 */

export { checkStateKey, LeasedState, parseStateKey } from "./adapter-state.js";
export type { CheckpointTable, StoredCheckpoint, StoredCheckpoints } from "./checkpoint-table.js";
export { InstanceRegistry } from "./instances.js";

export { LeaseElector, LeaseLostError, leaseHolders } from "./lease-elector.js";
export { LeaseListener } from "./lease-listener.js";
export { LeasedAdapter } from "./leased-adapter.js";
export { migratePostgres, openPostgres, type PostgresStorage } from "./open-postgres.js";
