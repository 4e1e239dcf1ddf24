// The fuzzer at scale: node --expose-gc bench/fuzz.mjs [--seed N] [--chat 100000] [--webhooks 100000]
// Every plugin loaded through the CLI's wiring, SQLite storage, the real HTTP endpoint; prints one JSON result
// (crashes, internal errors, heap after GC at checkpoints, answers by kind, webhook statuses). Seeded and
// reproducible: the same seed generates the same cases. Build first (npm test or the bootstrap builds everything).
import { parseArgs } from "node:util";
import * as http from "@switchboard/http";
import { openSqlite } from "@switchboard/store-sqlite";
import { runFuzz } from "@switchboard/testing";
import { buildBot, loadPlugins, parseConfig } from "switchboard";

const { values } = parseArgs({
  options: {
    seed: { type: "string", default: "20261207" },
    chat: { type: "string", default: "100000" },
    webhooks: { type: "string", default: "100000" },
  },
});
if (!globalThis.gc) console.error("run with node --expose-gc for heap numbers after a full collection");
const result = await runFuzz(
  {
    http,
    app: { buildBot, loadPlugins, parseConfig },
    importPlugin: (name) => import(`@switchboard/plugin-${name}`),
    storage: (dir) => openSqlite(`${dir}/fuzz.db`),
  },
  {
    seed: Number(values.seed),
    chatCases: Number(values.chat),
    webhookCases: Number(values.webhooks),
    onProgress: (what) => console.error(`${new Date().toISOString()} ${what}`),
  },
);
const summary = {
  ...result,
  crashes: result.crashes.length,
  internal: result.internal.length,
  firstCrashes: result.crashes.slice(0, 3),
  firstInternal: result.internal.slice(0, 3),
  warnings: result.warnings.length,
};
console.log(JSON.stringify(summary, null, 2));
process.exit(result.crashes.length || result.internal.length ? 1 : 0);
