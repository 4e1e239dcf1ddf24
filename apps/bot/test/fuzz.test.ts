/**
 * The fuzzer's CI slice (bench/fuzz.mjs runs the full 100,000 + 100,000): 2,000 generated chat lines through the full
 * dispatch of a bot wired by the CLI's own code with every plugin, and 2,000 correctly signed webhook bodies through
 * the real HTTP endpoint. Nothing may crash and nothing may end as an internal error. Seeded: a failure names its
 * seed, and `node bench/fuzz.mjs --seed <seed>` replays it.
 */
import * as http from "@switchboard/http";
import { runFuzz } from "@switchboard/testing";
import { describe, expect, it } from "vitest";
import { buildBot, loadPlugins, parseConfig } from "../src/index.js";

const importPlugin = (name: string) => import(`@switchboard/plugin-${name}`);
const seed = Number(process.env.FUZZ_SEED ?? 20261207);

describe("fuzzing (a 2,000 + 2,000 slice)", () => {
  it(`seed ${seed}: no crash, no internal error`, async () => {
    const result = await runFuzz(
      { http, app: { buildBot, loadPlugins, parseConfig }, importPlugin },
      { seed, chatCases: 2000, webhookCases: 2000 },
    );
    if (process.env.FUZZ_DUMP)
      (await import("node:fs")).writeFileSync(process.env.FUZZ_DUMP, JSON.stringify(result, null, 1));
    expect(result.commands).toBeGreaterThan(30);
    expect(result.crashes).toEqual([]);
    expect(result.internal).toEqual([]);
    // the webhooks were answered, most of them accepted (signed), none with 5xx
    const answered = Object.entries(result.statuses);
    expect(answered.some(([key]) => / 200$/.test(key))).toBe(true);
  }, 600_000);
});
