/**
 * `@switchboard/adapter-matrix`: run a Switchboard bot on a Matrix homeserver (matrix-js-sdk, Rust crypto).
 * @module
 */

export { MatrixAdapter } from "./matrix-adapter.js";
export { RecoveryExistsError, setupRecovery } from "./setup-recovery.js";
