import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { createHarness } from "../src/index.js";
import { deploy, policy } from "./fixtures.js";

describe("fuzzing the parser through the bot", () => {
  it("arbitrary text never crashes the bot: it is ignored or answered, never with an internal error", async () => {
    const h = await createHarness({ policy, commands: [deploy] });
    const words = fc.constantFrom(
      "deploy",
      "role",
      "grant",
      "why",
      "help",
      "audit",
      "--limit",
      "--",
      "-f",
      "to",
      "production",
      "'",
      '"',
      "\\",
      "api/x",
      "$(rm -rf /)",
      "`id`",
      "--token=",
      "--__proto__",
      "--constructor",
      "🙂",
      "\u0000",
      "\n",
    );
    const line = fc.oneof(
      fc.string(),
      fc.array(words, { maxLength: 8 }).map((w) => w.join(" ")),
      fc.string({ unit: "binary" }),
    );
    await fc.assert(
      fc.asyncProperty(line, fc.boolean(), async (text, addressed) => {
        const exchange = await h.as("alice").say(addressed ? `!${text}` : text);
        expect(exchange.text).not.toMatch(/internal error/);
        for (const message of exchange.messages) expect(message.blocks.length).toBeGreaterThan(0);
      }),
      { numRuns: 400 },
    );
    await h.idle();
    await h.close();
  });
});
