/**
 * What a command handler gets: the job's arguments, identity, output functions and services.
 * @module
 */

import type { IncomingMessage } from "../adapters/message.js";
import type { CheckedFacts, CommandContext, JobControl, JobLocks } from "../commands/command.js";
import type { Reply } from "../output/output.js";
import type { Actor } from "../policy/identity.js";
import type { Logger } from "../runtime/logger.js";
import type { Store } from "../store/store.js";

/**
 * Everything a {@link JobContext} holds, except its signal (which comes from `controller`). `locks` is made on first
 * use (most commands take no lock).
 */
export interface JobContextInit {
  args: Record<string, unknown>;
  actor: Actor;
  approvers: string[];
  message: IncomingMessage;
  job: { id: string; command: string };
  controller: AbortController;
  reply(reply: Reply): Promise<void>;
  progress(line: string): void;
  store: Store;
  locks: () => JobLocks;
  logger: Logger;
  checked: CheckedFacts;
  jobs: JobControl;
}

/** `signal`, read from the controller when someone asks (shared by every context, so they share one shape). */
let signalProperty: PropertyDescriptor;
/** `locks`, made when someone first asks (shared by every context, so they share one shape). */
let locksProperty: PropertyDescriptor;

/**
 * A handler's context. Every property is an own, enumerable property, so `{ ...ctx, args }` copies all of them.
 * `signal` is an accessor: Node makes an AbortSignal only when it is first read, and a handler that never reads it
 * (most short commands) then costs no signal at all; an AbortSignal is one of the more expensive objects to collect.
 * `locks` is an accessor too: the lock helpers (a set and seven functions) are made only for a handler that asks.
 */
export class JobContext implements CommandContext<Record<string, unknown>> {
  declare readonly args: Record<string, unknown>;
  declare readonly actor: Actor;
  declare readonly approvers: string[];
  declare readonly message: IncomingMessage;
  declare readonly job: { id: string; command: string };
  declare readonly signal: AbortSignal;
  declare readonly reply: (reply: Reply) => Promise<void>;
  declare readonly progress: (line: string) => void;
  declare readonly store: Store;
  declare readonly locks: JobLocks;
  declare readonly logger: Logger;
  declare readonly checked: CheckedFacts;
  declare readonly jobs: JobControl;
  readonly #controller: AbortController;
  readonly #locks: () => JobLocks;

  constructor(init: JobContextInit) {
    this.#controller = init.controller;
    this.#locks = init.locks;
    const self = this as { -readonly [K in keyof JobContext]: JobContext[K] };
    self.args = init.args;
    self.actor = init.actor;
    self.approvers = init.approvers;
    self.message = init.message;
    self.job = init.job;
    Object.defineProperty(this, "signal", signalProperty);
    self.reply = init.reply;
    self.progress = init.progress;
    self.store = init.store;
    Object.defineProperty(this, "locks", locksProperty);
    self.logger = init.logger;
    self.checked = init.checked;
    self.jobs = init.jobs;
  }

  static {
    signalProperty = {
      get(this: JobContext) {
        return this.#controller.signal;
      },
      enumerable: true,
      configurable: true,
    };
    locksProperty = {
      get(this: JobContext) {
        return this.#locks();
      },
      enumerable: true,
      configurable: true,
    };
  }
}
