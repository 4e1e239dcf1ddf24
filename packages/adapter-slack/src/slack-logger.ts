/**
 * The Slack libraries' logger interface on top of the bot's logger. They are quiet by default (warnings only);
 * `SWITCHBOARD_SLACK_SDK_LOG=debug` (or `info`) shows more. Their debug output includes message payloads, so it is
 * meant for troubleshooting only.
 * @module
 */
import type { Logger } from "@switchboard/core";

const order = ["debug", "info", "warn", "error"] as const;
type Level = (typeof order)[number];

/** The shape `@slack/logger` expects (levels are the strings of its `LogLevel` enum). */
export interface SlackLogger {
  debug(...msg: unknown[]): void;
  info(...msg: unknown[]): void;
  warn(...msg: unknown[]): void;
  error(...msg: unknown[]): void;
  setLevel(level: never): void;
  getLevel(): never;
  setName(name: string): void;
}

function levelFromEnv(): Level {
  const wanted = process.env.SWITCHBOARD_SLACK_SDK_LOG?.toLowerCase();
  return (order as readonly string[]).includes(wanted ?? "") ? (wanted as Level) : "warn";
}

/** A Slack-library logger that writes to `logger` (library errors as warnings: the adapter reports what matters). */
export function slackLogger(logger: Logger, name: string): SlackLogger {
  let level = levelFromEnv();
  let label = name;
  const emit = (at: Level, msg: unknown[]) => {
    if (order.indexOf(at) < order.indexOf(level)) return;
    const text = msg.map((m) => (m instanceof Error ? m.message : String(m))).join(" ");
    const target = at === "error" ? "warn" : at;
    logger[target]({ library: label }, text);
  };
  return {
    debug: (...msg) => emit("debug", msg),
    info: (...msg) => emit("info", msg),
    warn: (...msg) => emit("warn", msg),
    error: (...msg) => emit("error", msg),
    setLevel: (next: never) => {
      level = next;
    },
    getLevel: () => level as never,
    setName: (next) => {
      label = next;
    },
  };
}
