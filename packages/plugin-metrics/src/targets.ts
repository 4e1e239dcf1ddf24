/**
 * Turns one typed target into a backend and an expression: an alias (`load fs1`, `@load(fs1)`), a target with a
 * backend prefix (`graphite:servers.*.load`), or an expression for the default backend. A target can only pick
 * a configured backend by name; it never carries a URL.
 * @module
 */
import { type Store, UserError } from "@switchboard/core";
import { expandAlias, type KnownAlias } from "./aliases.js";
import type { MetricsBackend } from "./backends/backend.js";
import { NAME_PATTERN, type Thresholds } from "./config.js";
import type { MetricsState } from "./state.js";
import type { Unit } from "./units.js";

/** Longest expression sent to a backend. */
export const MAX_EXPRESSION_LENGTH = 2000;

/** A target ready to query. */
export interface ResolvedTarget {
  /** As typed. */
  display: string;
  backend: MetricsBackend;
  /** What is sent to the backend. */
  expression: string;
  alias?: KnownAlias;
  unit?: Unit;
  thresholds?: Thresholds;
}

function backendNamed(state: MetricsState, name: string): MetricsBackend {
  const backend = state.backends.get(name);
  if (!backend) throw new UserError(`no backend "${name}"`, `backends: ${[...state.backends.keys()].join(", ")}`);
  return backend;
}

function fromAlias(state: MetricsState, display: string, alias: KnownAlias, values: string[]): ResolvedTarget {
  return {
    display,
    backend: alias.backend ? backendNamed(state, alias.backend) : state.defaultBackend,
    expression: expandAlias(alias, values),
    alias,
    ...(alias.unit ? { unit: alias.unit } : {}),
    ...(alias.thresholds ? { thresholds: alias.thresholds } : {}),
  };
}

/** Resolves a typed target. Throws a UserError for an unknown alias in `@name(…)` form or a bad parameter. */
export async function resolveTarget(state: MetricsState, store: Store, text: string): Promise<ResolvedTarget> {
  const display = text.trim();
  if (display.length > MAX_EXPRESSION_LENGTH)
    throw new UserError(`the target is longer than ${MAX_EXPRESSION_LENGTH} characters`);
  const call = /^@([A-Za-z][A-Za-z0-9_-]*)\((.*)\)$/s.exec(display);
  if (call) {
    const alias = await state.aliases.get(store, call[1]!);
    if (!alias) throw new UserError(`no alias "${call[1]}"`, "graph list shows the aliases");
    const values = call[2]!.trim() === "" ? [] : call[2]!.split(",").map((v) => v.trim());
    return fromAlias(state, display, alias, values);
  }
  const words = display.split(/\s+/);
  const first = words[0]!;
  if (NAME_PATTERN.test(first.toLowerCase())) {
    const alias = await state.aliases.get(store, first);
    if (alias) return fromAlias(state, display, alias, words.slice(1));
  }
  const prefixed = /^([a-z][a-z0-9_-]{0,31}):(.+)$/s.exec(display);
  if (prefixed && state.backends.has(prefixed[1]!))
    return { display, backend: state.backends.get(prefixed[1]!)!, expression: prefixed[2]!.trim() };
  return { display, backend: state.defaultBackend, expression: display };
}
