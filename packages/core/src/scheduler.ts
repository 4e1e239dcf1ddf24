/**
 * The scheduler: keeps schedules in the store and, when one is due, hands its command line to the bot's intake as
 * the person who made it, in the room where it was made, so it is decided, approved and audited like a typed
 * message. Each due time is claimed in the store first, so among instances sharing a store exactly one runs it.
 * @module
 */
import { randomBytes } from "node:crypto";
import type { AuditLog } from "./audit.js";
import type { Clock } from "./clock.js";
import { UserError } from "./errors.js";
import type { Evaluation } from "./evaluate.js";
import type { Actor, IdentityDirectory } from "./identity.js";
import type { Responder } from "./jobs.js";
import type { Logger } from "./logger.js";
import type { IncomingMessage, ReplyTarget } from "./message.js";
import { type OutgoingMessage, out, type Reply, toBlocks } from "./output.js";
import type { Policy } from "./permissions.js";
import type { ScheduleOptions, ScheduleRecord } from "./schedule-record.js";
import { lastDue, nextDue } from "./schedule-when.js";
import type { Store } from "./store.js";

/** What the scheduler needs from the bot. */
export interface SchedulerDeps {
  store: Store;
  auditLog: AuditLog;
  policy: Policy;
  identity: IdentityDirectory;
  logger: Logger;
  clock: Clock;
  options: Required<ScheduleOptions>;
  /** Evaluates a line as dispatch would (the decision of a run, before it is handed in). */
  evaluate(message: IncomingMessage, line: string, actor: Actor): Evaluation;
  /** The bot's intake for an addressed message (`Bot.handle`). */
  handle(message: IncomingMessage, respond: Responder): Promise<void>;
  /** Sends into a room on one of the bot's networks. */
  send(target: ReplyTarget, output: OutgoingMessage): Promise<unknown>;
  /** Called at every wake, before the check: re-reads what other instances may have changed (aliases). */
  refresh?(): Promise<void>;
}

const SCHEDULES = "schedules";
/** Missed due times counted one by one after downtime; more are reported as "more than". */
const MAX_COUNTED = 1000;
/** How long a one-time schedule that ran stays in `schedule list`. */
const DONE_KEPT_MS = 7 * 86_400_000;
const RUNS = "schedule-runs";
const alphabet = "abcdefghjkmnpqrstuvwxyz23456789";
const ISO = (ms: number) => new Date(ms).toISOString();

/** Runs schedules. Created by the bot; `start` arms its timer, `tick` checks what is due now. */
export class Scheduler {
  /** The claim owner of this instance. */
  readonly instance = `instance-${randomBytes(4).toString("hex")}`;
  /** The latest due time this instance saw handled, per schedule (a lost claim is handled elsewhere). */
  readonly #handled = new Map<string, number>();
  #cancelTimer: (() => void) | undefined;
  #ticking: Promise<void> = Promise.resolve();
  #waking: Promise<void> = Promise.resolve();
  #running = false;
  /** Runs handed to the intake that have not finished (a check does not wait for them). */
  readonly #runs = new Set<Promise<void>>();

  constructor(readonly deps: SchedulerDeps) {}

  /** Starts the timer: wakes at the next due time, or after `pollMs` to see schedules made elsewhere. */
  start(): void {
    if (this.#running) return;
    this.#running = true;
    this.#wake();
  }

  /** Stops the timer and waits for a check in progress. */
  async stop(): Promise<void> {
    this.#running = false;
    this.#cancelTimer?.();
    this.#cancelTimer = undefined;
    await this.#ticking;
    await this.#waking;
  }

  /**
   * Resolves when the check in progress (if any) has finished, the timer is armed again, and the runs it started
   * have finished (or wait for approval).
   */
  async settled(): Promise<void> {
    await this.#ticking;
    await this.#waking;
    while (this.#runs.size > 0) await Promise.all([...this.#runs]);
  }

  /** Checks now, then arms the timer for the next due time. */
  #wake(): void {
    this.#cancelTimer?.();
    this.#cancelTimer = undefined;
    this.#waking = this.#checkAndArm().catch((err: unknown) =>
      this.deps.logger.error({ err }, "could not arm the schedule timer"),
    );
  }

  async #checkAndArm(): Promise<void> {
    await this.deps.refresh?.();
    await this.tick();
    if (!this.#running) return;
    const now = this.deps.clock.now();
    let wait = this.deps.options.pollMs;
    const handled = await this.#lastDues();
    for (const record of await this.list())
      if (record.state === "active") {
        const next = nextDue(record.spec, record.timezone, new Date(this.#base(record, handled.get(record.id))));
        if (next) wait = Math.min(wait, next.getTime() - now);
      }
    this.#cancelTimer?.();
    this.#cancelTimer = this.deps.clock.after(Math.max(0, wait), () => this.#wake());
  }

  /** Checks every active schedule against the clock and runs what is due; one check at a time. */
  tick(): Promise<void> {
    const next = this.#ticking.then(() => this.#check());
    this.#ticking = next.catch((err: unknown) => this.deps.logger.error({ err }, "schedule check failed"));
    return this.#ticking;
  }

  async #check(): Promise<void> {
    const now = this.deps.clock.now();
    const handled = await this.#lastDues();
    for (const record of await this.list()) {
      const last = handled.get(record.id);
      // A one-time schedule that ran is listed as done for a week, then forgotten.
      if (record.state === "done" && last !== undefined && now - last > DONE_KEPT_MS)
        await this.change(record, "remove");
      if (record.state !== "active") continue;
      try {
        await this.#checkOne(record, now, handled.get(record.id));
      } catch (err) {
        this.deps.logger.error({ err, schedule: record.id }, "schedule run failed");
      }
    }
  }

  /** The last handled due time of every schedule, as stored (one read). */
  async #lastDues(): Promise<Map<string, number>> {
    const runs = await this.deps.store.list<{ lastDue: string }>(RUNS);
    return new Map(runs.map(([id, run]) => [id, Date.parse(run.lastDue)]));
  }

  /** The due time after which the next one is looked for: the latest handled, else the schedule's creation. */
  #base(record: ScheduleRecord, stored: number | undefined): number {
    return Math.max(Date.parse(record.createdAt), stored ?? 0, this.#handled.get(record.id) ?? 0);
  }

  /** The next due time of an active schedule (undefined when none is left). */
  async nextRun(record: ScheduleRecord): Promise<Date | undefined> {
    const stored = await this.deps.store.get<{ lastDue: string }>(RUNS, record.id);
    const base = this.#base(record, stored ? Date.parse(stored.lastDue) : undefined);
    return nextDue(record.spec, record.timezone, new Date(base));
  }

  async #checkOne(record: ScheduleRecord, now: number, stored: number | undefined): Promise<void> {
    const { spec, timezone } = record;
    const first = nextDue(spec, timezone, new Date(this.#base(record, stored)));
    if (!first || first.getTime() > now) return;
    // Every due time up to now: the latest is the one to claim; the ones before it were missed. They are counted one
    // by one up to MAX_COUNTED; beyond that the latest is found in one step and the count is a lower bound.
    let latest = first;
    let count = 1;
    for (;;) {
      const next = nextDue(spec, timezone, latest);
      if (!next || next.getTime() > now) break;
      if (count >= MAX_COUNTED) {
        const last = lastDue(spec, timezone, new Date(now));
        if (last && last > latest) latest = last;
        count = MAX_COUNTED + 1;
        break;
      }
      latest = next;
      count++;
    }
    this.#handled.set(record.id, latest.getTime());
    if (!(await this.deps.store.claimOccurrence(`schedule/${record.id}`, latest, this.instance))) return;
    await this.deps.store.set(RUNS, record.id, { lastDue: latest.toISOString() });
    const onTime = now - latest.getTime() <= this.deps.options.lateAfterMs;
    const missed = count - (onTime ? 1 : 0);
    const run = onTime || record.missed === "once";
    if (missed > 0) await this.#reportMissed(record, missed, latest, run);
    if (run) await this.#run(record, latest);
    if (spec.kind === "once" && (await this.get(record.id))?.state === "active")
      await this.#setState(record.id, "done");
  }

  async #reportMissed(record: ScheduleRecord, missed: number, latest: Date, run: boolean): Promise<void> {
    await this.deps.auditLog.append([
      {
        event: "schedule",
        actor: record.owner,
        network: record.network,
        room: record.room.id,
        command: "schedule",
        detail: { change: "missed", id: record.id, lastDue: latest.toISOString(), missed, policy: record.missed },
      },
    ]);
    const what =
      missed >= MAX_COUNTED ? `more than ${MAX_COUNTED} runs were` : missed === 1 ? "1 run was" : `${missed} runs were`;
    await this.#note(
      record,
      out.status(
        "warn",
        run
          ? `schedule ${record.id} (${record.line}): ${what} missed while the bot was down; running it once now`
          : `schedule ${record.id} (${record.line}): ${what} missed while the bot was down and skipped (policy skip)`,
      ),
    );
  }

  /**
   * Hands one run to the bot's intake as the schedule's owner. The owner is resolved and the line decided again
   * first: without `schedule:write`, or when the line is now refused, the schedule stops (audited, noted in the room).
   */
  async #run(record: ScheduleRecord, due: Date): Promise<void> {
    const { deps } = this;
    const actor = deps.identity.resolve(record.network, record.sender);
    if (!deps.policy.check(actor.roles, "schedule:write").held) {
      await this.#stop(record, `${actor.id} no longer holds schedule:write`);
      return;
    }
    const message = this.messageFor(record, due);
    let evaluation: Evaluation | undefined;
    try {
      evaluation = deps.evaluate(message, record.line, actor);
    } catch (error) {
      if (!(error instanceof UserError)) throw error;
    }
    if (evaluation && !evaluation.found) {
      await this.#stop(record, `"${record.line}" no longer names a command`);
      return;
    }
    const handling = deps.handle(message, this.#responderFor(record));
    if (evaluation && !evaluation.decision.allowed) {
      await handling;
      await this.#stop(record, `${actor.id} may no longer run it: ${evaluation.decision.reason}`);
      return;
    }
    // A long job must not hold up the next check (other schedules would be late); `settled()` waits for it.
    this.#runs.add(handling);
    void handling.finally(() => this.#runs.delete(handling));
  }

  /** Where a run's output goes: the schedule's room (and thread), answering no message. */
  #responderFor(record: ScheduleRecord): Responder {
    return (output) => this.deps.send(targetOf(record), output).then(() => {});
  }

  /** Posts a note about a schedule into its room. */
  async #note(record: ScheduleRecord, reply: Reply): Promise<void> {
    try {
      await this.deps.send(targetOf(record), { blocks: toBlocks(reply), kind: "notice" });
    } catch (err) {
      this.deps.logger.warn({ err, schedule: record.id }, "could not post a schedule note");
    }
  }

  /** The message a run of `record` due at `due` is handed in as. */
  messageFor(record: ScheduleRecord, due: Date): IncomingMessage {
    return {
      id: `schedule-${record.id}-${due.getTime()}`,
      network: record.network,
      room: record.room,
      ...(record.thread !== undefined ? { thread: record.thread } : {}),
      sender: record.sender,
      text: record.line,
      // When the intake received it (the stale-command guard reads this), not the schedule's clock.
      time: new Date(),
      schedule: { id: record.id, due: due.toISOString() },
    };
  }

  async #stop(record: ScheduleRecord, reason: string): Promise<void> {
    await this.#setState(record.id, "stopped", reason);
    await this.deps.auditLog.append([
      {
        event: "schedule",
        actor: record.owner,
        network: record.network,
        room: record.room.id,
        command: "schedule",
        detail: { change: "stopped", id: record.id, reason },
      },
    ]);
    await this.#note(record, out.status("fail", `schedule ${record.id} (${record.line}) stopped: ${reason}`));
  }

  async #setState(id: string, state: ScheduleRecord["state"], note?: string): Promise<void> {
    const record = await this.get(id);
    if (!record) return;
    const next: ScheduleRecord = { ...record, state };
    if (note !== undefined) next.note = note;
    else delete next.note;
    await this.deps.store.set(SCHEDULES, id, next);
  }

  /** Every schedule, oldest first. */
  async list(): Promise<ScheduleRecord[]> {
    const all = (await this.deps.store.list<ScheduleRecord>(SCHEDULES)).map(([, r]) => r);
    return all.sort((a, b) => a.createdAt.localeCompare(b.createdAt) || a.id.localeCompare(b.id));
  }

  async get(id: string): Promise<ScheduleRecord | undefined> {
    return this.deps.store.get<ScheduleRecord>(SCHEDULES, id.toLowerCase());
  }

  /** Stores a new schedule (the caller has checked permissions and limits) and wakes the timer. */
  async add(fields: Omit<ScheduleRecord, "id" | "state" | "createdAt">): Promise<ScheduleRecord> {
    let id: string;
    do {
      const bytes = randomBytes(4);
      id = `s${[...bytes].map((b) => alphabet[b % alphabet.length]).join("")}`;
    } while (await this.get(id));
    const record: ScheduleRecord = { ...fields, id, state: "active", createdAt: ISO(this.deps.clock.now()) };
    await this.deps.store.set(SCHEDULES, id, record);
    if (this.#running) this.#wake();
    return record;
  }

  /** Pauses, resumes or removes a schedule. Resuming skips the due times that passed while it was paused. */
  async change(record: ScheduleRecord, change: "pause" | "resume" | "remove"): Promise<void> {
    if (change === "remove") {
      await this.deps.store.delete(SCHEDULES, record.id);
      await this.deps.store.delete(RUNS, record.id);
      return;
    }
    if (change === "resume") {
      const now = new Date(this.deps.clock.now());
      await this.deps.store.set(RUNS, record.id, { lastDue: now.toISOString() });
      this.#handled.set(record.id, now.getTime());
    }
    await this.#setState(record.id, change === "pause" ? "paused" : "active");
    if (change === "resume" && this.#running) this.#wake();
  }

  /** Runs a schedule now, once, outside its due times (no claim: the person asked this instance). */
  runNow(record: ScheduleRecord): Promise<void> {
    return this.#run(record, new Date(this.deps.clock.now()));
  }
}

function targetOf(record: ScheduleRecord): ReplyTarget {
  return {
    network: record.network,
    room: record.room,
    ...(record.thread !== undefined ? { thread: record.thread } : {}),
  };
}
