/**
 * A real core bot on an IRC adapter, with a few test commands and a logger that keeps what it was told.
 */
import {
  type AnyCommand,
  arg,
  type Bot,
  type BotOptions,
  createBot,
  defineCommand,
  type Logger,
  out,
  type PolicyConfigInput,
} from "@switchboard/core";
import { IrcAdapter } from "../src/index.js";
import type { IrcAdapterOptions } from "../src/irc-adapter.js";

/** One log call. */
export interface LogEntry {
  level: "debug" | "info" | "warn" | "error";
  msg: string;
  data: Record<string, unknown>;
}

/** A logger that records entries (and prints nothing). */
export function recordingLogger(entries: LogEntry[] = [], bindings: Record<string, unknown> = {}): Logger {
  const at =
    (level: LogEntry["level"]) =>
    (obj: object, msg = "") =>
      entries.push({ level, msg, data: { ...bindings, ...(obj as Record<string, unknown>) } });
  return {
    debug: at("debug"),
    info: at("info"),
    warn: at("warn"),
    error: at("error"),
    child: (more) => recordingLogger(entries, { ...bindings, ...more }),
  };
}

/** Commands the tests use. */
export const testCommands: AnyCommand[] = [
  defineCommand({
    name: "lines",
    summary: "prints numbered lines",
    guests: true,
    args: { count: arg.number({ positional: true, required: true }) },
    handler: ({ args }) =>
      out.code(Array.from({ length: args.count }, (_, i) => `line ${i + 1} of ${args.count}`).join("\n")),
  }),
  defineCommand({
    name: "wide",
    summary: "numbered lines of 460 bytes each",
    guests: true,
    args: { count: arg.number({ positional: true, required: true }) },
    handler: ({ args }) =>
      out.code(Array.from({ length: args.count }, (_, i) => wideLine(i + 1, args.count)).join("\n")),
  }),
  defineCommand({
    name: "long",
    summary: "one very long line of multi-byte text",
    guests: true,
    args: { kind: arg.string({ positional: true, required: true }) },
    handler: ({ args }) => (args.kind === "words" ? longWords : longRun),
  }),
  defineCommand({
    name: "status",
    summary: "a status block",
    guests: true,
    handler: () => out.status("ok", "all good"),
  }),
  defineCommand({
    name: "admin",
    summary: "needs the admin permission",
    permission: "admin:run",
    handler: ({ actor }) => `admin command run by ${actor.id}`,
  }),
  defineCommand({
    name: "stream",
    summary: "streams progress lines quickly",
    guests: true,
    args: { count: arg.number({ positional: true, required: true }) },
    handler: async ({ args, progress }) => {
      for (let i = 1; i <= args.count; i++) {
        progress(`step ${i} of ${args.count}`);
        await new Promise((resolve) => setTimeout(resolve, 5));
      }
      return `streamed ${args.count} steps`;
    },
  }),
];

/** Line `n` of `count` of the `wide` command: 460 bytes (as much as fits in one PRIVMSG to a short nick). */
export function wideLine(n: number, count: number): string {
  const head = `wide ${n} of ${count} `;
  return head + "x".repeat(460 - head.length);
}

/** 3000+ bytes of words mixing 1-, 2-, 3- and 4-byte UTF-8 characters. */
export const longWords = Array.from({ length: 160 }, (_, i) => `wörd${i}-€-😀`).join(" ");
/** 2000+ bytes without a single space: only character boundaries to split on. */
export const longRun = "ä€😀👩‍🔧".repeat(90);

/** Starts a bot with an IRC adapter; `policy` defaults to "admin holds admin:run"; `more` adds bot options. */
export async function startBot(
  options: IrcAdapterOptions,
  policy: PolicyConfigInput = { roles: { admin: { permissions: ["admin:*"] } } },
  more: Partial<BotOptions> = {},
): Promise<{ bot: Bot; adapter: IrcAdapter; logs: LogEntry[] }> {
  const logs: LogEntry[] = [];
  const adapter = new IrcAdapter(options);
  // The users of these tests are mostly guests; rate limits have their own test (room-flood.test.ts).
  const bot = createBot({
    logger: recordingLogger(logs),
    adapters: [adapter],
    commands: testCommands,
    policy,
    rateLimit: false,
    ...more,
  });
  await bot.start();
  return { bot, adapter, logs };
}
