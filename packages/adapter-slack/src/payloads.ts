/**
 * The parts of Slack's payloads the adapter reads, read defensively: a field of the wrong type counts as absent.
 * @module
 */

/** A JSON object, or undefined. */
export type Json = Record<string, unknown> | undefined;

/** `value` when it is a non-empty string. */
export function str(value: unknown): string | undefined {
  return typeof value === "string" && value.length > 0 ? value : undefined;
}

/** `value` when it is a plain object. */
export function obj(value: unknown): Json {
  return typeof value === "object" && value !== null && !Array.isArray(value)
    ? (value as Record<string, unknown>)
    : undefined;
}

/** `value` when it is an array of objects (others dropped). */
export function objs(value: unknown): Array<Record<string, unknown>> {
  return Array.isArray(value) ? value.map(obj).filter((v): v is Record<string, unknown> => v !== undefined) : [];
}

/** What a delivery is, however it arrived (Socket Mode envelope or HTTP request). */
export type DeliveryKind = "events_api" | "slash_commands" | "interactive";

/** One delivery from Slack, already authenticated by its transport. */
export interface Delivery {
  kind: DeliveryKind;
  /** The payload: an `event_callback`, the slash command's fields, or an interaction. */
  body: Record<string, unknown>;
  /** Keys that identify this delivery beyond its content (the Socket Mode envelope id). */
  keys: string[];
  /** Slack's retry counter (`retry_attempt`, `X-Slack-Retry-Num`), for logs. */
  retry?: number | undefined;
}
