export { type ContractDriver, runAdapterContract } from "./contract.js";
export { createHarness, type Harness } from "./harness.js";
export { MemoryAdapter } from "./memory-adapter.js";
