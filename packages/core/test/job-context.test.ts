import { describe, expect, it } from "vitest";
import {
  type AuditEntry,
  type AuditRecord,
  arg,
  type CommandContext,
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

function message(text: string, id = "m1"): IncomingMessage {
  return {
    id,
    network: "test",
    room: { id: "#ops", direct: false },
    sender: { id: "bob", name: "bob", verified: true },
    text,
    time: new Date(),
  };
}

async function entriesOf(log: MemoryAuditLog): Promise<AuditEntry[]> {
  const entries: AuditEntry[] = [];
  for await (const entry of log.entries()) entries.push(entry);
  return entries;
}

describe("a handler's context", () => {
  it("is a plain object to its handler: a spread copy carries every property, the signal included", async () => {
    let copy: Record<string, unknown> = {};
    let signalAborted: boolean | undefined;
    const bot = createBot({
      logger: silentLogger(),
      policy,
      commands: [
        defineCommand({
          name: "inspect",
          summary: "copies its context",
          permission: "ops:read",
          args: { value: arg.string({ positional: true }) },
          handler: (ctx) => {
            copy = { ...ctx };
            signalAborted = (copy.signal as AbortSignal).aborted;
            return `keys ${Object.keys(copy).length}`;
          },
        }),
      ],
    });
    const replies: string[] = [];
    await bot.handle(message("!inspect x"), {
      respond: (m) => {
        replies.push(renderText(m.blocks));
      },
    });
    expect(replies).toEqual(["keys 13"]);
    const keys: Array<keyof CommandContext<unknown>> = [
      "args",
      "actor",
      "approvers",
      "message",
      "job",
      "signal",
      "reply",
      "progress",
      "store",
      "locks",
      "logger",
      "checked",
      "jobs",
    ];
    expect(Object.keys(copy).sort()).toEqual([...keys].sort());
    expect(copy.signal).toBeInstanceOf(AbortSignal);
    expect(signalAborted).toBe(false);
    expect(typeof (copy.locks as { acquire: unknown }).acquire).toBe("function");
    expect(typeof (copy.logger as { info: unknown }).info).toBe("function");
    expect(typeof (copy.jobs as { get: unknown }).get).toBe("function");
    expect(copy.args).toEqual({ value: "x" });
  });

  it("a job stopped before its handler starts ends cancelled, even when the handler answers synchronously", async () => {
    // The write-ahead entry of a side-effect command is held back, and the bot shuts down meanwhile: the job is
    // aborted before it runs. Its synchronous answer must not count; the outcome is "cancelled".
    const inner = new MemoryAuditLog();
    let releaseAdmitted: (() => void) | undefined;
    const held = new Promise<void>((resolve) => {
      releaseAdmitted = resolve;
    });
    let admittedSeen: (() => void) | undefined;
    const admittedWritten = new Promise<void>((resolve) => {
      admittedSeen = resolve;
    });
    const auditLog = {
      append: async (records: AuditRecord[]) => {
        if (records[0]?.event === "admitted") {
          admittedSeen?.();
          await held;
        }
        return inner.append(records);
      },
      query: inner.query.bind(inner),
      entries: inner.entries.bind(inner),
    };
    let ran = 0;
    const bot = createBot({
      logger: silentLogger(),
      policy,
      auditLog,
      commands: [
        defineCommand({
          name: "restart",
          summary: "restarts something",
          permission: "ops:run",
          sideEffect: true,
          handler: () => {
            ran++;
            return "restarted";
          },
        }),
      ],
    });
    const replies: string[] = [];
    const handled = bot.handle(message("!restart"), {
      respond: (m) => {
        replies.push(renderText(m.blocks));
      },
    });
    await admittedWritten;
    const stopped = bot.stop(2000);
    releaseAdmitted?.();
    await Promise.all([handled, stopped]);
    expect(replies.join("\n")).toMatch(/was cancelled by shutdown/);
    expect(replies.join("\n")).not.toMatch(/restarted/);
    const outcome = (await entriesOf(inner)).find((e) => e.event === "outcome");
    expect(outcome).toMatchObject({ outcome: "cancelled", detail: { cancelledBy: "shutdown" } });
    expect(ran).toBeLessThanOrEqual(1);
  });
});
