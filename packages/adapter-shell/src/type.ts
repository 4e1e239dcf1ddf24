/**
 * The light entry of the shell adapter: its config schema and factory, without loading the adapter.
 * @module
 */
import { defineAdapterType } from "@switchboard/core";
import { z } from "zod";

const shellEntrySchema = z
  .object({
    type: z.literal("shell"),
    /** Network name (default `shell`); principals' identities refer to it. */
    name: z.string().min(1).optional(),
    /** Who is speaking at start (default: the OS login). */
    user: z.string().min(1).optional(),
    /** History file of the interactive shell, or false for none (default `./.switchboard/shell_history`). */
    history: z.union([z.string().min(1), z.literal(false)]).optional(),
  })
  .strict();

/** A `type: shell` entry. */
export type ShellAdapterConfig = z.output<typeof shellEntrySchema>;

/** The `type: shell` adapter for the app: config schema and a factory that loads the adapter only when used. */
export const shellAdapterType = defineAdapterType<ShellAdapterConfig>({
  type: "shell",
  description: "the terminal (interactive, or line by line from a pipe)",
  schema: shellEntrySchema,
  networkName: (config) => config.name ?? "shell",
  async create(config, context) {
    const { ShellAdapter } = await import("./index.js");
    const user = context.shellUser ?? config.user;
    return new ShellAdapter({
      network: config.name ?? "shell",
      ...(user ? { user } : {}),
      ...(config.history !== undefined ? { historyFile: config.history } : {}),
    });
  },
});
