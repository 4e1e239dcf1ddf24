import { slackBot as bot } from "@switchboard/test-servers";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { decode, ops, people, type Rig, settle, startRig, testPng, waitForText } from "./rig.js";

/** What the bot's output looks like in Slack: Block Kit, splitting, files, progress edits, pacing and 429s. */
describe("slack output", () => {
  let rig: Rig;

  beforeAll(async () => {
    rig = await startRig();
  });
  afterAll(async () => rig?.close());

  it("uploads a picture with the three steps of the external upload flow, after the text before it", async () => {
    await rig.people.say(people.alice, ops, "!pic");
    const file = await rig.slack.until("the shared file", () => rig.slack.files.find((f) => f.channel === ops));
    expect(file.steps).toEqual(["getUploadURLExternal", "upload", "completeUploadExternal"]);
    expect(Buffer.compare(file.bytes, Buffer.from(testPng))).toBe(0);
    expect(file.length).toBe(testPng.length);
    expect(file.title).toBe("load graph");
    expect(file.altText).toBe("load graph");
    const methods = rig.slack.calls.map((c) => c.method);
    const text = rig.slack.messagesIn(ops).find((m) => m.text.includes("here is the graph"))!;
    expect(text).toBeDefined();
    expect(methods.lastIndexOf("chat.postMessage")).toBeLessThan(methods.lastIndexOf("files.getUploadURLExternal"));
  });

  it("uploads into the thread the command came from", async () => {
    const parent = rig.slack.nextTs();
    await rig.people.say(people.alice, ops, "!pic", { thread_ts: parent });
    const file = await rig.slack.until("the file in the thread", () =>
      rig.slack.files.find((f) => f.thread_ts === parent),
    );
    expect(file.channel).toBe(ops);
  });

  it("edits one progress message in place (chat.update) and sends the result after it", async () => {
    await rig.people.say(people.alice, ops, "!work");
    await waitForText(rig.slack, ops, /work done/);
    const progress = rig.slack.messagesIn(ops).filter((m) => /step \d of 4/.test(m.text));
    expect(progress).toHaveLength(1);
    expect(progress[0]!.history.length).toBeGreaterThan(0);
    expect(decode(progress[0]!.text)).toContain("step 1 of 4");
    expect(decode(progress[0]!.text)).toContain("step 4 of 4");
    expect(JSON.stringify(progress[0]!.blocks)).toContain("```");
  });

  it("splits long output into as many blocks and messages as Slack's limits need, losing nothing", async () => {
    await rig.people.say(people.alice, ops, "!lines 3000");
    await waitForText(rig.slack, ops, /line 3000 of 3000/);
    const parts = rig.slack.messagesIn(ops).filter((m) => /line \d+ of 3000/.test(m.text));
    expect(parts.length).toBeGreaterThan(1);
    const numbers = parts.flatMap((m) => [...m.text.matchAll(/line (\d+) of 3000/g)].map((x) => Number(x[1])));
    expect(numbers).toEqual(Array.from({ length: 3000 }, (_, i) => i + 1));
    const inBlocks = parts.flatMap((m) =>
      m.blocks.flatMap((b) => [...String((b.text as { text?: string })?.text ?? "").matchAll(/line (\d+) of/g)]),
    );
    expect(inBlocks).toHaveLength(3000);
    for (const part of parts) {
      expect(part.blocks.length).toBeLessThanOrEqual(50);
      expect(part.text.length).toBeLessThanOrEqual(40_000);
      for (const block of part.blocks) {
        const text = (block.text as { text?: string } | undefined)?.text ?? "";
        expect(text.length).toBeLessThanOrEqual(3000);
      }
    }
  });

  it("renders facts as fields, statuses with an emoji, tables as code and links as links", async () => {
    await rig.people.say(people.alice, ops, "!blocks");
    const message = await waitForText(rig.slack, ops, /it broke/);
    const json = JSON.stringify(message.blocks);
    const fields = message.blocks.find((b) => Array.isArray(b.fields)) as { fields: Array<{ text: string }> };
    expect(fields.fields.map((f) => f.text)).toEqual(["*env*\nproduction", "*ref*\nmain"]);
    expect(json).toContain(":x: it broke");
    expect(json).toContain("host  state");
    expect(json).toContain("<https://example.invalid/x?a=1&amp;b=2|details>");
    expect(decode(message.text)).toContain("env: production");
    expect(decode(message.text)).toContain("details: https://example.invalid/x?a=1&b=2");
  });

  it("escapes output so it can't ping @channel, mention people or fake links", async () => {
    await rig.people.say(people.bob, ops, "!raw");
    const message = await waitForText(rig.slack, ops, /evil/);
    for (const text of [message.text, JSON.stringify(message.blocks)]) {
      expect(text).not.toContain("<!channel>");
      expect(text).not.toContain("<@U0ALICE>");
      expect(text).not.toContain("<https://evil");
      expect(text).toContain("&lt;!channel&gt;");
    }
    // The code block can't be closed early by backticks in the output.
    const code = message.blocks
      .map((b) => String((b.text as { text?: string })?.text ?? ""))
      .find((t) => t.startsWith("```"))!;
    expect(code.match(/```/g)).toHaveLength(2);
  });

  it("renders an actions block as buttons", async () => {
    await rig.people.say(people.alice, ops, "!menu");
    const message = await waitForText(rig.slack, ops, /pick one/);
    const actions = message.blocks.find((b) => b.type === "actions") as { elements: Array<Record<string, unknown>> };
    expect(actions.elements[0]).toMatchObject({ action_id: "switchboard.run.0", value: "count", style: "primary" });
  });

  it("sends a direct message through conversations.open, for a qualified id too", async () => {
    await rig.adapter.sendDirect(people.bob.id, { blocks: [{ type: "text", text: "psst bob" }], kind: "notice" });
    await waitForText(rig.slack, `D${people.bob.id}`, /psst bob/);
    await rig.adapter.sendDirect(`T0OTHER:${people.mallory.id}`, {
      blocks: [{ type: "text", text: "psst mallory" }],
      kind: "notice",
    });
    await waitForText(rig.slack, `D${people.mallory.id}`, /psst mallory/);
  });

  it("edits a message it sent", async () => {
    const target = { network: "slack", room: { id: ops, direct: false } };
    const sent = await rig.adapter.send(target, { blocks: [{ type: "text", text: "version one" }], kind: "notice" });
    expect(sent).toMatchObject({ network: "slack", room: ops });
    await rig.adapter.edit(sent!, { blocks: [{ type: "status", level: "ok", text: "version two" }], kind: "notice" });
    const message = rig.slack.messagesIn(ops).find((m) => m.ts === sent!.id)!;
    expect(decode(message.text)).toContain("version two");
    expect(message.history.map((h) => h.text)).toEqual(["version one"]);
  });

  it("keeps the order of a burst of messages to one channel", async () => {
    const target = { network: "slack", room: { id: "C0BURST", direct: false } };
    await Promise.all(
      Array.from({ length: 15 }, (_, i) =>
        rig.adapter.send(target, { blocks: [{ type: "text", text: `burst ${i + 1}` }], kind: "notice" }),
      ),
    );
    const seen = rig.slack.messagesIn("C0BURST").map((m) => Number(/burst (\d+)/.exec(m.text)![1]));
    expect(seen).toEqual(Array.from({ length: 15 }, (_, i) => i + 1));
  });

  it("waits for Retry-After on a 429 and then delivers the message once", async () => {
    rig.slack.rateLimitNext("chat.postMessage", 1);
    const before = rig.slack.callsOf("chat.postMessage").length;
    await rig.people.say(people.alice, ops, "!echo after the limit");
    await waitForText(rig.slack, ops, /after the limit/);
    const calls = rig.slack.callsOf("chat.postMessage").slice(before);
    expect(calls.map((c) => c.status)).toEqual([429, 200]);
    expect(calls[1]!.at - calls[0]!.at).toBeGreaterThanOrEqual(950);
    expect(rig.slack.messagesIn(ops).filter((m) => m.text.includes("after the limit"))).toHaveLength(1);
    await settle(rig);
  });

  it("mentions nobody in a direct conversation and the bot never mentions itself", async () => {
    const all = rig.slack.messages.map((m) => m.text).join("\n");
    expect(all).not.toContain(`<@${bot.userId}>`);
  });
});
