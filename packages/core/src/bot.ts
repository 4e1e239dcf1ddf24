/**
 * The bot runtime: addressing → parsing → identity → permission → (approval) → job → audit.
 * @module
 */
import type { Adapter, AdapterHost } from "./adapter.js";
import { extractCommandText } from "./addressing.js";
import { type AuditLog, type AuditRecord, MemoryAuditLog } from "./audit.js";
import { builtinCommands } from "./builtins/index.js";
import type { AnyCommand, CheckContext, CheckedFacts } from "./command.js";
import { formatDuration } from "./duration.js";
import { DeniedError, JobCancelledError, UserError } from "./errors.js";
import { type Actor, IdentityDirectory } from "./identity.js";
import { describeInternalError, type JobResult, type JobRunnerDeps, locksFor, runJob } from "./job-runner.js";
import { type Job, JobTable, jobInfo, type Responder, redactArgs } from "./jobs.js";
import { createLogger, type Logger } from "./logger.js";
import { MemoryStore } from "./memory-store.js";
import { type IncomingMessage, replyTargetFor } from "./message.js";
import { type OutgoingMessage, out, type Reply, toBlocks } from "./output.js";
import { parseArgs } from "./parse.js";
import { type Decision, Policy } from "./permissions.js";
import { namespacedStore, type Plugin, type Teardown } from "./plugin.js";
import { type PolicyConfig, type PolicyConfigInput, policyConfigSchema } from "./policy-config.js";
import { CommandRegistry } from "./registry.js";
import type { Store } from "./store.js";
import { tokenize } from "./tokenize.js";

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
}

interface PluginEntry {
  plugin: Plugin<unknown>;
  config: unknown;
  teardown?: Teardown;
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
  readonly approvalTtlMs: number;
  readonly #adapters = new Map<string, Adapter>();
  readonly #plugins: PluginEntry[] = [];
  readonly #names: string[];
  readonly #runner: JobRunnerDeps;
  #started = false;
  /** `handle()` calls that have not finished (for {@link idle}). */
  readonly #inFlight = new Set<Promise<void>>();

  constructor(options: BotOptions = {}) {
    this.name = options.name ?? "switchboard";
    this.prefix = options.prefix ?? "!";
    this.#names = [this.name, ...(options.aliases ?? [])];
    this.store = options.store ?? new MemoryStore();
    this.auditLog = options.auditLog ?? new MemoryAuditLog();
    this.logger = options.logger ?? createLogger();
    this.approvalTtlMs = options.approvalTtlMs ?? 15 * 60_000;
    const policy: PolicyConfig = policyConfigSchema.parse(options.policy ?? {});
    this.policy = new Policy(policy);
    this.identity = new IdentityDirectory(policy, this.store);
    const storeViews = new Map<string, Store>();
    this.#runner = {
      auditLog: this.auditLog,
      store: this.store,
      logger: this.logger,
      defaultTimeoutMs: options.defaultTimeoutMs ?? 5 * 60_000,
      progressIntervalMs: options.progressIntervalMs ?? 1000,
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
        cancel: async (id) => jobInfo(await this.cancelJob(id, actor)),
      }),
    };
    for (const command of builtinCommands(this)) this.registry.register(command);
    for (const command of options.commands ?? []) this.registry.register(command);
    for (const adapter of options.adapters ?? []) this.addAdapter(adapter);
  }

  /** Adds a network connection (before {@link start}). Network names must be unique. */
  addAdapter(adapter: Adapter): this {
    if (this.#adapters.has(adapter.network)) throw new Error(`two adapters use the network name "${adapter.network}"`);
    this.#adapters.set(adapter.network, adapter);
    return this;
  }

  /**
   * Enables a plugin with its raw configuration, validated by the plugin's schema.
   * Throws an error naming the plugin and the offending key.
   */
  use<C>(plugin: Plugin<C>, rawConfig?: unknown): this {
    let config: unknown = rawConfig;
    if (plugin.configSchema) {
      const parsed = plugin.configSchema.safeParse(rawConfig ?? {});
      if (!parsed.success) {
        const problems = parsed.error.issues.map(
          (i) => `${["plugins", plugin.name, ...i.path].join(".")}: ${i.message}`,
        );
        throw new Error(`invalid configuration for plugin ${plugin.name}:\n  ${problems.join("\n  ")}`);
      }
      config = parsed.data;
    }
    const commands = typeof plugin.commands === "function" ? plugin.commands(config as C) : plugin.commands;
    for (const command of commands) this.registry.register({ ...command, plugin: plugin.name });
    this.#plugins.push({ plugin: plugin as Plugin<unknown>, config });
    return this;
  }

  /** Loads runtime state, runs plugin setup, and connects every adapter. */
  async start(): Promise<void> {
    if (this.#started) return;
    this.#started = true;
    await this.identity.load();
    for (const entry of this.#plugins) {
      const teardown = await entry.plugin.setup?.({
        config: entry.config,
        store: this.#runner.storeFor(entry.plugin.name),
        logger: this.logger.child({ plugin: entry.plugin.name }),
      });
      if (teardown) entry.teardown = teardown;
    }
    for (const adapter of this.#adapters.values()) {
      const host: AdapterHost = {
        receive: (message) => this.handle(message),
        logger: this.logger.child({ network: adapter.network }),
        botName: this.name,
        prefix: this.prefix,
        aliases: this.#names.slice(1),
      };
      await adapter.start(host);
      this.logger.info({ network: adapter.network }, "adapter started");
    }
  }

  /** Cancels running jobs, waits for them (up to `graceMs`), stops adapters and plugins. */
  async stop(graceMs = 5000): Promise<void> {
    for (const job of this.jobs.list()) {
      if (job.state === "running") job.controller.abort(new JobCancelledError("shutdown"));
      else if (job.approval) clearTimeout(job.approval.timer);
    }
    await Promise.race([this.jobs.idle(), new Promise((r) => setTimeout(r, graceMs).unref())]);
    for (const adapter of this.#adapters.values())
      await adapter.stop().catch((err: unknown) => this.logger.warn({ err }, "adapter stop failed"));
    for (const entry of this.#plugins) await entry.teardown?.();
    this.#started = false;
  }

  /** Resolves when no message is being handled and no job is running (jobs waiting for approval don't count). */
  async idle(): Promise<void> {
    while (this.#inFlight.size > 0 || this.jobs.runningCount() > 0) {
      await Promise.all([...this.#inFlight]);
      await this.jobs.idle();
    }
  }

  /** Sends output to a room on one of the bot's networks. */
  async send(message: IncomingMessage, output: OutgoingMessage): Promise<void> {
    const adapter = this.#adapters.get(message.network);
    if (!adapter) throw new Error(`no adapter for network "${message.network}"`);
    await adapter.send(replyTargetFor(message), output);
  }

  /**
   * Handles one received message. Replies go to `respond` (default: the adapter of the message's network).
   * Resolves when the command has finished, been refused, or is waiting for approval. Never rejects.
   */
  handle(message: IncomingMessage, respond?: Responder): Promise<void> {
    const text = extractCommandText(message.text, message.room.direct, { prefix: this.prefix, names: this.#names });
    if (text === undefined) return Promise.resolve();
    const handling = this.#handle(message, text, respond ?? ((output: OutgoingMessage) => this.send(message, output)));
    this.#inFlight.add(handling);
    return handling.finally(() => this.#inFlight.delete(handling));
  }

  async #handle(message: IncomingMessage, text: string, responder: Responder): Promise<void> {
    try {
      await this.#dispatch(message, text, responder);
    } catch (error) {
      if (error instanceof UserError) {
        await this.#reply(
          responder,
          out.status("fail", error.hint ? `${error.message}\n${error.hint}` : error.message),
        );
        return;
      }
      const internal = describeInternalError(this.logger, error, { network: message.network, messageId: message.id });
      await this.auditLog
        .append([
          {
            event: "error",
            network: message.network,
            room: message.room.id,
            errorId: internal.errorId,
            detail: internal.detail,
          },
        ])
        .catch((err: unknown) => this.logger.error({ err }, "could not write to the audit log"));
      await this.#reply(responder, internal.chat);
    }
  }

  async #reply(
    respond: Responder,
    reply: Reply,
    kind: OutgoingMessage["kind"] = "reply",
    extra: Pick<OutgoingMessage, "jobId" | "approvalRequest"> = {},
  ): Promise<void> {
    await respond({ blocks: toBlocks(reply), kind, ...extra }).catch((err: unknown) =>
      this.logger.warn({ err }, "could not deliver a reply"),
    );
  }

  async #dispatch(message: IncomingMessage, text: string, respond: Responder): Promise<void> {
    const words = tokenize(text);
    const found = this.registry.lookup(words);
    if (!found.found) {
      await this.#reply(respond, out.status("fail", this.#unknownCommandText(found)));
      return;
    }
    const { command } = found.entry;
    const actor = this.identity.resolve(message.network, message.sender);
    let args = parseArgs(found.entry, found.rest, this.prefix);
    let refused: DeniedError | undefined;
    if (command.prepare) {
      try {
        args = command.prepare({ args, invokedAs: found.name, actor, message });
      } catch (error) {
        if (!(error instanceof DeniedError)) throw error;
        refused = error;
      }
    }
    const decision: Decision = refused
      ? { allowed: false, rule: refused.rule, reason: refused.message }
      : this.policy.decide({ actor, command, args, network: message.network, room: message.room.id });
    const job: Job = {
      id: this.jobs.newId(),
      command,
      args,
      auditArgs: found.entry.hasSecrets ? redactArgs(command, args) : args,
      actor,
      message,
      respond,
      state: "running",
      createdAt: new Date(),
      controller: new AbortController(),
    };
    const hasSecrets = found.entry.hasSecrets;
    const base = { jobId: job.id, actor: actor.id, command: command.name };
    const received: AuditRecord = {
      event: "received",
      ...base,
      network: message.network,
      room: message.room.id,
      args: job.auditArgs,
      detail: { sender: message.sender.id, verified: message.sender.verified, ...(hasSecrets ? {} : { text }) },
    };
    if (!decision.allowed) {
      await this.auditLog.append([
        received,
        {
          event: "decision",
          ...base,
          decision: "denied",
          outcome: "denied",
          rule: decision.rule,
          detail: { reason: decision.reason },
        },
      ]);
      await this.#reply(respond, out.status("fail", `denied: ${decision.reason}`));
      return;
    }
    let checked: CheckedFacts = {};
    if (command.check) {
      const facts = await this.#check(job, received, decision);
      if (!facts) return;
      checked = facts;
      job.checked = facts;
    }
    const decisionDetail = { reason: decision.reason, ...(Object.keys(checked).length ? { checked } : {}) };
    if (decision.approval) {
      const ttlMs = decision.approval.ttlMs ?? this.approvalTtlMs;
      const count = decision.approval.count ?? 1;
      job.state = "awaiting-approval";
      job.approval = {
        rule: decision.approval.rule,
        count,
        permission: decision.approval.permission,
        expiresAt: new Date(Date.now() + ttlMs),
        approvers: new Map(),
        timer: setTimeout(() => void this.expireApproval(job.id), ttlMs),
      };
      job.approval.timer.unref?.();
      this.jobs.add(job);
      await this.auditLog.append([
        received,
        {
          event: "decision",
          ...base,
          decision: "needs-approval",
          rule: decision.rule,
          detail: decisionDetail,
        },
        {
          event: "approval-requested",
          ...base,
          rule: decision.approval.rule,
          detail: { count, permission: decision.approval.permission, ttlMs },
        },
      ]);
      const people = count === 1 ? "1 approval" : `${count} approvals`;
      await this.#reply(
        respond,
        out.status(
          "info",
          `job ${job.id}: ${command.name} needs ${people} from someone with ${decision.approval.permission} (${decision.approval.rule}), not ${actor.name}. ` +
            `Approve with "${this.prefix}approve ${job.id}" or refuse with "${this.prefix}deny ${job.id}" within ${formatDuration(ttlMs)}.`,
        ),
        "notice",
        { jobId: job.id, approvalRequest: true },
      );
      return;
    }
    this.jobs.add(job);
    job.startedAt = new Date();
    await this.auditLog
      .append([
        received,
        { event: "decision", ...base, decision: "allowed", rule: decision.rule, detail: decisionDetail },
        { event: "started", ...base },
      ])
      .catch((error: unknown) => {
        this.jobs.remove(job.id);
        throw error;
      });
    await this.#execute(job, []);
  }

  /**
   * Runs a command's check before approval or start. On a refusal or failure it writes the audit trail, answers,
   * and returns undefined; otherwise the facts the check established.
   */
  async #check(
    job: Job,
    received: AuditRecord,
    decision: Decision & { allowed: true },
  ): Promise<CheckedFacts | undefined> {
    const { command } = job;
    const base = { jobId: job.id, actor: job.actor.id, command: command.name };
    const context: CheckContext<Record<string, unknown>> = {
      args: job.args,
      actor: job.actor,
      message: job.message,
      job: { id: job.id, command: command.name },
      signal: job.controller.signal,
      reply: (reply) =>
        job
          .respond({ blocks: toBlocks(reply), kind: "reply", jobId: job.id })
          .catch((err: unknown) => this.logger.warn({ err }, "could not deliver a reply")),
      store: this.#runner.storeFor(command.plugin),
      locks: locksFor(this.store, job.actor.id),
      logger: this.logger.child({ jobId: job.id, command: command.name }),
    };
    try {
      return (await command.check!(context)) ?? {};
    } catch (error) {
      const passed: AuditRecord = {
        event: "decision",
        ...base,
        decision: decision.approval ? "needs-approval" : "allowed",
        rule: decision.rule,
        detail: { reason: decision.reason },
      };
      let records: AuditRecord[];
      let answer: Reply;
      if (error instanceof DeniedError) {
        records = [
          received,
          {
            event: "decision",
            ...base,
            decision: "denied",
            outcome: "denied",
            rule: error.rule,
            detail: { reason: error.message },
          },
        ];
        answer = out.status("fail", error.hint ? `${error.message}\n${error.hint}` : error.message);
      } else if (error instanceof UserError) {
        records = [
          received,
          passed,
          { event: "outcome", ...base, outcome: "failed", detail: { error: error.message } },
        ];
        answer = out.status("fail", error.hint ? `${error.message}\n${error.hint}` : error.message);
      } else {
        const internal = describeInternalError(this.logger, error, { jobId: job.id });
        records = [
          received,
          passed,
          { event: "outcome", ...base, outcome: "failed", errorId: internal.errorId, detail: internal.detail },
        ];
        answer = internal.chat;
      }
      await this.auditLog.append(records);
      await this.#reply(job.respond, answer);
      return undefined;
    }
  }

  async #execute(job: Job, approvers: string[]): Promise<JobResult> {
    try {
      return await runJob(job, this.#runner, approvers);
    } finally {
      this.jobs.remove(job.id);
    }
  }

  #unknownCommandText(found: { prefix: string[]; unknown: string; suggestions: string[]; group: string[] }): string {
    const p = this.prefix;
    if (found.prefix.length > 0 && !found.unknown) {
      return `"${found.prefix.join(" ")}" needs a subcommand: ${found.group.join(", ")}. Try ${p}help ${found.prefix.join(" ")}`;
    }
    const name = [...found.prefix, found.unknown].join(" ");
    const suggestions = found.suggestions.map((s) => `${p}${[...found.prefix, s].join(" ")}`);
    return suggestions.length
      ? `unknown command "${name}". Did you mean ${suggestions.join(", ")}?`
      : `unknown command "${name}". Try ${p}help`;
  }

  /**
   * Records an approval of a waiting job by `approver`. Starts the job once enough people approved.
   * @internal used by the `approve` command
   */
  async approve(jobId: string, approver: Actor): Promise<string> {
    const job = this.#waitingJob(jobId);
    const approval = job.approval!;
    if (!approver.verified)
      throw new UserError(
        "only people identified with the network can approve",
        "log in with the network's services first",
      );
    if (approver.id === job.actor.id)
      throw new UserError(`you requested job ${job.id}; someone else has to approve it`);
    const check = this.policy.check(approver.roles, approval.permission);
    if (!check.held)
      throw new UserError(
        `approving job ${job.id} needs permission ${approval.permission}, which your roles (${approver.roles.join(", ")}) do not grant`,
      );
    if (approval.approvers.has(approver.id)) {
      return `you already approved job ${job.id} (${approval.approvers.size}/${approval.count})`;
    }
    approval.approvers.set(approver.id, approver.name);
    const approvers = [...approval.approvers.keys()];
    const enough = approvers.length >= approval.count;
    // Claim the job before any await, so that two approvals arriving together cannot both start it.
    if (enough) {
      clearTimeout(approval.timer);
      job.state = "running";
      job.startedAt = new Date();
    }
    const records: AuditRecord[] = [
      {
        event: "approval",
        jobId: job.id,
        actor: approver.id,
        command: job.command.name,
        decision: "approved",
        network: approver.network,
        detail: { requester: job.actor.id, approvals: approvers.length, needed: approval.count },
      },
    ];
    if (enough) {
      records.push({
        event: "started",
        jobId: job.id,
        actor: job.actor.id,
        command: job.command.name,
        detail: { approvers },
      });
    }
    try {
      await this.auditLog.append(records);
    } catch (error) {
      approval.approvers.delete(approver.id);
      if (enough) {
        job.state = "awaiting-approval";
        approval.timer = setTimeout(
          () => void this.expireApproval(job.id),
          Math.max(0, approval.expiresAt.getTime() - Date.now()),
        );
        approval.timer.unref?.();
      }
      throw error;
    }
    if (!enough) {
      await this.#reply(
        job.respond,
        out.status("info", `job ${job.id}: approved by ${approver.name} (${approvers.length}/${approval.count})`),
        "notice",
      );
      return `approved job ${job.id} (${approvers.length}/${approval.count}); waiting for more approvals`;
    }
    const names = [...approval.approvers.values()].join(", ");
    await this.#reply(
      job.respond,
      out.status("ok", `job ${job.id}: approved by ${names}; running ${job.command.name} for ${job.actor.name}`),
      "notice",
    );
    void this.#execute(job, approvers);
    return `approved job ${job.id}; it is running now for ${job.actor.name}`;
  }

  /**
   * Refuses a waiting job. The requester may withdraw their own request.
   * @internal used by the `deny` command
   */
  async reject(jobId: string, by: Actor): Promise<string> {
    const job = this.#waitingJob(jobId);
    const approval = job.approval!;
    if (by.id !== job.actor.id && (!by.verified || !this.policy.check(by.roles, approval.permission).held)) {
      throw new UserError(`refusing job ${job.id} needs permission ${approval.permission} (or being its requester)`);
    }
    await this.#closeWaiting(
      job,
      { outcome: "rejected", decision: "rejected", detail: { by: by.id } },
      `was refused by ${by.name}`,
    );
    return `job ${job.id} refused`;
  }

  /** @internal expires a waiting job whose approval TTL ran out */
  async expireApproval(jobId: string): Promise<void> {
    const job = this.jobs.get(jobId);
    if (job?.state !== "awaiting-approval") return;
    await this.#closeWaiting(
      job,
      { outcome: "expired", detail: { approvals: job.approval?.approvers.size ?? 0 } },
      "expired without enough approvals",
    );
  }

  /**
   * Cancels a job by id on behalf of `by`: their own job, or anyone's with permission `jobs:cancel`.
   * @internal used by the `cancel` command and `context.jobs.cancel`
   */
  async cancelJob(id: string, by: Actor): Promise<Job> {
    const job = this.jobs.get(id);
    if (!job) throw new UserError(`no job ${id} is running`, `see ${this.prefix}jobs`);
    if (job.actor.id !== by.id && !(by.verified && this.policy.check(by.roles, "jobs:cancel").held)) {
      throw new DeniedError(
        `job ${job.id} belongs to ${job.actor.name}; cancelling it needs permission jobs:cancel`,
        "command cancel",
      );
    }
    await this.cancel(job, by);
    return job;
  }

  /**
   * Cancels a job: a running one is aborted, a waiting one withdrawn.
   * @internal used by the `cancel` command
   */
  async cancel(job: Job, by: Actor): Promise<void> {
    if (job.state === "running") {
      job.controller.abort(new JobCancelledError(by.name));
      return;
    }
    await this.#closeWaiting(
      job,
      { outcome: "cancelled", detail: { cancelledBy: by.id } },
      `was withdrawn by ${by.name}`,
    );
  }

  /** Ends a job that was waiting for approval without running it: audited, and announced where it was asked. */
  async #closeWaiting(
    job: Job,
    record: Pick<AuditRecord, "outcome" | "decision" | "detail">,
    what: string,
  ): Promise<void> {
    if (job.approval) clearTimeout(job.approval.timer);
    this.jobs.remove(job.id);
    await this.auditLog
      .append([{ event: "outcome", jobId: job.id, actor: job.actor.id, command: job.command.name, ...record }])
      .catch((err: unknown) => this.logger.error({ err }, "could not write to the audit log"));
    await this.#reply(job.respond, out.status("warn", `job ${job.id} (${job.command.name}) ${what}`), "notice");
  }

  #waitingJob(jobId: string): Job {
    const job = this.jobs.get(jobId);
    if (!job) throw new UserError(`no job ${jobId} is waiting for approval`, `see ${this.prefix}jobs`);
    if (job.state !== "awaiting-approval")
      throw new UserError(`job ${job.id} is not waiting for approval (it is ${job.state})`);
    return job;
  }
}

/** Creates a bot. Add adapters and plugins, then call `start()` (or feed messages to `handle()` directly). */
export function createBot(options: BotOptions = {}): Bot {
  return new Bot(options);
}
