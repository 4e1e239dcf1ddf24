import { renderTable } from "@switchboard/core";
import { buildOfflineBot } from "../offline-bot.js";

/** Who may run a command: its permission, or (without one) anyone, or anyone but guests. */
function whoMay(command: { permission?: string; guests?: boolean }): string {
  if (command.permission) return command.permission;
  return command.guests === false ? "anyone but guests" : "anyone";
}

/** Options of `switchboard commands`. */
export interface ListCommandsOptions {
  config?: string;
  /** One JSON object per line instead of a table (for scripts: docs/reference/permissions.md is made from it). */
  json?: boolean;
}

/** `switchboard commands`: every command the configured bot has, as a table. Opens no database, starts nothing. */
export async function listCommandsCommand(options: ListCommandsOptions): Promise<number> {
  const { bot } = await buildOfflineBot(options.config);
  const rows = bot
    .commands()
    .map((command) => [
      command.name,
      command.plugin ?? "core",
      whoMay(command),
      command.sideEffect ? "yes" : "no",
      command.summary,
    ])
    .sort((a, b) =>
      a[1] === b[1]
        ? a[0]!.localeCompare(b[0]!)
        : a[1] === "core"
          ? -1
          : b[1] === "core"
            ? 1
            : a[1]!.localeCompare(b[1]!),
    );
  if (options.json) {
    const keys = ["command", "plugin", "who", "sideEffect", "summary"] as const;
    const lines = rows.map((row) =>
      JSON.stringify(Object.fromEntries(keys.map((key, i) => [key, key === "sideEffect" ? row[i] === "yes" : row[i]]))),
    );
    process.stdout.write(`${lines.join("\n")}\n`);
    return 0;
  }
  process.stdout.write(
    `${renderTable(["command", "plugin", "who may run it", "side effect", "summary"], rows).join("\n")}\n`,
  );
  return 0;
}
