import { describe, expect, it } from "vitest";
import {
  type AuditLog,
  type AuditRecord,
  arg,
  createBot,
  defineCommand,
  type IncomingMessage,
  MemoryAuditLog,
  renderText,
  silentLogger,
} from "../src/index.js";

const policy = {
  roles: { ops: { permissions: ["ops:*"] } },
  principals: { bob: { roles: ["ops"], identities: { test: "bob" } } },
};

/** An audit log that records, in one timeline with the replies, when each append starts and is durable. */
function recordingLog(timeline: string[], failWith?: Error): AuditLog {
  const inner = new MemoryAuditLog();
  return {
    async append(records: AuditRecord[]) {
      const what = records.map((r) => r.event).join("+");
      timeline.push(`append ${what}`);
      await new Promise((resolve) => setTimeout(resolve, 5));
      if (failWith) throw failWith;
      const entries = await inner.append(records);
      timeline.push(`durable ${what}`);
      return entries;
    },
    query: (q) => inner.query(q),
    entries: () => inner.entries(),
  };
}

function setup(timeline: string[], failWith?: Error) {
  const bot = createBot({
    logger: silentLogger(),
    policy,
    auditLog: recordingLog(timeline, failWith),
    commands: [
      defineCommand({
        name: "status",
        summary: "answers at once",
        permission: "ops:read",
        args: { what: arg.string({ positional: true }) },
        handler: ({ args }) => {
          timeline.push("handler");
          return `status of ${args.what}`;
        },
      }),
      defineCommand({
        name: "report",
        summary: "answers twice",
        permission: "ops:read",
        handler: async ({ reply }) => {
          timeline.push("handler");
          await reply("working on it");
          return "done";
        },
      }),
      defineCommand({
        name: "restart",
        summary: "changes something",
        permission: "ops:run",
        sideEffect: true,
        handler: () => {
          timeline.push("handler");
          return "restarted";
        },
      }),
    ],
  });
  const say = (text: string) => {
    const message: IncomingMessage = {
      id: `m-${text}`,
      network: "test",
      room: { id: "#ops", direct: false },
      sender: { id: "bob", name: "bob", verified: true },
      text,
      time: new Date(),
    };
    return bot.handle(message, {
      respond: (m) => {
        timeline.push(`reply ${renderText(m.blocks)}`);
      },
    });
  };
  return { bot, say };
}

describe("what a command writes to the audit log, and when", () => {
  it("a read-only command that answers at once: admitted and outcome in one append, durable before the answer", async () => {
    const timeline: string[] = [];
    await setup(timeline).say("!status api");
    expect(timeline).toEqual(["handler", "append admitted+outcome", "durable admitted+outcome", "reply status of api"]);
  });

  it("a read-only command that sends a message first: admitted is durable before that message", async () => {
    const timeline: string[] = [];
    await setup(timeline).say("!report");
    expect(timeline).toEqual([
      "handler",
      "append admitted",
      "durable admitted",
      "reply working on it",
      "append outcome",
      "durable outcome",
      "reply done",
    ]);
  });

  it("a command with side effects: admitted is durable before the handler starts (write-ahead)", async () => {
    const timeline: string[] = [];
    await setup(timeline).say("!restart");
    expect(timeline).toEqual([
      "append admitted",
      "durable admitted",
      "handler",
      "append outcome",
      "durable outcome",
      "reply restarted",
    ]);
  });

  it("when the entries cannot be written, the answer is not sent: the user gets an internal error instead", async () => {
    const timeline: string[] = [];
    await setup(timeline, new Error("disk full")).say("!status api");
    const replies = timeline.filter((line) => line.startsWith("reply"));
    expect(replies).toHaveLength(1);
    expect(replies[0]).toMatch(/internal error \(reference /);
    expect(timeline).not.toContain("reply status of api");
  });
});
