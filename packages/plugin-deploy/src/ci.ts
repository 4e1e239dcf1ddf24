/**
 * The CI gate: which required contexts are green for a commit. Pending and missing count as not green.
 * @module
 */

/** One CI context (a commit status or a check run) of a commit. */
export interface CiContext {
  name: string;
  state: "success" | "pending" | "failure";
  /** GitHub's own word: success, failure, error, pending, queued, in_progress, cancelled, timed_out… */
  detail: string;
  description?: string;
  url?: string;
}

/** The verdict for a list of required contexts. */
export interface CiVerdict {
  green: boolean;
  /** Each required context and its state (`missing` when the commit has no such context). */
  required: Array<{ name: string; state: CiContext["state"] | "missing"; detail: string }>;
}

/** Evaluates the required contexts only; with none required the gate is open. */
export function ciVerdict(contexts: CiContext[], required: string[]): CiVerdict {
  const byName = new Map(contexts.map((c) => [c.name, c]));
  const rows = required.map((name) => {
    const context = byName.get(name);
    return context
      ? { name, state: context.state, detail: context.detail }
      : { name, state: "missing" as const, detail: "missing" };
  });
  return { green: rows.every((r) => r.state === "success"), required: rows };
}

/** The overall state of every context a commit has: failure wins, then pending. */
export function overallState(contexts: CiContext[]): "green" | "red" | "pending" | "none" {
  if (contexts.length === 0) return "none";
  if (contexts.some((c) => c.state === "failure")) return "red";
  if (contexts.some((c) => c.state === "pending")) return "pending";
  return "green";
}

/** `ci/test success, lint pending, build missing`. */
export function describeRequired(verdict: CiVerdict): string {
  return verdict.required.map((r) => `${r.name} ${r.detail}`).join(", ");
}
