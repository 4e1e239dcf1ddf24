import { renderTable } from "@switchboard/core";
import { buildOfflineBot } from "../offline-bot.js";

/** Options of `switchboard commands`. */
export interface ListCommandsOptions {
  config?: string;
}

/** `switchboard commands`: every command the configured bot has, as a table. Opens no database, starts nothing. */
export async function listCommandsCommand(options: ListCommandsOptions): Promise<number> {
  const { bot } = await buildOfflineBot(options.config);
  const rows = bot
    .commands()
    .map((command) => [
      command.name,
      command.plugin ?? "core",
      command.permission ?? "-",
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
  process.stdout.write(
    `${renderTable(["command", "plugin", "permission", "side effect", "summary"], rows).join("\n")}\n`,
  );
  return 0;
}
