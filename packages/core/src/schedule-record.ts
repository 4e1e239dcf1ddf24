/**
 * What a schedule is in the store, and the limits and defaults of schedules.
 * @module
 */
import type { Room, Sender } from "./message.js";
import type { ScheduleSpec } from "./schedule-when.js";

/** What to do with due times that passed while no instance was running. */
export type MissedPolicy = "skip" | "once";

/** A stored schedule. */
export interface ScheduleRecord {
  id: string;
  /** Actor id of who made it (it runs as them). */
  owner: string;
  /** Where it was made, and as whom the network saw them: it runs there, as them. */
  network: string;
  sender: Sender;
  room: Room;
  thread?: string;
  /** The time words as typed. */
  when: string;
  spec: ScheduleSpec;
  timezone: string;
  /** The command line it runs. */
  line: string;
  missed: MissedPolicy;
  /** `stopped`: by the scheduler (the owner lost a permission); `done`: a one-time schedule that ran. */
  state: "active" | "paused" | "stopped" | "done";
  /** Why it stopped. */
  note?: string;
  createdAt: string;
}

/** Limits and defaults of schedules. */
export interface ScheduleOptions {
  /** Schedules one person may have that are not done. Default 10. */
  maxPerPerson?: number;
  /** The shortest time between two runs of a schedule, in ms. Default 60 000 (one minute). */
  minIntervalMs?: number;
  /** A run that starts later than this after its due time counts as missed (the bot was down). Default 60 000. */
  lateAfterMs?: number;
  /** How often the store is read for schedules made on other instances, in ms. Default 30 000. */
  pollMs?: number;
  /** The policy for missed runs when `schedule add` names none. Default `skip`. */
  missed?: MissedPolicy;
}

/** The limits and defaults of {@link ScheduleOptions} with every default filled in. */
export function scheduleDefaults(options: ScheduleOptions = {}): Required<ScheduleOptions> {
  return {
    maxPerPerson: options.maxPerPerson ?? 10,
    minIntervalMs: options.minIntervalMs ?? 60_000,
    lateAfterMs: options.lateAfterMs ?? 60_000,
    pollMs: options.pollMs ?? 30_000,
    missed: options.missed ?? "skip",
  };
}
