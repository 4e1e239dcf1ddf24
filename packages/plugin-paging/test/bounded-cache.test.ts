/**
 * The PagerDuty user cache is bounded: `pager me as` looks up any address a person types, and `acting` looks up every
 * linked person. Lookups go to the fake PagerDuty over HTTP; the clock is moved (only `Date`).
 */

import { MemoryStore } from "@switchboard/core";
import type { FakePagerDuty } from "@switchboard/test-servers";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { pagingConfigSchema } from "../src/config.js";
import { Links } from "../src/links.js";
import { PagerDutyProvider } from "../src/pagerduty/provider.js";
import { pagerDutyAccount, pagerDutyConfig } from "./helpers.js";

let fake: FakePagerDuty;
beforeEach(async () => {
  ({ fake } = await pagerDutyAccount());
});
afterEach(async () => {
  vi.useRealTimers();
  await fake.stop();
});

describe("the PagerDuty user cache", () => {
  it("keeps at most 500 lookups however many addresses are asked, and forgets them after five minutes", async () => {
    const config = pagingConfigSchema.parse(pagerDutyConfig(fake.url));
    const provider = new PagerDutyProvider(config.pagerduty!, new Links(new MemoryStore(), config), undefined);
    for (let i = 0; i < 700; i++) await provider.userByEmail(`someone${i}@example.com`);
    expect(provider.cachedUsers).toBe(500);
    expect(await provider.userByEmail("alice@example.com")).toMatchObject({ id: "PALICE1" });
    vi.useFakeTimers({ toFake: ["Date"], now: Date.now() + 6 * 60_000 });
    await provider.userByEmail("bob@example.com");
    expect(provider.cachedUsers).toBe(1);
  }, 60_000);
});
