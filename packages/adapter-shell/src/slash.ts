/**
 * The shell's own slash commands (`/as`, `/help`, `/quit`), which never reach the bot.
 * @module
 */

/** A parsed slash command, or `undefined` when the line is for the bot. */
export type SlashCommand =
  | { kind: "as"; name?: string }
  | { kind: "help" }
  | { kind: "quit" }
  | { kind: "usage"; text: string };

/** Recognises the shell's slash commands. Any other line (including other `/words`) goes to the bot. */
export function parseSlash(line: string): SlashCommand | undefined {
  const [word, ...rest] = line.trim().split(/\s+/);
  switch (word?.toLowerCase()) {
    case "/as":
      if (rest.length === 0) return { kind: "as" };
      if (rest.length > 1) return { kind: "usage", text: "usage: /as NAME (one word, e.g. /as bob)" };
      return { kind: "as", name: rest[0]! };
    case "/help":
    case "/?":
      return { kind: "help" };
    case "/quit":
    case "/exit":
      return { kind: "quit" };
    default:
      return undefined;
  }
}

/** What `/help` prints. */
export function slashHelp(speaker: string): string[] {
  return [
    "shell commands:",
    `  /as NAME   speak as NAME from now on (now: ${speaker})`,
    "  /as        show who is speaking",
    "  /help      this list",
    "  /quit      leave the shell (also /exit or Ctrl-D)",
    'Everything else goes to the bot: try "help" (no prefix needed here, but "!help" works too).',
  ];
}
