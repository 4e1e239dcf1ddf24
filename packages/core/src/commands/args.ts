/**
 * Typed argument definitions. A command's handler receives `{ [name]: value }` whose types are inferred from these.
 * @module
 */
import { parseDuration } from "../util/duration.js";

/** The kinds of value an argument can hold. */
export type ArgKind = "string" | "number" | "boolean" | "enum" | "duration";

interface ArgOptionsBase<T> {
  /** One line for help. */
  description?: string;
  /** Must be given (or have a default). */
  required?: boolean;
  default?: T;
  /** Taken from the words after the command, in declaration order, as well as from `--name value`. */
  positional?: boolean;
  /** A single-letter flag alias (`-f`). */
  alias?: string;
  /** Redacted in the audit log and logs (tokens, passwords). */
  secret?: boolean;
  /** Extra validation: return an error message to refuse the value. */
  validate?(value: T): string | undefined;
}

/** Options of a string argument. */
export interface StringArgOptions extends ArgOptionsBase<string> {
  /** The value must match this pattern entirely (anchor it). */
  match?: RegExp;
  /** Takes every remaining word (joined by spaces); only for the last positional argument. */
  rest?: boolean;
  /**
   * With `rest`: the words after the command name are taken as typed, options included (`why deploy --force`),
   * for commands whose argument is another command line.
   */
  verbatim?: boolean;
  /** The longest value accepted, in characters (default {@link MAX_TEXT_CHARS}). */
  maxLength?: number;
}

/**
 * The longest string argument accepted unless its definition says `maxLength`: free text (a note, a reason) from a
 * network that allows long messages must not become a 60 KB note that every renderer and network has to carry.
 */
export const MAX_TEXT_CHARS = 2000;

/** A declared argument. `T` is the value type, `R` whether the handler always gets a value. */
export interface ArgDef<T = unknown, R extends boolean = boolean> {
  readonly kind: ArgKind;
  readonly options: ArgOptionsBase<T> & { match?: RegExp; rest?: boolean; verbatim?: boolean; maxLength?: number };
  readonly values?: readonly string[];
  /** Phantom field carrying the types; never set. */
  readonly __type?: { value: T; present: R };
}

type Present<O> = O extends { required: true } ? true : O extends { default: unknown } ? true : false;

/** The value type the handler gets for one argument definition. */
export type ArgValue<D> = D extends ArgDef<infer T, infer R> ? (R extends true ? T : T | undefined) : never;

/** A command's argument schema. */
export type ArgsSchema = Record<string, ArgDef>;

/** The handler's `args` object for a schema. */
export type ArgsOf<S extends ArgsSchema> = { [K in keyof S]: ArgValue<S[K]> };

function def<T, R extends boolean>(kind: ArgKind, options: object, values?: readonly string[]): ArgDef<T, R> {
  return (values ? { kind, options, values } : { kind, options }) as ArgDef<T, R>;
}

/** Builders for argument definitions: `{ env: arg.enum(["staging", "production"], { positional: true }) }`. */
export const arg = {
  string: <const O extends StringArgOptions>(options?: O): ArgDef<string, Present<O>> => def("string", options ?? {}),
  number: <const O extends ArgOptionsBase<number>>(options?: O): ArgDef<number, Present<O>> =>
    def("number", options ?? {}),
  /** A boolean flag (`--force`); always present, false unless given. */
  flag: <const O extends Omit<ArgOptionsBase<boolean>, "positional" | "required">>(
    options?: O,
  ): ArgDef<boolean, true> => def("boolean", { default: false, ...options }),
  enum: <const V extends readonly string[], const O extends ArgOptionsBase<V[number]>>(
    values: V,
    options?: O,
  ): ArgDef<V[number], Present<O>> => def("enum", options ?? {}, values),
  /** A duration like `15m`, `1h30m`; the handler gets milliseconds. */
  duration: <const O extends ArgOptionsBase<number>>(options?: O): ArgDef<number, Present<O>> =>
    def("duration", options ?? {}),
};

/** Converts one raw word into an argument value, or returns an error message. */
export function coerceArg(name: string, definition: ArgDef, raw: unknown): { value: unknown } | { error: string } {
  const text = String(raw);
  let value: unknown;
  switch (definition.kind) {
    case "string": {
      const max = definition.options.maxLength ?? MAX_TEXT_CHARS;
      if (text.length > max) return { error: `${name} is ${text.length} characters long; at most ${max} are accepted` };
      if (definition.options.match && !definition.options.match.test(text))
        return { error: `${name} "${text}" is not valid` };
      value = text;
      break;
    }
    case "number": {
      const n = typeof raw === "number" ? raw : text.trim() === "" ? Number.NaN : Number(text);
      if (!Number.isFinite(n)) return { error: `${name} must be a number, not "${text}"` };
      value = n;
      break;
    }
    case "boolean":
      if (typeof raw === "boolean") value = raw;
      else if (text === "true" || text === "false") value = text === "true";
      else return { error: `${name} is a flag; it takes no value` };
      break;
    case "enum":
      if (!definition.values?.includes(text))
        return { error: `${name} must be one of ${definition.values?.join(", ")}, not "${text}"` };
      value = text;
      break;
    case "duration": {
      const ms = parseDuration(text);
      if (ms === undefined) return { error: `${name} must be a duration like 30s, 15m or 2h, not "${text}"` };
      value = ms;
      break;
    }
  }
  const problem = (definition.options.validate as ((v: unknown) => string | undefined) | undefined)?.(value);
  return problem ? { error: `${name}: ${problem}` } : { value };
}

/** How an argument appears in a usage line: `<env>`, `[ref]`, `[--force]`, `[reason...]`. */
export function usageOf(name: string, definition: ArgDef): string {
  const required = definition.options.required === true;
  if (definition.kind === "boolean") return `[--${name}]`;
  const label = definition.kind === "enum" ? (definition.values ?? []).join("|") : name;
  if (definition.options.positional) {
    const body = definition.options.rest ? `${label}...` : label;
    return required ? `<${body}>` : `[${body}]`;
  }
  return required ? `--${name} <${label}>` : `[--${name} <${label}>]`;
}
