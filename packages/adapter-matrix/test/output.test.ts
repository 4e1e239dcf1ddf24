import { bodyOf, Homeserver, type Seen, TestUser } from "@switchboard/test-servers";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type RunningBot, startBot, testPng, testPolicy } from "./rig.js";

/** Output in a plain room: HTML with a plain fallback, media, replies, threads and progress edits. */
describe("matrix output (plain room)", () => {
  let hs: Homeserver;
  let alice: TestUser;
  let running: RunningBot;
  let botId: string;
  let room: string;

  beforeAll(async () => {
    hs = await Homeserver.start();
    botId = await hs.register("bot", "bot-password");
    alice = await TestUser.create(hs, "alice");
    running = await startBot(
      hs,
      { userId: botId, invites: { users: [alice.userId] } },
      testPolicy({ alice: alice.userId }),
    );
    room = await alice.createRoom([botId]);
  });

  afterAll(async () => {
    await running?.bot.stop();
    await alice?.close();
    await hs?.close();
  });

  const reply = (to: string, test: (s: Seen) => boolean = () => true) =>
    alice.waitFrom(
      botId,
      room,
      (s) =>
        (s.content["m.relates_to"] as { "m.in_reply_to"?: { event_id: string } } | undefined)?.["m.in_reply_to"]
          ?.event_id === to && test(s),
    );

  it("answers with an m.notice in reply to the command, HTML formatted_body with a plain body", async () => {
    const asked = await alice.say(room, "!blocks");
    const seen = await reply(asked);
    expect(seen.type).toBe("m.room.message");
    expect(seen.content.msgtype).toBe("m.notice");
    expect(seen.content.format).toBe("org.matrix.custom.html");
    const html = String(seen.content.formatted_body);
    expect(html).toContain("<p>a &lt;b&gt;tag&lt;/b&gt; &amp; text</p>");
    expect(html).toContain('<pre><code class="language-sh">line one\nline two</code></pre>');
    expect(html).toContain(
      "<table><thead><tr><th>host</th><th>state</th></tr></thead><tbody><tr><td>fs1</td><td>ok</td></tr></tbody></table>",
    );
    expect(html).toContain('<font color="#c62828" data-mx-color="#c62828">✖ it broke</font>');
    expect(html).toContain('<a href="https://example.invalid/x">details</a>');
    const body = bodyOf(seen);
    expect(body).toContain("a <b>tag</b> & text");
    expect(body).toContain("host  state");
    expect(body).toContain("env: production");
    expect(body).toContain("✖ it broke");
    expect(body).toContain("details: https://example.invalid/x");
    expect(seen.content["m.mentions"]).toEqual({ user_ids: [alice.userId] });
  });

  it("uploads images to the media repository and sends them as m.image", async () => {
    const asked = await alice.say(room, "!pic");
    const text = await reply(asked);
    expect(bodyOf(text)).toBe("here is the graph");
    const image = await alice.waitFrom(botId, room, (s) => s.content.msgtype === "m.image");
    expect(image.content.body).toBe("load graph");
    expect(image.content.info).toEqual({ mimetype: "image/png", size: testPng.byteLength, w: 3, h: 2 });
    const url = String(image.content.url);
    expect(url).toMatch(/^mxc:\/\/localhost\//);
    const res = await fetch(`${hs.url}/_matrix/client/v1/media/download/${url.slice("mxc://".length)}`, {
      headers: { authorization: `Bearer ${alice.client.getAccessToken()}` },
    });
    expect(res.status).toBe(200);
    expect(new Uint8Array(await res.arrayBuffer())).toEqual(testPng);
  });

  it("answers a command sent in a thread inside that thread", async () => {
    const root = await alice.say(room, "let's talk about the deploy");
    const asked = await alice.say(room, "!ping", {
      "m.relates_to": {
        rel_type: "m.thread",
        event_id: root,
        is_falling_back: true,
        "m.in_reply_to": { event_id: root },
      },
    });
    const seen = await alice.waitFrom(botId, room, (s) => {
      const rel = s.content["m.relates_to"] as Record<string, unknown> | undefined;
      return rel?.rel_type === "m.thread" && rel.event_id === root;
    });
    expect(bodyOf(seen)).toMatch(/pong/);
    expect(seen.content["m.relates_to"]).toEqual({
      rel_type: "m.thread",
      event_id: root,
      is_falling_back: false,
      "m.in_reply_to": { event_id: asked },
    });
  });

  it("edits one progress message (m.replace) instead of posting many", async () => {
    const asked = await alice.say(room, "!work");
    await reply(asked, (s) => bodyOf(s).includes("work done"));
    const progress = alice
      .from(botId, room)
      .filter((s) => bodyOf(s).includes("step 1 of 4") && !s.content["m.new_content"]);
    expect(progress).toHaveLength(1);
    const original = progress[0]!.eventId;
    const edits = alice
      .from(botId, room)
      .filter((s) => (s.content["m.relates_to"] as { rel_type?: string; event_id?: string })?.event_id === original);
    expect(edits.length).toBeGreaterThan(0);
    for (const edit of edits) expect((edit.content["m.relates_to"] as { rel_type: string }).rel_type).toBe("m.replace");
    const last = edits.at(-1)!.content["m.new_content"] as Record<string, unknown>;
    expect(last.msgtype).toBe("m.notice");
    expect(String(last.body)).toBe("step 1 of 4\nstep 2 of 4\nstep 3 of 4\nstep 4 of 4");
    expect(String(last.formatted_body)).toContain(
      "<pre><code>step 1 of 4\nstep 2 of 4\nstep 3 of 4\nstep 4 of 4</code></pre>",
    );
  });
});
