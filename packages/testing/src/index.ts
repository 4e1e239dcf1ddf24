export { type ContractDriver, type ContractSetup, runAdapterContract } from "./contract.js";
export {
  createHarness,
  type Exchange,
  type Harness,
  type HarnessOptions,
  type Speaker,
  type SpeakerOptions,
} from "./harness.js";
export { MemoryAdapter, type SentMessage } from "./memory-adapter.js";
export { runStoreContract } from "./store-contract.js";
