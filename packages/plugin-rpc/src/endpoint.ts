/**
 * One endpoint as the plugin holds it: where it is, how it is reached, its last good listing and how fetching it
 * has gone.
 * @module
 */
import type { Listing } from "./listing.js";

/** Where an endpoint came from. */
export type EndpointSource = "config" | "runtime";

/** An endpoint's settings. */
export interface EndpointSpec {
  url: string;
  prefix: string;
  permission: string;
  timeoutMs: number;
  /** The id of the key to sign with first. */
  keyId: string;
  /** Principal id → login, for this endpoint. */
  logins: Record<string, string>;
  source: EndpointSource;
  /** For runtime endpoints: who added it and when. */
  addedBy?: string;
  addedAt?: string;
}

/** An endpoint with its listing and fetch state. */
export interface EndpointState {
  spec: EndpointSpec;
  /** The last listing that was valid and registered; kept while the endpoint is down. */
  listing?: Listing;
  /** Command names registered for it. */
  commands: string[];
  lastSuccess?: Date;
  lastError?: string;
  lastErrorAt?: Date;
  /** The last refused listing's problems, as audited (a refusal is audited again only when they change). */
  lastRejected?: string;
  /** Failures in a row. */
  failures: number;
  /** When the next fetch is due. */
  nextFetchAt?: Date;
  timer?: NodeJS.Timeout;
  /** Set when the endpoint was removed, so a fetch in flight does not register anything. */
  removed?: boolean;
}

/** The delay before the next fetch: the interval, ×1.5 per failure in a row, at most `maxMs`. */
export function nextDelay(intervalMs: number, failures: number, maxMs: number): number {
  return Math.min(maxMs, Math.round(intervalMs * 1.5 ** failures));
}
