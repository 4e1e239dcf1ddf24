import { slackBot as bot } from "@switchboard/test-servers";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { decode, ops, people, type Rig, runs, settle, startRig, textsIn, waitForText } from "./rig.js";

/** Commands from channel messages, mentions, direct messages, threads and the slash command (Socket Mode). */
describe("slack conversation", () => {
  let rig: Rig;

  beforeAll(async () => {
    rig = await startRig();
  });
  afterAll(async () => rig?.close());

  it("answers a prefixed channel message in the channel, mentioning the asker, with Block Kit and a text fallback", async () => {
    const { envelope } = await rig.people.say(people.alice, ops, "!ping");
    const reply = await waitForText(rig.slack, ops, /pong/);
    expect(reply.thread_ts).toBeUndefined();
    expect(reply.blocks.map((b) => b.type)).toContain("section");
    expect(JSON.stringify(reply.blocks)).toContain(`<@${people.alice.id}>`);
    // Every envelope is acknowledged (Slack would redeliver it otherwise).
    expect(rig.slack.socket.acks).toContain(envelope!.envelope_id);
    const post = rig.slack.callsOf("chat.postMessage").at(-1)!;
    expect(post.token).toBe(rig.slack.tokens.bot);
    expect(post.contentType).toContain("application/x-www-form-urlencoded");
  });

  it("leaves messages that are not for the bot alone", async () => {
    const before = rig.slack.messagesIn(ops).length;
    await rig.people.say(people.alice, ops, "ping everyone, lunch?");
    await settle(rig);
    expect(rig.slack.messagesIn(ops).length).toBe(before + 1);
  });

  it("takes a mention as addressed and runs it once, although Slack sends it as a message and an app_mention", async () => {
    const before = runs.get("count") ?? 0;
    await rig.people.mention(people.alice, ops, `<@${bot.userId}> count`);
    await waitForText(rig.slack, ops, new RegExp(`counted ${before + 1}`));
    await settle(rig);
    expect(runs.get("count")).toBe(before + 1);
  });

  it("answers to its display name after a rename, and no longer to the old one (the text reaches core as sent)", async () => {
    const before = runs.get("count") ?? 0;
    // Only the bot's own user counts: someone else renaming themselves gives their new name nothing.
    const eve = { id: people.eve.id, team_id: people.eve.team, name: "eve", profile: { display_name: "evebot" } };
    await rig.people.deliver("events_api", rig.people.eventCallback({ type: "user_change", user: eve }));
    await rig.people.say(people.alice, ops, "evebot: count");
    await rig.people.renameBot("opsbot");
    await rig.people.say(people.alice, ops, "opsbot: count");
    await waitForText(rig.slack, ops, new RegExp(`counted ${before + 1}$`));
    await rig.people.renameBot("deploybot");
    await rig.people.say(people.alice, ops, "opsbot: count");
    await rig.people.say(people.alice, ops, "deploybot, echo renamed");
    await waitForText(rig.slack, ops, /echo: renamed$/);
    await settle(rig);
    expect(runs.get("count")).toBe(before + 1);
    // A mention names the bot by id, whatever it is called now.
    await rig.people.mention(people.alice, ops, `<@${bot.userId}> count`);
    await waitForText(rig.slack, ops, new RegExp(`counted ${before + 2}$`));
  });

  it("answers an app_mention with the mention stripped even when it comes first", async () => {
    const message = rig.people.messageEvent(people.bob, ops, `<@${bot.userId}>: ping`);
    await rig.people.deliver("events_api", rig.people.eventCallback({ ...message, type: "app_mention" }));
    await rig.slack.until("pong for bob", () =>
      rig.slack.messagesIn(ops).find((m) => /pong/.test(m.text) && m.text.includes(people.bob.id)),
    );
  });

  it("treats every direct message as a command and answers in the direct conversation", async () => {
    await rig.people.say(people.alice, "D0ALICE", "ping");
    const reply = await waitForText(rig.slack, "D0ALICE", /pong/);
    expect(reply.text).not.toContain("<@");
  });

  it("answers a command in a thread in that thread", async () => {
    const parent = rig.slack.nextTs();
    await rig.people.say(people.alice, ops, "!ping", { thread_ts: parent });
    const reply = await waitForText(rig.slack, ops, /pong/, parent);
    expect(reply.thread_ts).toBe(parent);
  });

  it("answers the slash command through its response_url, visible in the channel", async () => {
    const { responseId } = await rig.people.slash(people.alice, ops, "ping");
    const response = await rig.slack.until("the slash command's answer", () =>
      rig.slack.responses.find((r) => r.id === responseId),
    );
    expect(response.body.response_type).toBe("in_channel");
    expect(decode(String(response.body.text))).toMatch(/pong/);
    expect(Array.isArray(response.body.blocks)).toBe(true);
    // A response URL comes from the payload: the bot's token is never sent to it.
    expect(rig.slack.responses.every((r) => r.authorization === undefined)).toBe(true);
  });

  it("runs a slash command with no text as help", async () => {
    const { responseId } = await rig.people.slash(people.alice, ops, "");
    const response = await rig.slack.until("help", () => rig.slack.responses.find((r) => r.id === responseId));
    expect(decode(String(response.body.text))).toMatch(/ping/);
  });

  it("never takes the bot's own messages, edits, deletions or other bots' messages as commands", async () => {
    const before = runs.get("count") ?? 0;
    const own = rig.people.messageEvent(people.alice, ops, "!count");
    await rig.people.deliver("events_api", rig.people.eventCallback({ ...own, user: bot.userId, bot_id: bot.botId }));
    const edited = rig.people.messageEvent(people.alice, ops, "");
    await rig.people.deliver(
      "events_api",
      rig.people.eventCallback({
        ...edited,
        subtype: "message_changed",
        message: { type: "message", user: people.alice.id, text: "!count", ts: edited.ts },
      }),
    );
    await rig.people.deliver(
      "events_api",
      rig.people.eventCallback({ ...rig.people.messageEvent(people.alice, ops, ""), subtype: "message_deleted" }),
    );
    const otherBot = rig.people.messageEvent(people.alice, ops, "!count");
    await rig.people.deliver(
      "events_api",
      rig.people.eventCallback({ ...otherBot, user: "U0OTHERBOT", bot_id: "B0OTHER", subtype: "bot_message" }),
    );
    await settle(rig);
    expect(runs.get("count") ?? 0).toBe(before);
  });

  it("gives a display name nothing: someone calling herself alice is not alice", async () => {
    await rig.people.say(people.eve, ops, "!secret");
    const denied = await waitForText(rig.slack, ops, /denied/);
    expect(denied.text).not.toContain("42");
    await rig.people.say(people.alice, ops, "!secret");
    await waitForText(rig.slack, ops, /the secret is 42/);
  });

  it("treats a user of another organisation in a shared channel as a guest, even when a principal names them", async () => {
    await rig.people.say(people.mallory, ops, "!secret");
    const reply = await rig.slack.until("mallory's refusal", () =>
      rig.slack.messagesIn(ops).find((m) => m.text.includes(people.mallory.id) && /denied/.test(m.text)),
    );
    expect(decode(reply.text)).toMatch(/guest/);
  });

  it("decodes Slack's encoding before core parses the command", async () => {
    await rig.people.say(people.alice, ops, "!echo <https://fs1.example.com|fs1.example.com> &amp; &lt;b&gt;");
    const reply = await waitForText(rig.slack, ops, /fs1\.example\.com & <b>/);
    expect(reply.text).not.toContain("<b>");
  });
});

describe("slack conversation options", () => {
  let rig: Rig;

  beforeAll(async () => {
    rig = await startRig({
      adapter: {
        slashCommand: { reply: "channel" },
        allowBots: ["B0FRIEND"],
        trustedUsers: [`T0OTHER:${people.mallory.id}`],
        channels: [ops, "C0NOBOT"],
      },
    });
  });
  afterAll(async () => rig?.close());

  it("answers the slash command in the channel, saying first what was asked", async () => {
    await rig.people.slash(people.alice, ops, "ping");
    const reply = await waitForText(rig.slack, ops, /pong/);
    const texts = textsIn(rig.slack, ops);
    const asked = texts.findIndex((t) => t.includes("asked: `/switchboard ping`"));
    expect(asked).toBeGreaterThanOrEqual(0);
    expect(asked).toBeLessThan(texts.indexOf(decode(reply.text)));
  });

  it("falls back on the response_url where the bot is not a member", async () => {
    rig.slack.notInChannel.add("C0NOBOT");
    const { responseId } = await rig.people.slash(people.alice, "C0NOBOT", "ping");
    const response = await rig.slack.until("the fallback answer", () =>
      rig.slack.responses.find((r) => r.id === responseId && /pong/.test(String(r.body.text))),
    );
    expect(response.body.response_type).toBe("in_channel");
  });

  it("ignores channels outside its list, and says so to a slash command there", async () => {
    const before = runs.get("count") ?? 0;
    await rig.people.say(people.alice, "C0ELSEWHERE", "!count");
    const { responseId } = await rig.people.slash(people.alice, "C0ELSEWHERE", "count");
    const response = await rig.slack.until("the refusal", () => rig.slack.responses.find((r) => r.id === responseId));
    expect(response.body.response_type).toBe("ephemeral");
    await settle(rig);
    expect(runs.get("count") ?? 0).toBe(before);
    expect(rig.slack.messagesIn("C0ELSEWHERE")).toEqual([]);
  });

  it("takes commands from an allowed bot, and only that one", async () => {
    const before = runs.get("count") ?? 0;
    const friend = rig.people.messageEvent(people.alice, ops, "!count");
    await rig.people.deliver(
      "events_api",
      rig.people.eventCallback({ ...friend, user: "U0FRIEND", bot_id: "B0FRIEND", team: "T0HOME" }),
    );
    await waitForText(rig.slack, ops, new RegExp(`counted ${before + 1}`));
    const stranger = rig.people.messageEvent(people.alice, ops, "!count");
    await rig.people.deliver(
      "events_api",
      rig.people.eventCallback({ ...stranger, user: "U0STRANGER", bot_id: "B0STRANGER", team: "T0HOME" }),
    );
    await settle(rig);
    expect(runs.get("count")).toBe(before + 1);
  });

  it("verifies a user of another organisation who is trusted by id", async () => {
    await rig.people.say(people.mallory, ops, "!secret");
    await waitForText(rig.slack, ops, /the secret is 42/);
  });
});
