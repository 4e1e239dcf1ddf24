/**
 * Small helpers for route answers: refusals that say little, and JSON bodies parsed from raw bytes.
 * @module
 */
import type { HttpResponse } from "@switchboard/core";

/** A refusal with a short fixed reason (never an echo of the request, never a secret). */
export function reject(status: number, reason: string): HttpResponse {
  return { status, body: { error: reason } };
}

/** The body as JSON, or undefined when it is not JSON (or is empty). */
export function parseJson(body: Buffer): unknown {
  if (body.length === 0) return undefined;
  try {
    return JSON.parse(body.toString("utf8")) as unknown;
  } catch {
    return undefined;
  }
}
