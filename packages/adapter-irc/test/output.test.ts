import { out } from "@switchboard/core";
import { describe, expect, it } from "vitest";
import { textBudget } from "../src/line-budget.js";
import { planLines, progressCoalescer } from "../src/outbound.js";
import { renderIrcLines, stripFormatting } from "../src/render.js";

const self = { nick: "sbot", wantedNick: "sbot", username: "sbot", ident: "~sbot", host: "127.0.0.1" };
/** Who holds which nick now, as the adapter tracks it from the server. */
const holders = new Map([["alice", "alice"]]);
const context = {
  self,
  colors: true,
  channelLines: 6,
  progressLines: 3,
  fold: (t: string) => t.toLowerCase(),
  holdsAccount: (nick: string, account: string) => holders.get(nick) === account,
};
const alice = { id: "alice", name: "alice", verified: true };
const channel = { network: "irc", room: { id: "#ops", direct: false }, mention: alice };
const query = { network: "irc", room: { id: "alice", direct: true }, mention: alice };

describe("renderIrcLines", () => {
  it("colours and emboldens status marks, or sends them plain", () => {
    expect(renderIrcLines([out.status("fail", "nope")], { colors: true })).toEqual(["\x02\x0304✖\x0f nope"]);
    expect(renderIrcLines([out.status("ok", "fine")], { colors: false })).toEqual(["✔ fine"]);
  });

  it("aligns tables and keeps code as lines", () => {
    expect(
      renderIrcLines([out.table(["host", "state"], [["fs1", "ok"]]), out.code("a\n\tb\n")], { colors: false }),
    ).toEqual(["host  state", "----  -----", "fs1   ok", "a", "    b"]);
  });

  it("turns an image into its fallback and link, or its alt text", () => {
    const png = new Uint8Array([1]);
    expect(
      renderIrcLines([out.image(png, "load", { fallback: "▁▃▅", url: "https://g/x.png" })], { colors: false }),
    ).toEqual(["▁▃▅", "[picture] https://g/x.png"]);
    expect(renderIrcLines([out.image(png, "load")], { colors: false })).toEqual(["[image: load]"]);
  });

  it("removes control characters from content (no CTCP or formatting injection), and blank lines", () => {
    expect(renderIrcLines([out.text("\x01VERSION\x01\n\n\x02bold\x03 4")], { colors: true })).toEqual([
      "VERSION",
      "bold 4",
    ]);
  });

  it("strips formatting from received text", () => {
    expect(stripFormatting("\x02!de\x0304,01ploy\x0f \x1dapp\x1d")).toBe("!deploy app");
  });
});

describe("planLines", () => {
  it("prefixes the asker's nick in a channel, not in a query", () => {
    const message = { blocks: [out.text("pong")], kind: "reply" as const };
    expect(planLines(channel, message, context)[0]!.lines.map((l) => l.text)).toEqual(["alice: pong"]);
    expect(planLines(query, message, context)[0]!.lines.map((l) => l.text)).toEqual(["pong"]);
  });

  it("caps a channel reply and sends the rest to the asker", () => {
    const message = {
      blocks: [out.code(Array.from({ length: 9 }, (_, i) => `l${i + 1}`).join("\n"))],
      kind: "reply" as const,
    };
    const [room, rest] = planLines(channel, message, context);
    expect(room!.lines.map((l) => l.text)).toEqual([
      "alice: l1",
      "l2",
      "l3",
      "l4",
      "l5",
      "alice: (4 more lines sent to you in private)",
    ]);
    expect(rest!.target).toBe("alice");
    expect(rest!.lines.map((l) => l.text)).toEqual(["(the rest of my reply in #ops)", "l6", "l7", "l8", "l9"]);
  });

  it("ends the private rest of a job's reply with the link to its full output, never in the channel", () => {
    const message = {
      blocks: [out.code(Array.from({ length: 9 }, (_, i) => `l${i + 1}`).join("\n"))],
      kind: "reply" as const,
      jobId: "k3j9x",
    };
    const asked: string[] = [];
    const jobLink = (jobId: string) => {
      asked.push(jobId);
      return `https://bot.example.com/web/job/${jobId}?t=signed`;
    };
    const [room, rest] = planLines(channel, message, { ...context, jobLink });
    expect(room!.lines.map((l) => l.text).join("\n")).not.toContain("https://");
    expect(rest!.lines.at(-1)!.text).toBe("full output: https://bot.example.com/web/job/k3j9x?t=signed");
    expect(asked).toEqual(["k3j9x"]);
    // Without a web view (no link), the private rest is as before.
    const [, plain] = planLines(channel, message, { ...context, jobLink: () => undefined });
    expect(plain!.lines.at(-1)!.text).toBe("l9");
  });

  it("sends nothing in private to the asker's nick once another account holds it", () => {
    const message = {
      blocks: [out.code(Array.from({ length: 9 }, (_, i) => `l${i + 1}`).join("\n"))],
      kind: "reply" as const,
    };
    holders.set("alice", "mallory"); // alice changed nick; mallory (another account) took "alice"
    try {
      const batches = planLines(channel, message, context);
      expect(batches).toHaveLength(1);
      expect(batches[0]!.lines.at(-1)!.text).toBe(
        "(4 more lines not shown; alice no longer holds that nick's account, so not sent in private)",
      );
    } finally {
      holders.set("alice", "alice");
    }
  });

  it("keeps every line within 512 bytes with the relayed prefix, for the worst case of an unknown host", () => {
    const unknown = { ...context, self: { nick: "sbot", wantedNick: "sbot", username: "sbot" } };
    const message = { blocks: [out.text("€".repeat(1000))], kind: "reply" as const };
    const [batch] = planLines(channel, message, unknown);
    const prefix = `:sbot!~sbot@${"h".repeat(63)} PRIVMSG #ops :`;
    for (const line of batch!.lines) expect(Buffer.byteLength(`${prefix}${line.text}\r\n`)).toBeLessThanOrEqual(512);
    expect(textBudget(unknown.self, "#ops")).toBe(512 - Buffer.byteLength(`${prefix}\r\n`));
  });

  it("tags replies to the original message with +draft/reply", () => {
    const message = { blocks: [out.text("pong")], kind: "reply" as const };
    const [batch] = planLines(channel, message, { ...context, replyTags: { "+draft/reply": "abc" } });
    expect(batch!.lines[0]!.tags).toEqual({ "+draft/reply": "abc" });
  });

  it("prefixes progress with the job id and coalesces it", () => {
    const message = { blocks: [out.code("s1\ns2\ns3\ns4\ns5")], kind: "progress" as const, jobId: "k3j9x" };
    const [batch] = planLines(channel, message, context);
    expect(batch!.lines.map((l) => l.text)).toEqual(["[k3j9x] … 3 earlier lines skipped", "[k3j9x] s4", "[k3j9x] s5"]);
    const merged = batch!.merge!.coalesce(batch!.lines, planLines(channel, message, context)[0]!.lines);
    expect(merged.map((l) => l.text)).toEqual(["[k3j9x] … 8 earlier lines skipped", "[k3j9x] s4", "[k3j9x] s5"]);
  });

  it("progressCoalescer leaves few lines alone", () => {
    const line = (text: string) => ({ command: "PRIVMSG" as const, target: "#ops", text });
    expect(progressCoalescer(3, (n) => `${n} skipped`)([line("a")], [line("b")]).map((l) => l.text)).toEqual([
      "a",
      "b",
    ]);
  });
});
