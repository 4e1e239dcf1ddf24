export { type ContractDriver, type ContractSetup, runAdapterContract } from "./contract.js";
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
export {
  createHarness,
  type Exchange,
  type Harness,
  type HarnessOptions,
  type Speaker,
  type SpeakerOptions,
} from "./harness.js";
export { MemoryAdapter, type SentMessage } from "./memory-adapter.js";
