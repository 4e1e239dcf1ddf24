/**
 * The bot: wires the registry, identity, policy, approval desk, dispatcher, adapters and plugins together, and is
 * what an embedder talks to (`handle`, `announce`, `start`, `stop`).
 * @module
 */
import type { Adapter, AdapterStatus, SentMessage } from "./adapter.js";
import { createAdapterHost } from "./adapter-host.js";
import { extractCommandText } from "./addressing.js";
import { ApprovalDesk } from "./approval-desk.js";
import { type AuditLog, MemoryAuditLog } from "./audit.js";
import { builtinCommands } from "./builtins/index.js";
import type { AnyCommand } from "./command.js";
import { Dispatcher, deliver } from "./dispatch.js";
import { formatDuration } from "./duration.js";
import { DeniedError, JobCancelledError, UserError } from "./errors.js";
import { evaluate } from "./evaluate.js";
import { EventBus } from "./events.js";
import { type Actor, IdentityDirectory } from "./identity.js";
import type { JobRunnerDeps } from "./job-runner.js";
import { type Job, JobTable, jobInfo, type Responder } from "./jobs.js";
import { createLogger, type Logger } from "./logger.js";
import { MemoryStore } from "./memory-store.js";
import { type IncomingMessage, type ReplyTarget, type Room, replyTargetFor } from "./message.js";
import { type OutgoingMessage, out, type Reply, toBlocks } from "./output.js";
import { Policy } from "./permissions.js";
import { type AnnounceOptions, namespacedStore, type Plugin, type PluginSetupContext } from "./plugin.js";
import { PluginHost } from "./plugin-host.js";
import { type PolicyConfigInput, policyConfigSchema } from "./policy-config.js";
import { CommandRegistry } from "./registry.js";
import { parseRoomRef, type RoomRef } from "./room-ref.js";
import { RouteTable } from "./routes.js";
import type { BotServices } from "./services.js";
import type { Store } from "./store.js";

/** Options for {@link createBot}. */
export interface BotOptions {
  /** The bot's name, for addressing (`switchboard: help`). Default `switchboard`. */
  name?: string;
  /** Other names it answers to. */
  aliases?: string[];
  /** Command prefix. Default `!`. */
  prefix?: string;
  adapters?: Adapter[];
  /** Extra commands outside any plugin. */
  commands?: AnyCommand[];
  /** Roles, principals and rules. Default: nobody has any permission. */
  policy?: PolicyConfigInput;
  /** Default: {@link MemoryStore}. */
  store?: Store;
  /** Default: {@link MemoryAuditLog}. */
  auditLog?: AuditLog;
  /** Default: pino to stderr. */
  logger?: Logger;
  /** Time limit of a job without its own, in ms. Default 5 minutes. */
  defaultTimeoutMs?: number;
  /** How long approval requests stay open by default, in ms. Default 15 minutes. */
  approvalTtlMs?: number;
  /** Minimum time between two progress messages of a job, in ms. Default 1000. */
  progressIntervalMs?: number;
  /** Commands older than this when they arrive (a bouncer's backlog, a reconnect) are not run. Default 2 minutes. */
  staleAfterMs?: number;
  /** After a cancel or timeout, how long a job's outcome waits for its handler to clean up, in ms. Default 5 s. */
  cleanupGraceMs?: number;
}

/** The Switchboard runtime. Create it with {@link createBot}. */
export class Bot {
  readonly name: string;
  readonly prefix: string;
  readonly registry = new CommandRegistry();
  readonly policy: Policy;
  readonly identity: IdentityDirectory;
  readonly jobs = new JobTable();
  readonly store: Store;
  readonly auditLog: AuditLog;
  readonly logger: Logger;
  /** Bot events: jobs, approvals, adapters, traffic. */
  readonly events: EventBus;
  /** HTTP routes registered by plugins and adapters (served by `@switchboard/http`). */
  readonly routes = new RouteTable();
  readonly #adapters = new Map<string, Adapter>();
  readonly #statuses = new Map<string, AdapterStatus>();
  readonly #plugins = new PluginHost(this.registry);
  readonly #names: string[];
  readonly #staleAfterMs: number;
  readonly #desk: ApprovalDesk;
  readonly #dispatcher: Dispatcher;
  readonly #runner: JobRunnerDeps;
  #started = false;
  /** `handle()` calls that have not finished (for {@link idle}). */
  readonly #inFlight = new Set<Promise<void>>();

  constructor(options: BotOptions = {}) {
    this.name = options.name ?? "switchboard";
    this.prefix = options.prefix ?? "!";
    this.#names = [this.name, ...(options.aliases ?? [])];
    this.#staleAfterMs = options.staleAfterMs ?? 120_000;
    this.store = options.store ?? new MemoryStore();
    this.auditLog = options.auditLog ?? new MemoryAuditLog();
    this.logger = options.logger ?? createLogger();
    this.events = new EventBus(this.logger);
    const policy = policyConfigSchema.parse(options.policy ?? {});
    this.policy = new Policy(policy);
    this.identity = new IdentityDirectory(policy, this.store);
    const storeViews = new Map<string, Store>();
    this.#runner = {
      auditLog: this.auditLog,
      store: this.store,
      logger: this.logger,
      events: this.events,
      defaultTimeoutMs: options.defaultTimeoutMs ?? 5 * 60_000,
      progressIntervalMs: options.progressIntervalMs ?? 1000,
      cleanupGraceMs: options.cleanupGraceMs ?? 5000,
      storeFor: (plugin) => {
        const key = plugin ?? "core";
        let view = storeViews.get(key);
        if (!view) {
          view = namespacedStore(this.store, key);
          storeViews.set(key, view);
        }
        return view;
      },
      jobsFor: (actor) => ({
        get: (id) => {
          const job = this.jobs.get(id);
          return job ? jobInfo(job) : undefined;
        },
        cancel: async (id) => jobInfo(await this.#cancelJob(id, actor)),
      }),
    };
    this.#desk = new ApprovalDesk({
      jobs: this.jobs,
      policy: this.policy,
      auditLog: this.auditLog,
      events: this.events,
      logger: this.logger,
      prefix: this.prefix,
      defaultTtlMs: options.approvalTtlMs ?? 15 * 60_000,
      notify: (job, reply, kind, extra) => deliver(job.respond, this.logger, reply, kind, extra),
      start: (job, approvers) => void this.#dispatcher.execute(job, approvers),
    });
    this.#dispatcher = new Dispatcher({
      registry: this.registry,
      identity: this.identity,
      policy: this.policy,
      prefix: this.prefix,
      auditLog: this.auditLog,
      jobs: this.jobs,
      desk: this.#desk,
      runner: this.#runner,
      logger: this.logger,
      events: this.events,
    });
    for (const command of builtinCommands(this.#services())) this.registry.register(command);
    for (const command of options.commands ?? []) this.registry.register(command);
    for (const adapter of options.adapters ?? []) this.addAdapter(adapter);
  }

  /** Adds a network connection (before {@link start}). Network names must be unique. */
  addAdapter(adapter: Adapter): this {
    if (this.#adapters.has(adapter.network)) throw new Error(`two adapters use the network name "${adapter.network}"`);
    this.#adapters.set(adapter.network, adapter);
    if (this.#started) void this.#startAdapter(adapter);
    return this;
  }

  /**
   * Enables a plugin with its raw configuration, validated by the plugin's schema.
   * Throws an error naming the plugin and the offending key.
   */
  // biome-ignore lint/suspicious/noExplicitAny: any plugin state
  use<C>(plugin: Plugin<C, any>, rawConfig?: unknown): this {
    this.#plugins.use(plugin, rawConfig);
    return this;
  }

  /** Loads runtime state, runs plugin setup, and connects every adapter. */
  async start(): Promise<void> {
    if (this.#started) return;
    this.#started = true;
    await this.identity.load();
    await this.#plugins.setup((name, config) => this.#pluginContext(name, config));
    for (const adapter of this.#adapters.values()) await this.#startAdapter(adapter);
  }

  async #startAdapter(adapter: Adapter): Promise<void> {
    await adapter.start(
      createAdapterHost(adapter, {
        receive: (message, options) => this.handle(message, undefined, options?.addressed),
        isCommand: (text, direct) => this.#commandText(text, direct) !== undefined,
        desk: this.#desk,
        identity: this.identity,
        auditLog: this.auditLog,
        events: this.events,
        routes: this.routes,
        statuses: this.#statuses,
        logger: this.logger,
        botName: this.name,
        prefix: this.prefix,
        aliases: this.#names.slice(1),
      }),
    );
    this.logger.info({ network: adapter.network }, "adapter started");
  }

  /**
   * Stops the bot: running jobs are cancelled and get `graceMs` to finish (their outcomes are written), jobs
   * waiting for approval are closed with an audit entry, then adapters and plugins stop.
   */
  async stop(graceMs = 5000): Promise<void> {
    for (const job of this.jobs.list())
      if (job.state === "running") job.controller.abort(new JobCancelledError("shutdown"));
    await this.#desk.closeAll("shutting down");
    await Promise.race([this.idle(), new Promise((r) => setTimeout(r, graceMs).unref())]);
    for (const adapter of this.#adapters.values())
      await adapter.stop().catch((err: unknown) => this.logger.warn({ err }, "adapter stop failed"));
    await this.#plugins.teardown((plugin, err) => this.logger.warn({ err, plugin }, "plugin teardown failed"));
    this.#started = false;
  }

  /** Resolves when no message is being handled and no job is running (jobs waiting for approval don't count). */
  async idle(): Promise<void> {
    while (this.#inFlight.size > 0 || this.jobs.runningCount() > 0) {
      await Promise.all([...this.#inFlight]);
      await this.jobs.idle();
    }
  }

  /** Connection state of every adapter that reported one, by network. */
  adapterStatus(): Record<string, AdapterStatus> {
    const statuses: Record<string, AdapterStatus> = {};
    for (const network of this.#adapters.keys())
      statuses[network] = this.#statuses.get(network) ?? { connected: false, detail: "not started" };
    return statuses;
  }

  /** Sends output to where `message` was said, on the adapter of its network. */
  async send(message: IncomingMessage, output: OutgoingMessage): Promise<void> {
    await this.#sendTo(replyTargetFor(message), output);
  }

  /**
   * Posts into a room on one of the bot's networks (`irc:#ops` or `{ network, room }`), editing `replace` where
   * the network can edit, or answering in the thread of `inThreadOf` where it has threads.
   */
  async announce(
    target: RoomRef | string,
    reply: Reply,
    options: AnnounceOptions = {},
  ): Promise<SentMessage | undefined> {
    const ref = typeof target === "string" ? parseRoomRef(target) : target;
    const adapter = this.#adapter(ref.network);
    const output: OutgoingMessage = { blocks: toBlocks(reply), kind: "announcement" };
    if (options.replace && adapter.capabilities.edits && adapter.edit) {
      await adapter.edit(options.replace, output);
      this.events.emit("message.sent", { network: ref.network, kind: "announcement" });
      return options.replace;
    }
    const thread = adapter.capabilities.threads
      ? (options.inThreadOf?.thread ?? options.inThreadOf?.id ?? ref.thread)
      : undefined;
    const room: Room = { id: ref.room, direct: false };
    return (await this.#sendTo({ network: ref.network, room, ...(thread ? { thread } : {}) }, output)) ?? undefined;
  }

  /** Sends a direct message to a principal on every linked network whose adapter can; returns those networks. */
  async directMessage(principal: string, reply: Reply): Promise<string[]> {
    const reached: string[] = [];
    for (const { network, id } of this.identity.identitiesOf(principal)) {
      const adapter = this.#adapters.get(network);
      if (!adapter?.sendDirect) continue;
      try {
        await adapter.sendDirect(id, { blocks: toBlocks(reply), kind: "announcement" });
        this.events.emit("message.sent", { network, kind: "announcement" });
        reached.push(network);
      } catch (err) {
        this.logger.warn({ err, network, principal }, "could not send a direct message");
      }
    }
    return reached;
  }

  /**
   * Handles one received message. Replies go to `respond` (default: the adapter of the message's network); it
   * may return a promise or nothing. `addressed`: the whole text is a command (no prefix needed).
   * Resolves when the command has finished, been refused, or is waiting for approval. Never rejects.
   */
  handle(message: IncomingMessage, respond?: Responder, addressed = false): Promise<void> {
    const text = addressed ? message.text.trim() || undefined : this.#commandText(message.text, message.room.direct);
    if (this.events.has("message.received"))
      this.events.emit("message.received", { network: message.network, command: text !== undefined });
    if (text === undefined) return Promise.resolve();
    const responder: Responder = respond ?? ((output) => this.#sendTo(replyTargetFor(message), output).then(() => {}));
    const age = Date.now() - message.time.getTime();
    const staleAfterMs = this.#adapters.get(message.network)?.staleAfterMs ?? this.#staleAfterMs;
    const handling =
      age > staleAfterMs
        ? deliver(
            responder,
            this.logger,
            out.status(
              "warn",
              `ignored "${text}": it was sent ${formatDuration(age)} ago (commands older than ${formatDuration(staleAfterMs)} are not run). Send it again if it is still wanted.`,
            ),
          )
        : this.#dispatcher.run(message, text, responder);
    this.#inFlight.add(handling);
    return handling.finally(() => this.#inFlight.delete(handling));
  }

  #commandText(text: string, direct: boolean): string | undefined {
    return extractCommandText(text, direct, { prefix: this.prefix, names: this.#names });
  }

  #adapter(network: string): Adapter {
    const adapter = this.#adapters.get(network);
    if (!adapter) throw new Error(`no adapter for network "${network}"`);
    return adapter;
  }

  async #sendTo(target: ReplyTarget, output: OutgoingMessage): Promise<SentMessage | undefined> {
    const sent = await this.#adapter(target.network).send(target, output);
    if (this.events.has("message.sent"))
      this.events.emit("message.sent", { network: target.network, kind: output.kind });
    return sent ?? undefined;
  }

  #pluginContext(name: string, config: unknown): PluginSetupContext<unknown> {
    return {
      config,
      store: this.#runner.storeFor(name),
      logger: this.logger.child({ plugin: name }),
      announce: (target, reply, options) => this.announce(target, reply, options),
      directMessage: (principal, reply) => this.directMessage(principal, reply),
      events: this.events,
      route: (route) => this.routes.add({ ...route, source: route.source ?? `plugin ${name}` }),
      people: {
        principalOf: (network, id) => this.identity.principalOf(network, id),
        identitiesOf: (principal) => this.identity.identitiesOf(principal),
        principals: () => this.identity.principals(),
      },
      audit: async (record) => {
        await this.auditLog.append([{ ...record, detail: { plugin: name, ...record.detail } }]);
      },
    };
  }

  async #cancelJob(id: string, by: Actor): Promise<Job> {
    const job = this.jobs.get(id);
    if (!job) throw new UserError(`no job ${id} is running`, `see ${this.prefix}jobs`);
    if (job.actor.id !== by.id && !(by.verified && this.policy.check(by.roles, "jobs:cancel").held)) {
      throw new DeniedError(
        `job ${job.id} belongs to ${job.actor.name}; cancelling it needs permission jobs:cancel`,
        "command cancel",
      );
    }
    if (job.state === "running") job.controller.abort(new JobCancelledError(by.name));
    else await this.#desk.withdraw(job, by);
    return job;
  }

  #services(): BotServices {
    return {
      prefix: this.prefix,
      registry: this.registry,
      policy: this.policy,
      identity: this.identity,
      auditLog: this.auditLog,
      store: this.store,
      jobs: this.jobs,
      evaluate: (message, line, actor) => evaluate(this.#dispatcher.deps, message, line, actor),
      approve: (jobId, actor) => this.#desk.approve(jobId, actor),
      deny: (jobId, actor) => this.#desk.deny(jobId, actor),
      cancelJob: (id, actor) => this.#cancelJob(id, actor),
      leave: async (network, room) => {
        const adapter = this.#adapters.get(network);
        if (!adapter?.leave) return false;
        await adapter.leave(room);
        return true;
      },
    };
  }
}

/** Creates a bot. Add adapters and plugins, then call `start()` (or feed messages to `handle()` directly). */
export function createBot(options: BotOptions = {}): Bot {
  return new Bot(options);
}
