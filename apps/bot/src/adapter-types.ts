/**
 * The adapter-type table: what `adapters: [{ type: … }]` may name. Each type has a config schema (checked when the
 * file is loaded, without importing the adapter) and a factory that imports its package only when it is used.
 * Add irc, matrix and slack here.
 * @module
 */
import type { Adapter, Logger } from "@switchboard/core";
import { z } from "zod";

/** What a factory gets besides its own config entry. */
export interface AdapterContext {
  logger: Logger;
  /** Overrides from the command line (`switchboard shell --user NAME`). */
  shellUser?: string;
}

/** One row of the table. */
export interface AdapterType<C extends { type: string; name?: string | undefined }> {
  /** One line for `config check` and docs. */
  description: string;
  /** Validates one `adapters:` entry (including its `type`). */
  schema: z.ZodType<C> & { shape: Record<string, unknown> };
  create(config: C, context: AdapterContext): Promise<Adapter>;
}

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

const shell: AdapterType<ShellAdapterConfig> = {
  description: "the terminal (interactive, or line by line from a pipe)",
  schema: shellEntrySchema,
  async create(config, context) {
    const { ShellAdapter } = await import("@switchboard/adapter-shell");
    const user = context.shellUser ?? config.user;
    return new ShellAdapter({
      network: config.name ?? "shell",
      ...(user ? { user } : {}),
      ...(config.history !== undefined ? { historyFile: config.history } : {}),
    });
  },
};

/** Every adapter type by name. */
export const adapterTypes = { shell } as const;

/** A known adapter type name. */
export type AdapterTypeName = keyof typeof adapterTypes;

/** One validated `adapters:` entry. */
export type AdapterConfig = ShellAdapterConfig;

/** The network name an entry gives its adapter (`name`, else the type). */
export function networkName(entry: AdapterConfig): string {
  return entry.name ?? entry.type;
}

function isKnownType(type: string): type is AdapterTypeName {
  return Object.hasOwn(adapterTypes, type);
}

/** Validates one `adapters:` entry against its type's schema; an unknown type lists the known ones. */
export const adapterEntrySchema = z.looseObject({ type: z.string() }).transform((entry, ctx): AdapterConfig => {
  if (!isKnownType(entry.type)) {
    ctx.addIssue({
      code: "custom",
      path: ["type"],
      message: `unknown adapter type "${entry.type}"; known types: ${Object.keys(adapterTypes).join(", ")}`,
    });
    return z.NEVER;
  }
  const parsed = adapterTypes[entry.type].schema.safeParse(entry);
  if (!parsed.success) {
    for (const issue of parsed.error.issues) ctx.addIssue({ ...issue } as Parameters<typeof ctx.addIssue>[0]);
    return z.NEVER;
  }
  return parsed.data;
});

/** Creates the adapter for an entry (importing its package now). */
export function createAdapter(entry: AdapterConfig, context: AdapterContext): Promise<Adapter> {
  const type = adapterTypes[entry.type] as AdapterType<AdapterConfig>;
  return type.create(entry, context);
}
