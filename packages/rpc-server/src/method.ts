/**
 * Typed method definitions: a regex source with named groups, whose group names become the handler's params.
 * @module
 */

/** The names of the named groups `(?<name>…)` in a regex source, as a union of string literal types. */
export type GroupNames<S extends string> = S extends `${string}(?<${infer Name}>${infer Rest}`
  ? Name | GroupNames<Rest>
  : never;

/** A rich answer: `result` alone must be enough; the other fields are for clients that can show more. */
export interface ChatopsAnswer {
  result: string;
  title?: string;
  title_link?: string;
  /** Hex colour without `#`: `ddeeaa`. */
  color?: string;
  image_url?: string;
  buttons?: Array<{ label: string; command: string; image_url?: string }>;
  attachment?: boolean;
}

/** What a method's handler gets. */
export interface MethodCall<P extends string> {
  /** The chat login of the person, as the (verified) client says. */
  user: string;
  /** The room the command came from. */
  roomId: string | undefined;
  /** Named-group values the client extracted; user input, validate before use. */
  params: Partial<Record<P, string>>;
  /** `--key value` pairs beyond the named groups (user input). */
  extra: Record<string, string>;
  messageId: string | undefined;
  mentionSlug: string | undefined;
  /** The key id that signed the request. */
  keyId: string;
}

/** One method a service exposes. */
export interface MethodDefinition<S extends string = string> {
  /** The method's name (a slug): also its path under the listing URL. */
  name: string;
  /** Regex source the client matches (after its prefix), with named groups: `restart (?<app>[a-z0-9-]+)`. */
  regex: S;
  /** Help line for the method: `ops restart <app> - restart an app's workers`. */
  help?: string;
  handler(call: MethodCall<GroupNames<S>>): string | ChatopsAnswer | Promise<string | ChatopsAnswer>;
}

/** Declares a method; `params` in the handler are typed from the regex's named groups. */
export function defineMethod<const S extends string>(definition: MethodDefinition<S>): MethodDefinition<S> {
  if (!/^[A-Za-z0-9_-]{1,64}$/.test(definition.name))
    throw new Error(`rpc-server: method name "${definition.name}" is not a slug`);
  new RegExp(definition.regex); // throws on a bad source
  return definition;
}

/** The named-group names of a regex source, in order. */
export function groupNames(source: string): string[] {
  return [...source.matchAll(/\(\?<([A-Za-z_][A-Za-z0-9_]*)>/g)].map((m) => m[1]!);
}
