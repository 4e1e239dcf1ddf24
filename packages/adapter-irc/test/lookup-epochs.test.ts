import { describe, expect, it } from "vitest";
import { LookupEpochs } from "../src/lookup-epochs.js";

/** The bookkeeping behind "a lookup answer counts only if the nick did not change while the bot asked". */
describe("account lookups and nick changes", () => {
  it("voids a lookup when its nick changed meanwhile, not for other nicks or earlier changes", () => {
    const epochs = new LookupEpochs();
    epochs.changed("boss");
    const boss = epochs.begin("boss");
    const other = epochs.begin("other");
    epochs.changed("boss");
    expect(boss()).toBe(true);
    expect(other()).toBe(false);
  });

  it("still voids it after a flood of other nick changes (nothing is forgotten while a lookup waits)", () => {
    const epochs = new LookupEpochs();
    const boss = epochs.begin("boss");
    for (let i = 0; i < 20_000; i++) epochs.changed(`flood${i}`);
    epochs.changed("boss");
    expect(boss()).toBe(true);
  });

  it("keeps overlapping lookups of one nick apart, and remembers nothing once they are answered", () => {
    const epochs = new LookupEpochs();
    const first = epochs.begin("boss");
    epochs.changed("boss");
    const second = epochs.begin("boss");
    expect(second()).toBe(false);
    expect(first()).toBe(true);
    expect(epochs.size).toBe(0);
    for (let i = 0; i < 1000; i++) epochs.changed(`nick${i}`);
    expect(epochs.size).toBe(0);
  });
});
