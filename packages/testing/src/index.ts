export { type ContractDriver, runAdapterContract } from "./contract.js";
export { createHarness, type Harness } from "./harness.js";
export { ManualClock } from "./manual-clock.js";
export { MemoryAdapter } from "./memory-adapter.js";
