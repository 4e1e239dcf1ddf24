/**
 * String arguments are bounded where they enter core ({@link MAX_TEXT_CHARS} unless a command says `maxLength`),
 * and the refusal does not echo the text back.
 */
import { arg, defineCommand, MAX_TEXT_CHARS } from "@switchboard/core";
import { describe, expect, it } from "vitest";
import { createHarness } from "../src/index.js";
import { policy } from "./fixtures.js";

const note = defineCommand({
  name: "note",
  summary: "Keep a note",
  permission: "deploy:run",
  args: { text: arg.string({ positional: true, required: true, rest: true }) },
  handler: ({ args }) => `noted ${args.text.length} characters`,
});
const essay = defineCommand({
  name: "essay",
  summary: "Keep a long note",
  permission: "deploy:run",
  args: { text: arg.string({ positional: true, required: true, rest: true, maxLength: 100_000 }) },
  handler: ({ args }) => `kept ${args.text.length} characters`,
});

describe("free text", () => {
  it("a 60 KB argument is refused with the limit named and without echoing it; maxLength raises the limit", async () => {
    const h = await createHarness({ policy, commands: [note, essay] });
    const text = "x".repeat(60_000);
    const refused = (await h.as("bob").say(`!note ${text}`)).text;
    expect(refused).toMatch(new RegExp(`text is 60000 characters long; at most ${MAX_TEXT_CHARS} are accepted`));
    expect(refused.length).toBeLessThan(300);
    expect((await h.as("bob").say(`!note ${"y".repeat(MAX_TEXT_CHARS)}`)).text).toBe(
      `noted ${MAX_TEXT_CHARS} characters`,
    );
    expect((await h.as("bob").say(`!essay ${text}`)).text).toBe("kept 60000 characters");
    await h.close();
  });
});
