/**
 * The CI gate: which required contexts are green for a commit. Pending and missing count as not green; so do the
 * check-run conclusions `neutral` and `skipped`, unless the required context accepts them. A required context
 * pinned to a GitHub App counts only what that app reported.
 * @module
 */
import type { RequiredContext } from "./config.js";

/** One CI context (a commit status or a check run) of a commit. */
export interface CiContext {
  name: string;
  /** `neutral` is a completed check run concluded `neutral` or `skipped`: green only where accepted. */
  state: "success" | "pending" | "failure" | "neutral";
  /** GitHub's own word: success, failure, error, pending, queued, in_progress, neutral, skipped, cancelled… */
  detail: string;
  /** A commit status or a check run. */
  kind?: "status" | "check";
  /** The GitHub App that reported a check run. */
  app?: { id: number; slug: string };
  /** The account that created a commit status (`<app-slug>[bot]` for a GitHub App). */
  creator?: string;
  description?: string;
  url?: string;
}

/** The verdict for a list of required contexts. */
export interface CiVerdict {
  green: boolean;
  /** Each required context and its state (`missing` when the commit has no such context from the pinned app). */
  required: Array<{ name: string; state: CiContext["state"] | "missing"; detail: string }>;
}

/** Whether a report of a context comes from the app a required context is pinned to (any reporter without a pin). */
export function reportedBy(context: CiContext, app: string | number | undefined): boolean {
  if (app === undefined) return true;
  if (context.kind === "check" || context.app) {
    if (!context.app) return false;
    return typeof app === "number" ? context.app.id === app : context.app.slug === app;
  }
  // A commit status names its creator; a GitHub App posts as `<slug>[bot]`. An app pinned by id needs check runs.
  return typeof app === "string" && context.creator === `${app}[bot]`;
}

const asRequired = (entry: RequiredContext | string): RequiredContext =>
  typeof entry === "string" ? { name: entry, accept: [] } : entry;

/**
 * Evaluates the required contexts only; with none required the gate is open. Every report of a required context
 * (from its pinned app, if any) must be green: a success status next to a failing check of the same name is red.
 */
export function ciVerdict(contexts: CiContext[], required: Array<RequiredContext | string>): CiVerdict {
  const rows = required.map(asRequired).map((want) => {
    const reports = contexts.filter((c) => c.name === want.name && reportedBy(c, want.app));
    const name = want.app === undefined ? want.name : `${want.name} (by ${want.app})`;
    if (reports.length === 0) return { name, state: "missing" as const, detail: "missing" };
    const accepted = (c: CiContext) => c.state === "success" || (c.state === "neutral" && acceptsDetail(want, c));
    const worst =
      reports.find((c) => c.state === "failure") ??
      reports.find((c) => c.state === "pending") ??
      reports.find((c) => !accepted(c)) ??
      reports[0]!;
    const state = worst.state === "neutral" && accepted(worst) ? ("success" as const) : worst.state;
    return { name, state, detail: worst.detail };
  });
  return { green: rows.every((r) => r.state === "success"), required: rows };
}

function acceptsDetail(want: RequiredContext, context: CiContext): boolean {
  return (want.accept as string[]).includes(context.detail);
}

/** The overall state of every context a commit has: failure wins, then pending; neutral is not a failure. */
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
