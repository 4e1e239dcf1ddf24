/**
 * Saved queries: from the configuration, and saved from chat with `graph save` (kept in the plugin's store).
 * An alias is used as `graph load fs1` or `graph @load(fs1)`; `$host` in its target is filled from the words,
 * each value checked against a pattern so no value can leave its place in the query.
 * @module
 */
import { type Store, UserError } from "@switchboard/core";
import {
  type AliasConfig,
  DEFAULT_PARAM_PATTERN,
  type MetricsConfig,
  NAME_PATTERN,
  RESERVED_ALIAS_NAMES,
} from "./config.js";

const STORE_NAMESPACE = "aliases";

/** An alias saved from chat, as stored. */
export interface SavedAlias {
  target: string;
  backend?: string;
  savedBy: string;
  savedAt: string;
}

/** An alias with where it comes from. */
export type KnownAlias = AliasConfig & { name: string; origin: "config" | "saved"; savedBy?: string };

const PLACEHOLDER = /\$\{?([A-Za-z_][A-Za-z0-9_]*)\}?/g;

/** The parameters of a target in order of first appearance: `$host`, `${job}`. */
export function aliasParams(target: string): string[] {
  const names: string[] = [];
  for (const match of target.matchAll(PLACEHOLDER)) if (!names.includes(match[1]!)) names.push(match[1]!);
  return names;
}

/** Fills an alias's parameters from `values` (in order) and its defaults; throws a UserError on a bad value. */
export function expandAlias(alias: KnownAlias, values: string[]): string {
  const params = aliasParams(alias.target);
  const usage = `graph ${alias.name}${params.map((p) => ` <${p}>`).join("")}`;
  if (values.length > params.length)
    throw new UserError(
      `${alias.name} takes ${params.length === 0 ? "no parameters" : `${params.length} (${params.join(", ")})`}`,
      `usage: ${usage}`,
    );
  const filled = new Map<string, string>();
  for (const [i, param] of params.entries()) {
    const value = values[i] ?? (Object.hasOwn(alias.defaults, param) ? alias.defaults[param] : undefined);
    if (value === undefined) throw new UserError(`${alias.name} needs ${param}`, `usage: ${usage}`);
    const pattern = Object.hasOwn(alias.patterns, param) ? alias.patterns[param]! : DEFAULT_PARAM_PATTERN;
    if (!new RegExp(`^(?:${pattern})$`).test(value))
      throw new UserError(
        `${param} "${value}" is not allowed here`,
        "use a host or instance name: letters, digits, . _ : -",
      );
    filled.set(param, value);
  }
  return alias.target.replace(PLACEHOLDER, (whole, name: string) => filled.get(name) ?? whole);
}

/** Why a name cannot be an alias, or undefined. */
export function aliasNameProblem(name: string): string | undefined {
  if (!NAME_PATTERN.test(name)) return "use lower-case letters, digits, - and _, starting with a letter (at most 32)";
  if (RESERVED_ALIAS_NAMES.has(name)) return `"${name}" is reserved`;
  return undefined;
}

/** Aliases from the configuration and the store. Lookups are own-property only (`constructor` is unknown). */
export class AliasBook {
  constructor(private readonly config: MetricsConfig) {}

  #fromConfig(name: string): KnownAlias | undefined {
    if (!Object.hasOwn(this.config.aliases, name)) return undefined;
    return { ...this.config.aliases[name]!, name, origin: "config" };
  }

  static #fromSaved(name: string, saved: SavedAlias): KnownAlias {
    return {
      name,
      target: saved.target,
      ...(saved.backend !== undefined ? { backend: saved.backend } : {}),
      defaults: {},
      patterns: {},
      origin: "saved",
      savedBy: saved.savedBy,
    };
  }

  /** An alias by name (configuration first), or undefined. */
  async get(store: Store, name: string): Promise<KnownAlias | undefined> {
    const lower = name.toLowerCase();
    if (!NAME_PATTERN.test(lower)) return undefined;
    const configured = this.#fromConfig(lower);
    if (configured) return configured;
    const saved = await store.get<SavedAlias>(STORE_NAMESPACE, lower);
    return saved ? AliasBook.#fromSaved(lower, saved) : undefined;
  }

  /** Every alias, configured ones first, each group sorted by name. */
  async list(store: Store): Promise<KnownAlias[]> {
    const configured = Object.keys(this.config.aliases)
      .sort()
      .map((name) => this.#fromConfig(name)!);
    const saved = (await store.list<SavedAlias>(STORE_NAMESPACE))
      .filter(([name]) => !Object.hasOwn(this.config.aliases, name))
      .map(([name, value]) => AliasBook.#fromSaved(name, value));
    return [...configured, ...saved];
  }

  /** Saves (or replaces) an alias from chat. Configured aliases cannot be replaced. */
  async save(store: Store, name: string, alias: SavedAlias): Promise<{ replaced: boolean }> {
    const problem = aliasNameProblem(name);
    if (problem) throw new UserError(`cannot save "${name}": ${problem}`);
    if (Object.hasOwn(this.config.aliases, name))
      throw new UserError(`"${name}" is defined in the configuration; choose another name`);
    const before = await store.get<SavedAlias>(STORE_NAMESPACE, name);
    await store.set(STORE_NAMESPACE, name, alias);
    return { replaced: before !== undefined };
  }
}
