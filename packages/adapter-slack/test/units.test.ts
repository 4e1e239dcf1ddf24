import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { backoffDelay } from "@switchboard/core";
import { describe, expect, it } from "vitest";
import { ApprovalMessages } from "../src/approval-messages.js";
import { ChannelQueue } from "../src/channel-queue.js";
import { Identities, slackUserId } from "../src/identity.js";
import { Ledger } from "../src/ledger.js";
import { renderParts, renderProgress } from "../src/render.js";
import { checkSignature, signRequest } from "../src/signature.js";
import { afterLeadingMention, decodeSlackText, escapeMrkdwn } from "../src/slack-text.js";
import { slackAdapterType } from "../src/type.js";

const slackConfigSchema = slackAdapterType.schema;

describe("slack text", () => {
  it("decodes what Slack sends into what the person typed", () => {
    expect(decodeSlackText("deploy <https://fs1.example.com|fs1.example.com> &amp; &lt;x&gt;")).toBe(
      "deploy fs1.example.com & <x>",
    );
    expect(decodeSlackText("<@U1> <#C1|ops> <!here> <mailto:a@b.c|a@b.c> <https://x.y>", () => "bob")).toBe(
      "@bob #ops @here a@b.c https://x.y",
    );
    expect(decodeSlackText("<!subteam^S1|@oncall> hi")).toBe("@oncall hi");
  });

  it("finds a leading mention of the bot only", () => {
    expect(afterLeadingMention("<@UBOT> deploy web", "UBOT")).toBe("deploy web");
    expect(afterLeadingMention("  <@UBOT>: deploy", "UBOT")).toBe("deploy");
    expect(afterLeadingMention("<@UOTHER> deploy", "UBOT")).toBeUndefined();
    expect(afterLeadingMention("hey <@UBOT> deploy", "UBOT")).toBeUndefined();
  });

  it("escapes the three characters mrkdwn needs escaped", () => {
    expect(escapeMrkdwn("<!channel> & <@U1>")).toBe("&lt;!channel&gt; &amp; &lt;@U1&gt;");
  });

  it("strips a network qualifier from a sender id", () => {
    expect(slackUserId("U1")).toBe("U1");
    expect(slackUserId("T9:U1")).toBe("U1");
  });
});

describe("request signatures", () => {
  const secret = "8f742231b10e8888abcd99yyyzzz85a5";
  const body = Buffer.from("token=x&team_id=T1&command=%2Fswitchboard&text=ping");
  const now = 1_700_000_000;
  const headers = (ts: number, signature?: string) => ({
    "x-slack-request-timestamp": String(ts),
    "x-slack-signature": signature ?? signRequest(secret, String(ts), body),
  });

  it("accepts Slack's signature within five minutes", () => {
    expect(checkSignature(secret, headers(now), body, now)).toBeUndefined();
    expect(checkSignature(secret, headers(now - 299), body, now)).toBeUndefined();
  });

  it("refuses old, future, tampered, truncated and missing signatures", () => {
    expect(checkSignature(secret, headers(now - 301), body, now)).toMatch(/window/);
    expect(checkSignature(secret, headers(now + 301), body, now)).toMatch(/window/);
    expect(checkSignature(secret, headers(now), Buffer.from(`${body}x`), now)).toMatch(/mismatch/);
    expect(checkSignature(secret, headers(now, "v0=abc"), body, now)).toMatch(/mismatch/);
    expect(checkSignature(secret, {}, body, now)).toMatch(/missing/);
    expect(checkSignature(secret, headers(now, signRequest("other", String(now), body)), body, now)).toMatch(
      /mismatch/,
    );
    expect(checkSignature(secret, { ...headers(now), "x-slack-request-timestamp": "1e9" }, body, now)).toMatch(/bad/);
  });

  it("matches Slack's documented example", () => {
    // https://docs.slack.dev/authentication/verifying-requests-from-slack (example values)
    const example =
      "token=xyzz0WbapA4vBCDEFasx0q6G&team_id=T1DC2JH3J&team_domain=testteamnow&channel_id=G8PSS9T3V&channel_name=foobar&user_id=U2CERLKJA&user_name=roadrunner&command=%2Fwebhook-collect&text=&response_url=https%3A%2F%2Fhooks.slack.com%2Fcommands%2FT1DC2JH3J%2F397700885554%2F96rGlfmibIGlgcZRskXaIFfN&trigger_id=398738663015.47445629121.803a0bc887a14d10d2c447fce8b6703c";
    expect(signRequest(secret, "1531420618", example)).toBe(
      "v0=a2114d57b48eac39b9ad189dd8316235a7b4a8d21a10bd27519666489c69b503",
    );
  });
});

describe("ledger", () => {
  it("claims keys once, all or nothing, and forgets the oldest beyond its capacity", () => {
    const ledger = new Ledger(3);
    expect(ledger.claim("a", undefined, "b")).toBe(true);
    expect(ledger.claim("c", "a")).toBe(false);
    expect(ledger.has("c")).toBe(false);
    expect(ledger.claim("c")).toBe(true);
    expect(ledger.claim("d")).toBe(true);
    expect(ledger.has("a")).toBe(false);
    expect(ledger.size).toBe(3);
  });
});

describe("backoff and pacing", () => {
  it("doubles the delay up to the cap, never below half of it", () => {
    const options = { initialDelayMs: 100, maxDelayMs: 1000 };
    expect([1, 2, 3, 4, 5, 10].map((n) => backoffDelay(n, options, () => 1))).toEqual([100, 200, 400, 800, 1000, 1000]);
    expect(backoffDelay(3, options, () => 0)).toBe(200);
  });

  it("sends a channel's messages in order, a burst at once and then one per interval", async () => {
    const queue = new ChannelQueue({ burst: 2, intervalMs: 100 });
    const done: Array<[string, number]> = [];
    const started = Date.now();
    const runs = ["a1", "a2", "a3", "a4"].map((name, i) =>
      queue.run("A", async () => {
        if (i === 0) await new Promise((r) => setTimeout(r, 30));
        done.push([name, Date.now() - started]);
      }),
    );
    const other = queue.run("B", async () => done.push(["b1", Date.now() - started]));
    const failing = queue.run("A", async () => {
      throw new Error("boom");
    });
    const after = queue.run("A", async () => done.push(["a5", Date.now() - started]));
    await Promise.all([...runs, other, after]);
    await expect(failing).rejects.toThrow("boom");
    const order = done.map(([name]) => name);
    expect(order.filter((n) => n.startsWith("a"))).toEqual(["a1", "a2", "a3", "a4", "a5"]);
    // B did not wait for A's queue.
    expect(order.indexOf("b1")).toBeLessThan(order.indexOf("a3"));
    const at = Object.fromEntries(done);
    // After the burst of two, each further send waited for a token (lower bounds only).
    expect(at.a3!).toBeGreaterThanOrEqual(90);
    expect(at.a4!).toBeGreaterThanOrEqual(190);
    await queue.idle();
  });
});

describe("config schema", () => {
  const base = { type: "slack", botToken: "xoxb-1", appToken: "xapp-1" };

  it("fills in the defaults", () => {
    const config = slackConfigSchema.parse(base);
    expect(config).toMatchObject({
      mode: "socket",
      apiUrl: "https://slack.com/api/",
      eventsPath: "/slack/events",
      channels: [],
      allowBots: false,
      slashCommand: { name: "/switchboard", reply: "response_url" },
      sendInterval: 1000,
      sendBurst: 4,
      retries: 5,
      pingTimeout: 5000,
      reconnect: { initialDelay: 1000, maxDelay: 60_000 },
    });
    expect(slackConfigSchema.parse({ ...base, sendInterval: "2s", pingTimeout: "10s" })).toMatchObject({
      sendInterval: 2000,
      pingTimeout: 10_000,
    });
    expect(config.name).toBe("slack");
  });

  it("requires the credential of the mode and refuses wrong tokens, names and unknown keys", () => {
    const errors = (entry: unknown) =>
      slackConfigSchema.safeParse(entry).error?.issues.map((i) => `${i.path.join(".")}: ${i.message}`) ?? [];
    expect(errors({ type: "slack", botToken: "xoxb-1" })).toEqual([
      expect.stringMatching(/^appToken: Socket Mode needs appToken/),
    ]);
    expect(errors({ type: "slack", botToken: "xoxb-1", mode: "events" })).toEqual([
      expect.stringMatching(/^signingSecret: /),
    ]);
    expect(errors({ ...base, botToken: "xoxp-user" })).toEqual([expect.stringMatching(/^botToken: /)]);
    expect(errors({ ...base, channels: ["#ops"] })).toEqual([expect.stringMatching(/^channels.0: a channel id/)]);
    expect(errors({ ...base, trustedUsers: ["U1"] })).toEqual([expect.stringMatching(/^trustedUsers.0: /)]);
    expect(errors({ ...base, constructor: 1 })).not.toEqual([]);
    // What a YAML or JSON loader makes of a `__proto__` key: an own property, refused like any unknown key.
    expect(errors(JSON.parse(`{"type":"slack","botToken":"xoxb-1","appToken":"xapp-1","__proto__":{"x":1}}`))).toEqual([
      expect.stringMatching(/Unrecognized key/),
    ]);
    expect(({} as Record<string, unknown>).x).toBeUndefined();
  });
});

describe("identity", () => {
  const names = async (id: string) => (id === "U1" ? "Alice A." : undefined);
  const home = new Identities({ teamId: "T1" }, { trustedTeams: ["T3"], trustedUsers: ["T2:U9"] }, names);

  it("verifies the workspace's own users under their plain id, with their profile name", async () => {
    expect(await home.sender({ userId: "U1", teamId: "T1", name: "ignored" })).toEqual({
      id: "U1",
      name: "Alice A.",
      verified: true,
    });
  });

  it("qualifies and distrusts other organisations' users unless their team or id is trusted", () => {
    expect(home.idOf({ userId: "U2", teamId: "T2" })).toEqual({ id: "T2:U2", verified: false });
    expect(home.idOf({ userId: "U9", teamId: "T2" })).toEqual({ id: "T2:U9", verified: true });
    expect(home.idOf({ userId: "U4", teamId: "T3" })).toEqual({ id: "T3:U4", verified: true });
    expect(home.idOf({ userId: "U5" })).toEqual({ id: "unknown:U5", verified: false });
  });

  it("takes a Grid organisation's users as home users", () => {
    const grid = new Identities({ teamId: "T1", enterpriseId: "E1" }, { trustedTeams: [], trustedUsers: [] }, names);
    expect(grid.idOf({ userId: "W1", teamId: "T7", enterpriseId: "E1" })).toEqual({ id: "W1", verified: true });
    expect(grid.idOf({ userId: "W2", teamId: "T8", enterpriseId: "E2" })).toEqual({ id: "T8:W2", verified: false });
  });
});

describe("rendering limits", () => {
  it("puts at most ten facts in a section and gives an overlong fact a section of its own", () => {
    const facts = Array.from({ length: 13 }, (_, i) => [`k${i}`, `v${i}`] as [string, string]);
    facts.push(["long", "x".repeat(2500)]);
    const [part] = renderParts({ kind: "reply", blocks: [{ type: "facts", facts }] });
    if (part?.kind !== "message") throw new Error("expected a message");
    const fieldCounts = part.blocks.map((b) => (b.type === "section" ? (b.fields?.length ?? 0) : 0));
    expect(fieldCounts).toEqual([10, 3, 0]);
    expect(part.text).toContain("x".repeat(2500));
  });

  it("splits a line longer than a section and keeps every character", () => {
    const line = "y".repeat(7000);
    const [part] = renderParts({ kind: "reply", blocks: [{ type: "code", text: line }] });
    if (part?.kind !== "message") throw new Error("expected a message");
    expect(part.blocks).toHaveLength(3);
    const joined = part.blocks
      .map((b) => (b.type === "section" ? b.text!.text.replace(/```\n?/g, "").trim() : ""))
      .join("");
    expect(joined).toBe(line);
  });

  it("puts more than 25 buttons into several actions blocks, and a command too long for a button into text", () => {
    const actions = Array.from({ length: 30 }, (_, i) => ({ label: `b${i}`, command: `run ${i}` }));
    actions.push({ label: "huge", command: `run ${"z".repeat(2100)}` });
    const [part] = renderParts({ kind: "reply", blocks: [{ type: "actions", actions }] });
    if (part?.kind !== "message") throw new Error("expected a message");
    const sizes = part.blocks
      .filter((b) => b.type === "actions")
      .map((b) => (b.type === "actions" ? b.elements.length : 0));
    expect(sizes).toEqual([25, 5]);
    const ids = part.blocks.flatMap((b) => (b.type === "actions" ? b.elements.map((e) => e.action_id) : []));
    expect(new Set(ids).size).toBe(30);
    expect(part.text).toContain("z".repeat(2100));
  });

  it("keeps a progress message to one message, saying how many lines it left out", () => {
    const lines = Array.from({ length: 400 }, (_, i) => `${i} ${"p".repeat(100)}`);
    const message = renderProgress(lines, 7);
    expect(message.blocks.length).toBeLessThanOrEqual(50);
    expect(message.text).toMatch(/… \d+ earlier lines/);
    expect(message.text).toContain("399 ");
  });
});

describe("approval messages", () => {
  it("adds decision lines, then drops the buttons when the job closes", async () => {
    const written: string[] = [];
    const approvals = new ApprovalMessages(async (m) => {
      written.push(`${m.blocks.map((b) => b.type).join(",")} | ${m.text}`);
    });
    approvals.track("j1", {
      channel: "C1",
      ts: "1.1",
      text: "needs approval\n[Approve: approve j1] [Deny: deny j1]",
      blocks: [
        { type: "section", text: { type: "mrkdwn", text: "needs approval" } },
        { type: "actions", block_id: "switchboard.approval.j1", elements: [] },
      ],
    });
    await approvals.decided("j1", "approved by bob", { channel: "C1", blocks: [], text: "" });
    await approvals.close("j1", "running");
    await approvals.close("j1", "ran");
    await approvals.close("unknown", "x");
    expect(written).toEqual([
      "section,actions,context | needs approval\n[Approve: approve j1] [Deny: deny j1]\napproved by bob",
      "section,context,context | needs approval\napproved by bob\nrunning",
    ]);
  });
});

describe("package entry", () => {
  it("loads no Slack library when imported (only the adapter's start does)", () => {
    const dir = join(import.meta.dirname, "../src");
    const offenders: string[] = [];
    for (const file of readdirSync(dir)) {
      const text = readFileSync(join(dir, file), "utf8");
      for (const match of text.matchAll(/^import (?!type )[^;]*from "(@slack\/[^"]+|undici)";/gm)) {
        offenders.push(`${file}: ${match[0]}`);
      }
    }
    expect(offenders).toEqual([]);
  });
});
