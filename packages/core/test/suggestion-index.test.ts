import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { defineCommand, suggest } from "../src/index.js";
import { CommandRegistry } from "../src/registry.js";
import { SuggestionIndex } from "../src/suggestion-index.js";

const noop = () => undefined;

/** Short words over a few letters, so random words are often a typo, a prefix or a swap of one another. */
const word = (maxLength: number) =>
  fc.string({ unit: fc.constantFrom("a", "b", "c", "d", "e", "A", "é", "-"), minLength: 0, maxLength });

/** A query made from one of the words by up to three random edits (or any word at all). */
const queryFor = (words: string[]) =>
  fc.oneof(
    word(12),
    fc
      .record({
        base: fc.constantFrom(...(words.length ? words : [""])),
        edits: fc.array(fc.tuple(fc.nat(), fc.constantFrom("insert", "delete", "replace", "swap"), word(1)), {
          maxLength: 3,
        }),
      })
      .map(({ base, edits }) => {
        let text = base;
        for (const [at, kind, ch] of edits) {
          const i = text.length ? at % text.length : 0;
          if (kind === "insert") text = text.slice(0, i) + ch + text.slice(i);
          else if (kind === "delete") text = text.slice(0, i) + text.slice(i + 1);
          else if (kind === "replace") text = text.slice(0, i) + ch + text.slice(i + 1);
          else if (i + 1 < text.length) text = text.slice(0, i) + text[i + 1] + text[i] + text.slice(i + 2);
        }
        return text;
      }),
  );

describe("suggestion index", () => {
  it("returns exactly what a scan of every word returns, for random words, queries and limits", () => {
    fc.assert(
      fc.property(
        fc
          .uniqueArray(word(10), { maxLength: 60 })
          .chain((words) =>
            fc.tuple(fc.constant(words), fc.array(queryFor(words), { minLength: 1, maxLength: 8 }), fc.nat(6)),
          ),
        ([words, queries, limit]) => {
          const index = new SuggestionIndex(words);
          for (const query of queries) expect(index.suggest(query, limit)).toEqual(suggest(query, words, limit));
          for (const query of queries) expect(index.suggest(query)).toEqual(suggest(query, words));
        },
      ),
      { numRuns: 500 },
    );
  });

  it("agrees with the scan on 1000 similar command names (the benchmark's shape)", () => {
    const words = Array.from({ length: 1000 }, (_, i) => `cmd${i}`);
    const index = new SuggestionIndex(words);
    fc.assert(
      fc.property(queryFor(words), (query) => {
        expect(index.suggest(query)).toEqual(suggest(query, words));
      }),
      { numRuns: 300 },
    );
    // The transposition first, then the closest others in collation order.
    expect(index.suggest("cdm42")).toEqual(["cmd42", "cmd142", "cmd242"]);
    expect(index.suggest("c")).toEqual(["cmd0", "cmd1", "cmd10"]);
  });

  it("keeps the registry's suggestions current as commands are added after a miss", () => {
    const registry = new CommandRegistry();
    registry.register(defineCommand({ name: "deploy", summary: "d", handler: noop }));
    expect(registry.lookup(["delpoy"])).toMatchObject({ found: false, suggestions: ["deploy"] });
    expect(registry.lookup(["statsu"])).toMatchObject({ found: false, suggestions: [] });
    registry.register(defineCommand({ name: "status", summary: "s", handler: noop }));
    registry.register(defineCommand({ name: "deploys", summary: "d", handler: noop }));
    expect(registry.lookup(["statsu"])).toMatchObject({ found: false, suggestions: ["status"] });
    expect(registry.lookup(["delpoy"])).toMatchObject({ found: false, suggestions: ["deploy", "deploys"] });
    const miss = registry.lookup(["nope"]);
    if (miss.found) throw new Error("expected a miss");
    miss.group.push("changed by a caller");
    expect(registry.lookup(["nope"])).toMatchObject({ group: ["deploy", "deploys", "status"] });
  });

  it("treats names that look like object keys as plain words", () => {
    const index = new SuggestionIndex(["constructor", "proto", "deploy"]);
    expect(index.suggest("__proto__")).toEqual(suggest("__proto__", ["constructor", "proto", "deploy"]));
    expect(index.suggest("constructr")).toEqual(["constructor"]);
  });
});
