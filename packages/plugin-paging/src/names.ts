/**
 * Names typed in chat (schedules, services, incident ids, e-mails): validated before they reach a URL or a store
 * key, and looked up only among a map's own keys, so `constructor` or `__proto__` is an unknown name, never a crash.
 * @module
 */
import { revealInvisible, UserError } from "@switchboard/core";

/** Schedule and service names in the configuration. */
export const NAME_PATTERN = /^[a-z0-9][a-z0-9_-]{0,62}$/;

/** PagerDuty object ids (`PIJ90N7`). */
export const PAGERDUTY_ID_PATTERN = /^[A-Za-z0-9]{2,32}$/;

/** An incident reference typed in chat: an id (`PIJ90N7`) or a number (`42`, `#42`). */
export const INCIDENT_REF_PATTERN = /^#?[A-Za-z0-9]{1,32}$/;

/** The value of `map[key]` when `key` is one of its own keys (never an inherited one). */
export function ownValue<T>(map: Record<string, T>, key: string): T | undefined {
  return Object.hasOwn(map, key) ? map[key] : undefined;
}

/** Lower-cases a typed name and checks it could be a configured one. */
export function normaliseName(typed: string, what: string): string {
  const name = typed.trim().toLowerCase();
  if (!NAME_PATTERN.test(name))
    throw new UserError(`"${typed}" is not a ${what} name`, `${what} names are like web, ops-primary`);
  return name;
}

/** Splits `12 13,PX1` or `#12 #13` into incident references, refusing anything that is not one. */
export function parseIncidentRefs(text: string): string[] {
  const refs = text
    .split(/[\s,]+/)
    .filter((word) => word !== "")
    .map((word) => {
      if (!INCIDENT_REF_PATTERN.test(word))
        throw new UserError(
          `"${word}" is not an incident id`,
          "incident ids are numbers (42) or PagerDuty ids (PIJ90N7)",
        );
      return word.replace(/^#/, "");
    });
  return [...new Set(refs)];
}

/**
 * Normalises an e-mail as chat clients send it: Slack's `<mailto:a@b.c|a@b.c>` markup becomes `a@b.c`
 * (hubot-pager-me#29). Returns undefined when it is not an e-mail address.
 */
export function normaliseEmail(text: string): string | undefined {
  let value = text.trim();
  const slack = /^<mailto:([^|>]+)(\|[^>]*)?>$/.exec(value);
  if (slack) value = slack[1]!;
  value = value.replace(/^mailto:/i, "");
  return /^[^\s@<>"']+@[^\s@<>"']+\.[^\s@<>"']+$/.test(value) ? value.toLowerCase() : undefined;
}

// biome-ignore lint/suspicious/noControlCharactersInRegex: removing control characters is the point
const CONTROL = /[\u0000-\u001f\u007f-\u009f\u2028\u2029]+/g;

/**
 * A title from outside (an Alertmanager annotation, a PagerDuty incident, a person's name in an answer) as one line:
 * line breaks and control characters become a space, invisible characters are shown, at most `max` characters.
 */
export function flatTitle(text: unknown, max = 300, fallback = "(no title)"): string {
  if (typeof text !== "string") return fallback;
  const flat = revealInvisible(text)
    .replace(CONTROL, " ")
    .replace(/\s{2,}/g, " ")
    .trim();
  if (!flat) return fallback;
  return flat.length > max ? `${flat.slice(0, max - 1)}…` : flat;
}

/** A PagerDuty web link when it is one (`https://<account>.pagerduty.com/…`); anything else gives no link. */
export function pagerDutyUrl(text: unknown): string | undefined {
  if (typeof text !== "string" || text.length > 2000) return undefined;
  try {
    const url = new URL(text);
    const host = url.hostname.toLowerCase();
    return url.protocol === "https:" && (host === "pagerduty.com" || host.endsWith(".pagerduty.com"))
      ? url.href
      : undefined;
  } catch {
    return undefined;
  }
}
