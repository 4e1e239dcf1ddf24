/**
 * Commands: what a person can ask the bot to do, declared with {@link defineCommand}.
 * Help, usage and suggestions are generated from this metadata.
 * @module
 */

import type { IncomingMessage } from "../adapters/message.js";
import type { Reply } from "../output/output.js";
import type { Actor } from "../policy/identity.js";
import type { Logger } from "../runtime/logger.js";
import type { Lock, LockResult, Store } from "../store/store.js";
import type { ArgsOf, ArgsSchema } from "./args.js";

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
  /**
   * Takes a lock held by the person (`deploy lock`: it outlives the job; taking it again renews it). For a lock
   * that stands for the job's own work, use {@link JobLocks.hold}.
   */
  acquire(name: string, reason: string, ttlMs: number): Promise<LockResult>;
  /**
   * Takes a lock owned by this job, shown with its person (`bob (job k3x9a)`): every other job — the same person's
   * too — is refused while it is held; taking it again in the same job renews it. Released when the job ends,
   * however it ends (finished, failed, cancelled, timed out); a store that reaps abandoned jobs releases it with
   * them, and otherwise it expires with its time to live.
   */
  hold(name: string, reason: string, ttlMs: number): Promise<LockResult>;
  /** Releases a lock this job holds, or the person's own lock of that name. */
  release(name: string): Promise<boolean>;
  /**
   * Releases a lock whoever holds it, returning the lock that was held (undefined when none was). For commands that
   * break other people's locks: guard it with a permission (e.g. in `requirements`) and name the holder.
   */
  breakLock(name: string): Promise<Lock | undefined>;
  list(): Promise<Lock[]>;
}

/** Another job, as commands see it (for {@link JobControl}). */
export interface JobInfo {
  id: string;
  command: string;
  /** The plugin of its command, if any. */
  plugin?: string;
  /** Principal id of its requester. */
  actor: string;
  state: "awaiting-approval" | "running";
  /** Its arguments, with secrets redacted. */
  args: Record<string, unknown>;
}

/** Other jobs: look one up, or cancel it with the rules of the `cancel` command (yours, or `jobs:cancel`). */
export interface JobControl {
  get(id: string): JobInfo | undefined;
  /** Aborts a running job or withdraws a waiting one, as the current actor; throws a UserError when not allowed. */
  cancel(id: string): Promise<JobInfo>;
}

/** What {@link CommandSpec.prepare} gets. */
export interface PrepareContext<A> {
  /** The parsed, validated arguments. */
  args: A;
  /** The name or alias that was typed (`deploy!` for a command named `deploy` with that alias). */
  invokedAs: string;
  actor: Actor;
  message: IncomingMessage;
}

/** A permission or approval a command needs for particular arguments; see {@link CommandSpec.requirements}. */
export interface CommandRequirement {
  /** What it is about, for denials, `why` and the audit log: `environment production`, `force`. */
  reason: string;
  /** A permission the asker must also hold. */
  permission?: string;
  /** Approval by other people (a matching rule's approval from the configuration takes precedence). */
  approval?: ApprovalRule;
}

/** What {@link CommandSpec.check} gets: the handler's context without progress, approvers and other jobs. */
export type CheckContext<A> = Pick<
  CommandContext<A>,
  "args" | "actor" | "message" | "job" | "signal" | "reply" | "store" | "locks" | "logger"
>;

/** Facts a {@link CommandSpec.check} established (a resolved commit): audited, and handed to the handler. */
export type CheckedFacts = Record<string, unknown>;

/** What a handler gets. `K` is what the command's {@link CommandSpec.check} returned. */
export interface CommandContext<A, K extends CheckedFacts = CheckedFacts> {
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
  /** What the command's {@link CommandSpec.check} returned (`{}` without one), typed as the check returns it. */
  checked: K;
  /** Other jobs (for commands that cancel or inspect jobs). */
  jobs: JobControl;
}

/** A command handler. Its return value, if any, is the final reply. */
export type CommandHandler<A, K extends CheckedFacts = CheckedFacts> = (
  context: CommandContext<A, K>,
) => Reply | undefined | Promise<Reply | undefined>;

/** The declaration of a command. */
export interface CommandSpec<S extends ArgsSchema, K extends CheckedFacts = CheckedFacts> {
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
  /**
   * Permission the asker needs, checked by core before the arguments are parsed. A command without one must say
   * {@link guests} instead.
   */
  permission?: string;
  /** True when the command changes something outside the bot (deploys, applies). */
  sideEffect?: boolean;
  /** Time limit in ms (default: the bot's default, 5 minutes). */
  timeoutMs?: number;
  /** Require approval by other people before running. */
  approval?: ApprovalRule;
  /**
   * Completes the parsed arguments before permissions are checked: defaults that depend on configuration or on
   * other arguments, normalised names, what the alias typed means. What it returns is what rules see, the audit log
   * records and the handler gets. Throw a {@link UserError} to refuse (a {@link DeniedError} is audited as a denial).
   */
  prepare?(context: PrepareContext<ArgsOf<S>>): ArgsOf<S>;
  /**
   * Permissions and approvals needed for particular (prepared) arguments, checked by core together with
   * {@link permission} and the configured rules: `[{ reason: "force", permission: "deploy:force" }]`.
   */
  requirements?(args: ArgsOf<S>): CommandRequirement[];
  /**
   * Checks that need I/O (a lock, a CI state), run once permission is granted and before an approval is requested
   * or the job starts. Throw a {@link DeniedError} to refuse (audited with its rule). The facts returned are written
   * to the audit log with the decision and given to the handler as `checked`, so what was checked is what runs.
   */
  check?(context: CheckContext<ArgsOf<S>>): K | Promise<K>;
  /** Hide from help (still runnable). */
  hidden?: boolean;
  /**
   * Who may run it without a {@link permission}: `true` opens it to everyone, guests (people holding no role but the
   * guest role) included — help, whoami, why, ping; `false` to anyone holding a role (commands that act on jobs or
   * approvals). A command must declare a permission or this (the bot refuses to start otherwise); with a permission
   * and without `guests`, a guest may run it only if the guest role grants that permission.
   */
  guests?: boolean;
  handler: CommandHandler<ArgsOf<S>, K>;
}

/** A defined command. */
export interface Command<S extends ArgsSchema = ArgsSchema, K extends CheckedFacts = CheckedFacts>
  extends CommandSpec<S, K> {
  readonly args: S;
  /** The plugin it belongs to (set when registered). */
  plugin?: string;
}

/**
 * Declares a command. Handler `args` are typed from `args`:
 * ```ts
 * defineCommand({
 *   name: "greet", summary: "Say hello", guests: true,
 *   args: { who: arg.string({ positional: true, required: true }) },
 *   handler: ({ args }) => `hello ${args.who}`,
 * });
 * ```
 */
export function defineCommand<const S extends ArgsSchema = Record<never, never>, K extends CheckedFacts = CheckedFacts>(
  spec: CommandSpec<S, K>,
): Command<S, K> {
  return { ...spec, args: (spec.args ?? {}) as S };
}

/** A command of any argument schema (for lists of commands). */
// biome-ignore lint/suspicious/noExplicitAny: the handler's parameter type varies per command
export type AnyCommand = Command<any, any>;
