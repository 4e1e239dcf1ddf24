/**
 * Commands: what a person can ask the bot to do, declared with {@link defineCommand}.
 * Help, usage and suggestions are generated from this metadata.
 * @module
 */
import type { ArgsOf, ArgsSchema } from "./args.js";
import type { Actor } from "./identity.js";
import type { Logger } from "./logger.js";
import type { IncomingMessage } from "./message.js";
import type { Reply } from "./output.js";
import type { Lock, LockResult, Store } from "./store.js";

/** Approval needed before a command runs. */
export interface ApprovalRule {
  /** How many distinct people must approve (default 1). */
  count?: number;
  /** The permission approvers must hold. */
  permission: string;
  /** How long the request stays open, in ms (default: the bot's approval TTL, 15 minutes). */
  ttlMs?: number;
}

/** Leases for a job, owned by the job's actor. */
export interface JobLocks {
  acquire(name: string, reason: string, ttlMs: number): Promise<LockResult>;
  release(name: string): Promise<boolean>;
  list(): Promise<Lock[]>;
}

/** What a handler gets. */
export interface CommandContext<A> {
  /** Parsed, validated arguments. */
  args: A;
  /** Who asked (after an approval: still the requester). */
  actor: Actor;
  /** Principal ids of the people who approved, if the command needed approval. */
  approvers: string[];
  /** The message that started it. */
  message: IncomingMessage;
  job: { id: string; command: string };
  /** Aborted on cancel or timeout; pass it to child processes and fetches. */
  signal: AbortSignal;
  /** Sends output to the room right away (the return value of the handler is sent at the end). */
  reply(reply: Reply): Promise<void>;
  /** Streams a line of progress; lines are batched and sent at most once per interval. */
  progress(line: string): void;
  /** Plugin data, namespaced by the plugin (or `core`). */
  store: Store;
  locks: JobLocks;
  logger: Logger;
}

/** A command handler. Its return value, if any, is the final reply. */
export type CommandHandler<A> = (context: CommandContext<A>) => Reply | undefined | Promise<Reply | undefined>;

/** The declaration of a command. */
export interface CommandSpec<S extends ArgsSchema> {
  /** One or more words: `ping`, `role grant`. */
  name: string;
  /** Other names for the same command (same number of words or fewer). */
  aliases?: string[];
  /** One line for help. */
  summary: string;
  /** Example invocations without the prefix, shown by help. */
  examples?: string[];
  /** Arguments and flags. */
  args?: S;
  /**
   * A word pattern for the words after the name, filling named args: `{app}[/{ref}] [to {env}]`.
   * `{x}` is one word (stopping at the next literal character), `{x...}` takes the rest, `[...]` is optional.
   */
  pattern?: string;
  /** Permission the asker needs (checked by core before the handler). Omit for commands anyone may run. */
  permission?: string;
  /** True when the command changes something outside the bot (deploys, applies). */
  sideEffect?: boolean;
  /** Time limit in ms (default: the bot's default, 5 minutes). */
  timeoutMs?: number;
  /** Require approval by other people before running. */
  approval?: ApprovalRule;
  /** Hide from help (still runnable). */
  hidden?: boolean;
  handler: CommandHandler<ArgsOf<S>>;
}

/** A defined command. */
export interface Command<S extends ArgsSchema = ArgsSchema> extends CommandSpec<S> {
  readonly args: S;
  /** The plugin it belongs to (set when registered). */
  plugin?: string;
}

/**
 * Declares a command. Handler `args` are typed from `args`:
 * ```ts
 * defineCommand({
 *   name: "greet", summary: "Say hello",
 *   args: { who: arg.string({ positional: true, required: true }) },
 *   handler: ({ args }) => `hello ${args.who}`,
 * });
 * ```
 */
export function defineCommand<const S extends ArgsSchema = Record<never, never>>(spec: CommandSpec<S>): Command<S> {
  return { ...spec, args: (spec.args ?? {}) as S };
}

/** A command of any argument schema (for lists of commands). */
// biome-ignore lint/suspicious/noExplicitAny: the handler's parameter type varies per command
export type AnyCommand = Command<any>;
