/**
 * The bot: wires the registry, identity, policy, approval desk, dispatcher, adapters and plugins together, and is
 * what an embedder talks to (`handle`, `announce`, `start`, `stop`).
 * @module
 */
import {
  type Adapter,
  type AdapterStatus,
  missingCapabilityMethods,
  type ReceiveOptions,
  type SentMessage,
} from "../adapters/adapter.js";
import { createAdapterHost } from "../adapters/adapter-host.js";
import { type IncomingMessage, replyTargetFor } from "../adapters/message.js";
import { type AuditLog, MemoryAuditLog } from "../audit/audit.js";
import { timedAuditLog } from "../audit/timed-audit-log.js";
import { builtinCommands } from "../builtins/index.js";
import { AliasBook, commandWordIn, secretArgsIn } from "../commands/aliases.js";
import type { AnyCommand, JobInfo } from "../commands/command.js";
import { CommandRegistry } from "../commands/registry.js";
import type { AddressingOptions } from "../intake/addressing.js";
import { Dispatcher, deliverSent } from "../intake/dispatch.js";
import { evaluate } from "../intake/evaluate.js";
import { type IntakeDeps, intake } from "../intake/intake.js";
import { Deadlines } from "../jobs/deadlines.js";
import { cancelJob } from "../jobs/job-cancel.js";
import type { JobRunnerDeps } from "../jobs/job-runner.js";
import { JobTable, jobInfo, type Responder } from "../jobs/jobs.js";
import { Outbox } from "../output/outbox.js";
import type { OutgoingMessage, Reply } from "../output/output.js";
import { type AnnounceOptions, type Plugin, storeViews } from "../plugins/plugin.js";
import { PluginHost, pluginContext } from "../plugins/plugin-host.js";
import { RouteTable } from "../plugins/routes.js";
import { WebLinks } from "../plugins/web-links.js";
import { ApprovalBoard } from "../policy/approval-board.js";
import { ApprovalDesk } from "../policy/approval-desk.js";
import { assertAccessDeclared } from "../policy/guests.js";
import { type Actor, IdentityDirectory } from "../policy/identity.js";
import { Policy } from "../policy/permissions.js";
import { policyConfigSchema } from "../policy/policy-config.js";
import { rateLimiterFor } from "../policy/rate-limit.js";
import { refuseUnauditedGrants } from "../policy/role-grant-audit.js";
import { systemClock } from "../schedules/clock.js";
import { scheduleDefaults } from "../schedules/schedule-record.js";
import { resolveTimeZone, timezoneOf } from "../schedules/schedule-when.js";
import { Scheduler } from "../schedules/scheduler.js";
import { MemoryStore } from "../store/memory-store.js";
import type { Store } from "../store/store.js";
import { parseRoomRef, type RoomRef } from "../util/room-ref.js";
import type { BotOptions } from "./bot-options.js";
import { JobCancelledError } from "./errors.js";
import { type BotEvents, EventBus } from "./events.js";
import { createLogger, type Logger } from "./logger.js";
import type { BotServices } from "./services.js";

/** Options of {@link Bot.handle}. */
export interface HandleOptions extends ReceiveOptions {
  /** Where replies go (default: the adapter of the message's network); may return a promise or nothing. */
  respond?: Responder;
}

/** The Switchboard runtime. Create it with {@link createBot}. */
export class Bot {
  readonly name: string;
  readonly prefix: string;
  /** Live jobs, to read (change them through commands: `cancel`, `approve`, `deny`). */
  readonly jobs: Pick<JobTable, "list" | "get">;
  readonly store: Store;
  readonly auditLog: AuditLog;
  readonly logger: Logger;
  /** Bot events: jobs, approvals, adapters, traffic. */
  readonly events: BotEvents;
  /** HTTP routes registered by plugins and adapters (served by `@switchboard/http`). */
  readonly routes: Pick<RouteTable, "list">;
  /** The team's aliases (expanded before lookup). */
  readonly aliases: AliasBook;
  /** Schedules: `bot.scheduler.tick()` checks what is due by the bot's clock. */
  readonly scheduler: Scheduler;
  /** The time zone of schedules made by people without one configured. */
  readonly timezone: string;
  /** Links to the web view: the HTTP endpoint provides the maker when `http.web` is configured. */
  readonly webLinks: Pick<WebLinks, "provide">;
  readonly #webLinks = new WebLinks();
  readonly #registry = new CommandRegistry();
  readonly #policy: Policy;
  readonly #identity: IdentityDirectory;
  readonly #jobs = new JobTable();
  readonly #events: EventBus;
  readonly #routes = new RouteTable();
  readonly #adapters = new Map<string, Adapter>();
  readonly #statuses = new Map<string, AdapterStatus>();
  readonly #plugins = new PluginHost(this.#registry);
  readonly #addressing: AddressingOptions;
  readonly #desk: ApprovalDesk;
  readonly #dispatcher: Dispatcher;
  readonly #runner: JobRunnerDeps;
  readonly #outbox: Outbox;
  readonly #intake: IntakeDeps;
  /** Rooms every approval request is announced into. */
  readonly #announce: RoomRef[];
  #started = false;
  /** `handle()` calls that have not finished (for {@link idle}). */
  readonly #inFlight = new Set<Promise<void>>();

  constructor(options: BotOptions = {}) {
    this.name = options.name ?? "switchboard";
    this.prefix = options.prefix ?? "!";
    this.#addressing = { prefix: this.prefix, names: [this.name, ...(options.aliases ?? [])] };
    this.jobs = this.#jobs;
    this.webLinks = this.#webLinks;
    this.routes = this.#routes;
    this.store = options.store ?? new MemoryStore();
    this.logger = options.logger ?? createLogger();
    this.#events = new EventBus(this.logger);
    this.events = this.#events;
    this.auditLog = timedAuditLog(options.auditLog ?? new MemoryAuditLog(), this.#events);
    const policy = policyConfigSchema.parse(options.policy ?? {});
    this.#policy = new Policy(policy);
    this.#identity = new IdentityDirectory(
      policy,
      this.store,
      (network, actor) => {
        if (this.#events.has("identity.resolved")) this.#events.emit("identity.resolved", { network, actor: actor.id });
      },
      (err) =>
        this.logger.warn({ err }, "could not read the runtime role grants again after a change (read again soon)"),
    );
    this.#outbox = new Outbox(this.#adapters, this.#identity, this.#events, this.logger);
    this.#announce = (options.approvals?.announce ?? []).map((ref) =>
      typeof ref === "string" ? parseRoomRef(ref) : ref,
    );
    this.timezone = resolveTimeZone(options.timezone);
    this.aliases = new AliasBook(this.store, commandWordIn(this.#registry), secretArgsIn(this.#registry));
    this.#runner = {
      auditLog: this.auditLog,
      store: this.store,
      logger: this.logger,
      events: this.#events,
      defaultTimeoutMs: options.defaultTimeoutMs ?? 5 * 60_000,
      deadlines: new Deadlines(),
      progressIntervalMs: options.progressIntervalMs ?? 1000,
      cleanupGraceMs: options.cleanupGraceMs ?? 5000,
      storeFor: storeViews(this.store),
      jobsFor: (actor) => ({
        get: (id) => {
          const job = this.#jobs.get(id);
          return job ? jobInfo(job) : undefined;
        },
        cancel: (id) => this.#cancelJob(id, actor),
      }),
    };
    this.#desk = new ApprovalDesk({
      jobs: this.#jobs,
      policy: this.#policy,
      identity: this.#identity,
      auditLog: this.auditLog,
      events: this.#events,
      logger: this.logger,
      prefix: this.prefix,
      defaultTtlMs: options.approvalTtlMs ?? 15 * 60_000,
      notify: (job, reply, kind, extra) => deliverSent(job.respond, this.logger, reply, kind, extra),
      board: new ApprovalBoard(this.#outbox, this.#announce, this.logger),
      runner: this.#runner,
      ...(this.store.approvals ? { rows: this.store.approvals } : {}),
    });
    this.#dispatcher = new Dispatcher({
      registry: this.#registry,
      identity: this.#identity,
      policy: this.#policy,
      prefix: this.prefix,
      auditLog: this.auditLog,
      jobs: this.#jobs,
      desk: this.#desk,
      runner: this.#runner,
      logger: this.logger,
      events: this.#events,
      aliases: this.aliases,
    });
    this.scheduler = new Scheduler({
      store: this.store,
      auditLog: this.auditLog,
      policy: this.#policy,
      identity: this.#identity,
      logger: this.logger,
      clock: options.clock ?? systemClock,
      options: scheduleDefaults(options.schedules),
      evaluate: (message, line, actor) => evaluate(this.#dispatcher.deps, message, line, actor),
      handle: (message, respond) => this.handle(message, { respond, addressed: true }),
      send: (target, output) => this.#outbox.send(target, output),
      refresh: () => this.aliases.load(),
    });
    const staleAfterMs = options.staleAfterMs ?? 120_000;
    this.#intake = {
      addressing: this.#addressing,
      identity: this.#identity,
      events: this.#events,
      logger: this.logger,
      limiter: rateLimiterFor(options.rateLimit, this.#policy),
      staleAfterMs: (network) => this.#adapters.get(network)?.staleAfterMs ?? staleAfterMs,
      dispatch: (message, text, respond, actor) => this.#dispatcher.run(message, text, respond, actor),
    };
    const services: BotServices = {
      prefix: this.prefix,
      registry: this.#registry,
      policy: this.#policy,
      identity: this.#identity,
      auditLog: this.auditLog,
      store: this.store,
      jobs: this.#jobs,
      evaluate: (message, line, actor) => evaluate(this.#dispatcher.deps, message, line, actor),
      approve: (jobId, actor) => this.#desk.approve(jobId, actor),
      deny: (jobId, actor) => this.#desk.deny(jobId, actor),
      cancelJob: (id, actor) => this.#cancelJob(id, actor),
      leave: async (network, room) => {
        const adapter = this.#adapters.get(network);
        if (!adapter?.capabilities.leave || !adapter.leave) return false;
        await adapter.leave(room);
        return true;
      },
      resetTrust: async (network, userId) => {
        const adapter = this.#adapters.get(network);
        return adapter?.capabilities.trustReset ? adapter.resetTrust?.(userId) : undefined;
      },
      aliases: this.aliases,
      schedules: this.scheduler,
      webLinks: this.#webLinks,
      timezoneOf: (actor) => timezoneOf(this.#policy.config, actor.id) ?? this.timezone,
    };
    for (const command of builtinCommands(services)) this.#registry.register(command);
    for (const command of options.commands ?? []) this.#registry.register(command);
    for (const adapter of options.adapters ?? []) this.addAdapter(adapter);
  }

  /** Adds a network connection (before {@link start}). Network names must be unique. */
  addAdapter(adapter: Adapter): this {
    if (this.#adapters.has(adapter.network)) throw new Error(`two adapters use the network name "${adapter.network}"`);
    const missing = missingCapabilityMethods(adapter);
    if (missing.length > 0)
      throw new Error(
        `the adapter of "${adapter.network}" claims capabilities it has no method for: ${missing.join(", ")}`,
      );
    this.#adapters.set(adapter.network, adapter);
    if (this.#started) void this.#startAdapter(adapter);
    return this;
  }

  /**
   * Enables a plugin with its raw configuration, validated by the plugin's schema (or with what
   * `validatePluginConfig` returned, taken as is). Throws a `PluginConfigError` naming the plugin and the offending
   * keys.
   */
  // biome-ignore lint/suspicious/noExplicitAny: any plugin state
  use<C>(plugin: Plugin<C, any>, rawConfig?: unknown): this {
    this.#plugins.use(plugin, rawConfig);
    return this;
  }

  /** Settings of the enabled plugins that are valid but weaker than they look (`config check` prints them). */
  configWarnings(): string[] {
    return this.#plugins.warnings();
  }

  /** Loads runtime state, runs plugin setup, and connects every adapter. */
  async start(): Promise<void> {
    if (this.#started) return;
    this.#started = true;
    // Closed by default: a command that says neither a permission nor `guests` is refused before anything connects.
    assertAccessDeclared(this.#registry.all().map((e) => e.command));
    for (const ref of this.#announce)
      if (!this.#adapters.has(ref.network))
        throw new Error(
          `approvals.announce names ${ref.network}:${ref.room}, but no adapter has the network name "${ref.network}"`,
        );
    for (const warning of this.configWarnings()) this.logger.warn({ warning }, `configuration: ${warning}`);
    // Grants live in the same file as the audit log: only those with a verified `role grant` entry are loaded.
    await refuseUnauditedGrants(this.store, this.auditLog, this.logger);
    await this.#identity.load();
    await this.aliases.load();
    await this.#plugins.setup((name, config) =>
      pluginContext(name, config, {
        store: this.#runner.storeFor(name),
        logger: this.logger,
        outbox: this.#outbox,
        events: this.#events,
        routes: this.#routes,
        identity: this.#identity,
        auditLog: this.auditLog,
        registry: this.#registry,
      }),
    );
    for (const adapter of this.#adapters.values()) await this.#startAdapter(adapter);
    this.scheduler.start();
  }

  async #startAdapter(adapter: Adapter): Promise<void> {
    await adapter.start(
      createAdapterHost(adapter, {
        receive: (message, options) => this.handle(message, options),
        addressing: this.#addressing,
        identity: this.#identity,
        decide: (message, text, respond, actor) => this.#dispatcher.run(message, text, respond, actor),
        events: this.#events,
        routes: this.#routes,
        statuses: this.#statuses,
        logger: this.logger,
        jobLink: (jobId) => {
          const job = this.#jobs.get(jobId);
          return job ? this.#webLinks.tryMake({ kind: "job", jobId: job.id }, job.actor.id) : undefined;
        },
      }),
    );
    this.logger.info({ network: adapter.network }, "adapter started");
  }

  /**
   * Stops the bot: running jobs are cancelled and get `graceMs` to finish (their outcomes are written), jobs
   * waiting for approval are closed with an audit entry, then adapters and plugins stop.
   */
  async stop(graceMs = 5000): Promise<void> {
    await this.scheduler.stop();
    for (const job of this.#jobs.list())
      if (job.state === "running") job.controller.abort(new JobCancelledError("shutdown"));
    await this.#desk.closeAll("shutting down");
    await Promise.race([this.idle(), new Promise((r) => setTimeout(r, graceMs).unref())]);
    for (const adapter of this.#adapters.values())
      await adapter.stop().catch((err: unknown) => this.logger.warn({ err }, "adapter stop failed"));
    await this.#plugins.teardown((plugin, err) => this.logger.warn({ err, plugin }, "plugin teardown failed"));
    this.#identity.stop();
    this.#started = false;
  }

  /** Resolves when no message is being handled and no job is running (jobs waiting for approval don't count). */
  async idle(): Promise<void> {
    while (this.#inFlight.size > 0 || this.#jobs.runningCount() > 0) {
      await Promise.all([...this.#inFlight]);
      await this.#jobs.idle();
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
    await this.#outbox.send(replyTargetFor(message), output);
  }

  /**
   * Posts into a room on one of the bot's networks (`irc:#ops` or `{ network, room }`), editing `replace` where
   * the network can edit, or answering in the thread of `inThreadOf` where it has threads.
   */
  announce(target: RoomRef | string, reply: Reply, options: AnnounceOptions = {}): Promise<SentMessage | undefined> {
    return this.#outbox.announce(target, reply, options);
  }

  /** Sends a direct message to a principal on every linked network whose adapter can; returns those networks. */
  directMessage(principal: string, reply: Reply): Promise<string[]> {
    return this.#outbox.directMessage(principal, reply);
  }

  /** Every registered command (built-ins, plugins' and extra ones), for listings and checks. */
  commands(): AnyCommand[] {
    return this.#registry.all().map((entry) => entry.command);
  }

  /**
   * Handles one received message: addressing, identity, rate limits, the stale-command guard, then dispatch (see
   * {@link HandleOptions}). Resolves when the command has finished, been refused, or is waiting for approval.
   * Never rejects.
   */
  handle(message: IncomingMessage, options: HandleOptions = {}): Promise<void> {
    const respond: Responder = options.respond ?? ((output) => this.#outbox.send(replyTargetFor(message), output));
    const handling = intake(this.#intake, message, respond, options);
    this.#inFlight.add(handling);
    return this.#settled(handling);
  }

  /** Settles as `handling` does, after taking it off the in-flight set (cheaper than `finally`'s closures). */
  async #settled(handling: Promise<void>): Promise<void> {
    try {
      await handling;
    } finally {
      this.#inFlight.delete(handling);
    }
  }

  /**
   * Whether the actor id (a principal, `network:id` or `guest:…`) holds `permission` now: roles from the
   * configuration and runtime grants as they are at this moment (the web view checks again at every view).
   */
  permits(actorId: string, permission: string): boolean {
    const guest = this.#identity.policy.guestRole;
    if (actorId.startsWith("guest:")) return this.#policy.check([guest], permission).held;
    const configured = Object.hasOwn(this.#identity.policy.principals, actorId)
      ? this.#identity.configuredRoles(actorId)
      : [guest];
    return this.#policy.check([...configured, ...this.#identity.grantedRoles(actorId)], permission).held;
  }

  #cancelJob(id: string, by: Actor): Promise<JobInfo> {
    return cancelJob({ jobs: this.#jobs, policy: this.#policy, desk: this.#desk, prefix: this.prefix }, id, by);
  }
}

/** Creates a bot. Add adapters and plugins, then call `start()` (or feed messages to `handle()` directly). */
export function createBot(options: BotOptions = {}): Bot {
  return new Bot(options);
}
