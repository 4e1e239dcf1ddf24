/**
 * Bot events: what plugins, adapters and the HTTP endpoint can follow (jobs, approvals, connections, traffic).
 * Listeners run synchronously after the fact; an error in one is logged and never reaches the emitter.
 * @module
 */
import type { AdapterStatus } from "../adapters/adapter.js";
import type { AuditOutcome } from "../audit/audit.js";
import type { JobInfo } from "../commands/command.js";
import type { OutgoingMessage } from "../output/output.js";
import type { Logger } from "./logger.js";

/** Every event and what it carries. */
export interface BotEventMap {
  /** A message reached core from a network (command or not). */
  "message.received": { network: string; command: boolean };
  /** A sender was resolved to an actor (once per message that is a command). */
  "identity.resolved": { network: string; actor: string };
  /** Core handed output to a network's adapter. */
  "message.sent": { network: string; kind: "reply" | "progress" | "notice" | "announcement" };
  /** A command line named no command. */
  "command.unknown": { network: string };
  /** A job started running (after approval, if it needed one). */
  "job.started": { job: JobInfo; network: string; room: string };
  /**
   * A command ended: ran (succeeded, failed, timed out, cancelled), was denied, or was closed without running
   * (rejected, expired). `durationMs` is the handler's run time (0 when it never ran).
   */
  "job.finished": { job: JobInfo; outcome: AuditOutcome; durationMs: number; errorId?: string };
  /** A job said something (reply, progress, notice), in order; its last message comes before `job.finished`. */
  "job.output": { jobId: string; message: OutgoingMessage };
  /** A job now waits for approval. */
  "approval.requested": { job: JobInfo; count: number; permission: string; rule: string; expiresAt: Date };
  /**
   * One approval or refusal was recorded, or the request was closed. On an approval, `approvals` of `required`
   * people have approved, and `waitingFor` says who is still needed (`1 more with deploy:approve`; empty when the
   * job starts).
   */
  "approval.decided": {
    job: JobInfo;
    decision: "approved" | "rejected" | "expired" | "cancelled";
    by?: string;
    approvals?: number;
    required?: number;
    waitingFor?: string[];
  };
  /** An adapter's connection state changed. */
  "adapter.status": { network: string; connected: boolean; detail?: string; lease?: AdapterStatus["lease"] };
  /** Entries were appended to the audit log (`durationMs` includes the commit). */
  "audit.appended": { entries: number; durationMs: number };
}

export type BotEventName = keyof BotEventMap;
export type BotEventListener<E extends BotEventName> = (payload: BotEventMap[E]) => void;

/** Subscribe to bot events; `on` returns a function that unsubscribes. */
export interface BotEvents {
  on<E extends BotEventName>(event: E, listener: BotEventListener<E>): () => void;
}

/** The emitter core owns. */
export class EventBus implements BotEvents {
  readonly #listeners = new Map<BotEventName, Set<(payload: never) => void>>();

  constructor(private readonly logger: Logger) {}

  on<E extends BotEventName>(event: E, listener: BotEventListener<E>): () => void {
    let set = this.#listeners.get(event);
    if (!set) {
      set = new Set();
      this.#listeners.set(event, set);
    }
    set.add(listener as (payload: never) => void);
    return () => set.delete(listener as (payload: never) => void);
  }

  /** True when someone listens (lets hot paths skip building payloads). */
  has(event: BotEventName): boolean {
    return (this.#listeners.get(event)?.size ?? 0) > 0;
  }

  emit<E extends BotEventName>(event: E, payload: BotEventMap[E]): void {
    const set = this.#listeners.get(event);
    if (!set) return;
    for (const listener of set) {
      try {
        (listener as BotEventListener<E>)(payload);
      } catch (err) {
        this.logger.error({ err, event }, "event listener failed");
      }
    }
  }
}
