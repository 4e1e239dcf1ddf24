export { type ContractDriver, runAdapterContract } from "./contract.js";
export {
  chatLine,
  type FuzzDeps,
  type FuzzOptions,
  type FuzzRequest,
  type FuzzResult,
  type FuzzStorage,
  fuzzConfig,
  prng,
  runFuzz,
  webhookRequest,
} from "./fuzz.js";
export { createHarness, type Harness } from "./harness.js";
export { ManualClock } from "./manual-clock.js";
export { MemoryAdapter } from "./memory-adapter.js";
export { type RaceStorage, runRoleGrantRace } from "./role-grant-race.js";
export { runStoreContract } from "./store-contract.js";
