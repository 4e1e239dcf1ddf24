/**
 * The local rota's arithmetic: who holds a rotation's pager at a moment, with handovers at the same wall-clock time
 * in the schedule's time zone every day or week (daylight-saving changes move the UTC time, not the handover).
 * @module
 */
import { DateTime } from "luxon";

/** A rotation as the arithmetic needs it. */
export interface Rotation {
  rotation: "daily" | "weekly";
  people: string[];
  /** Local date-time of the first handover (`2026-11-23T09:00`). */
  start: string;
  timeZone: string;
}

/** One turn of a rotation. */
export interface Turn {
  /** Turns since `start` (negative before it). */
  index: number;
  principal: string;
  start: Date;
  end: Date;
}

const stepDays = (rotation: Rotation) => (rotation.rotation === "daily" ? 1 : 7);

function handover(rotation: Rotation, index: number): DateTime {
  return DateTime.fromISO(rotation.start, { zone: rotation.timeZone }).plus({ days: index * stepDays(rotation) });
}

/** The person holding turn `index`. */
export function holderOf(rotation: Rotation, index: number): string {
  const n = rotation.people.length;
  return rotation.people[((index % n) + n) % n]!;
}

function turn(rotation: Rotation, index: number): Turn {
  return {
    index,
    principal: holderOf(rotation, index),
    start: handover(rotation, index).toJSDate(),
    end: handover(rotation, index + 1).toJSDate(),
  };
}

/** The turn that contains `at`. */
export function turnAt(rotation: Rotation, at: Date): Turn {
  const first = DateTime.fromISO(rotation.start, { zone: rotation.timeZone });
  if (!first.isValid) throw new Error(`bad rotation start ${rotation.start}: ${first.invalidExplanation}`);
  const days = DateTime.fromJSDate(at).diff(first, "days").days;
  let index = Math.floor(days / stepDays(rotation));
  while (handover(rotation, index + 1).toMillis() <= at.getTime()) index++;
  while (handover(rotation, index).toMillis() > at.getTime()) index--;
  return turn(rotation, index);
}

/** The turns overlapping [since, until), in order. */
export function turnsBetween(rotation: Rotation, since: Date, until: Date): Turn[] {
  const turns = [turnAt(rotation, since)];
  while (turns.at(-1)!.end.getTime() < until.getTime() && turns.length < 1000)
    turns.push(turn(rotation, turns.at(-1)!.index + 1));
  return turns;
}

/** The next person after `principal` in the rotation's order (the escalation target). */
export function nextAfter(rotation: Rotation, principal: string): string {
  const at = rotation.people.indexOf(principal);
  return rotation.people[(at + 1) % rotation.people.length]!;
}
