/**
 * The adapter types `adapters: [{ type: … }]` may name. Each adapter package describes itself (config schema and
 * factory) in its light `./type` entry, so loading and checking a configuration never loads a network library.
 * @module
 */
import { ircAdapterType } from "@switchboard/adapter-irc/type";
import { matrixAdapterType } from "@switchboard/adapter-matrix/type";
import { shellAdapterType } from "@switchboard/adapter-shell/type";
import { slackAdapterType } from "@switchboard/adapter-slack/type";
import type { Adapter, AdapterFactoryContext, AdapterType, AnyAdapterType } from "@switchboard/core";
import { z } from "zod";

export type { IrcAdapterConfig } from "@switchboard/adapter-irc/type";
export type { MatrixAdapterConfig } from "@switchboard/adapter-matrix/type";
export type { ShellAdapterConfig } from "@switchboard/adapter-shell/type";
export type { SlackAdapterConfig } from "@switchboard/adapter-slack/type";

/** What a factory gets besides its own config entry. */
export type AdapterContext = AdapterFactoryContext;

/** Every adapter type the app knows. Add a new adapter package's type here. */
export const adapterTypeList: AnyAdapterType[] = [
  shellAdapterType,
  ircAdapterType,
  matrixAdapterType,
  slackAdapterType,
];

/** Adapter types by their `type:` name. */
export const adapterTypes: ReadonlyMap<string, AnyAdapterType> = new Map(adapterTypeList.map((t) => [t.type, t]));

/** One validated `adapters:` entry. */
export type AdapterConfig = { type: string; name?: string | undefined } & Record<string, unknown>;

/** The network name an entry gives its adapter (`name`, else the type). */
export function networkName(entry: AdapterConfig): string {
  return adapterTypes.get(entry.type)?.networkName?.(entry) ?? entry.name ?? entry.type;
}

/** Validates one `adapters:` entry against its type's schema; an unknown type lists the known ones. */
export const adapterEntrySchema = z.looseObject({ type: z.string() }).transform((entry, ctx): AdapterConfig => {
  const type = adapterTypes.get(entry.type);
  if (!type) {
    ctx.addIssue({
      code: "custom",
      path: ["type"],
      message: `unknown adapter type "${entry.type}"; known types: ${[...adapterTypes.keys()].join(", ")}`,
    });
    return z.NEVER;
  }
  const parsed = type.schema.safeParse(entry);
  if (!parsed.success) {
    for (const issue of parsed.error.issues) ctx.addIssue({ ...issue } as Parameters<typeof ctx.addIssue>[0]);
    return z.NEVER;
  }
  return parsed.data as AdapterConfig;
});

/** Creates the adapter for an entry (importing its package now). */
export function createAdapter(entry: AdapterConfig, context: AdapterContext): Promise<Adapter> {
  const type = adapterTypes.get(entry.type) as AdapterType<AdapterConfig>;
  return type.create(entry, context);
}
