/**
 * Job deadlines on one shared timer: adding a deadline is a set insert, removing it a set delete; the timer is armed
 * for the earliest deadline only, and re-armed when it fires. Jobs of one bot mostly share one timeout, so a new
 * deadline is almost always later than the armed one and costs no timer call (one `setTimeout` per job before).
 * @module
 */

/** One registered deadline; pass it back to {@link Deadlines.remove}. */
export interface Deadline {
  readonly at: number;
  readonly fire: () => void;
}

/** Deadlines of one bot's jobs, served by a single unref'd timer. */
export class Deadlines {
  readonly #pending = new Set<Deadline>();
  #timer: NodeJS.Timeout | undefined;
  /** When the armed timer fires (Infinity when none is armed). */
  #armedAt = Number.POSITIVE_INFINITY;

  /** Calls `fire` once `ms` milliseconds from now, unless removed first. */
  add(ms: number, fire: () => void): Deadline {
    const deadline: Deadline = { at: Date.now() + ms, fire };
    this.#pending.add(deadline);
    if (deadline.at < this.#armedAt) this.#arm(deadline.at);
    return deadline;
  }

  /**
   * Forgets a deadline. The timer stays armed even when nothing is left (it is unref'd and finds nothing when it
   * fires): disarming here would cost a `setTimeout` again for the next job of a sequential stream.
   */
  remove(deadline: Deadline): void {
    this.#pending.delete(deadline);
  }

  #arm(at: number): void {
    if (this.#timer) clearTimeout(this.#timer);
    this.#armedAt = at;
    this.#timer = setTimeout(() => this.#due(), Math.max(0, at - Date.now()));
    this.#timer.unref?.();
  }

  /** Fires every deadline that is due, then arms for the earliest one left. */
  #due(): void {
    this.#timer = undefined;
    this.#armedAt = Number.POSITIVE_INFINITY;
    const now = Date.now();
    let next = Number.POSITIVE_INFINITY;
    const due: Deadline[] = [];
    for (const deadline of this.#pending) {
      if (deadline.at <= now) due.push(deadline);
      else if (deadline.at < next) next = deadline.at;
    }
    for (const deadline of due) this.#pending.delete(deadline);
    if (next !== Number.POSITIVE_INFINITY) this.#arm(next);
    for (const deadline of due) deadline.fire();
  }
}
