/**
 * One signed HTTP exchange with an endpoint: Node's fetch (undici) with an AbortSignal for cancel and timeout, the
 * answer read with a byte cap (a huge answer is cut off, not buffered), and failures described in words.
 * @module
 */
import { formatDuration } from "@switchboard/core";
import { authHeaders, type ClientKey } from "./signer.js";

/** Why an exchange failed, in words for chat. `kind` lets callers tell a refusal from a network problem. */
export class RpcTransportError extends Error {
  constructor(
    message: string,
    readonly kind: "timeout" | "cancelled" | "too-large" | "unreachable" | "http" | "not-json",
    readonly status?: number,
    /** The parsed JSON of a non-2xx answer, when it was JSON (a JSON-RPC error). */
    readonly body?: unknown,
  ) {
    super(message);
    this.name = "RpcTransportError";
  }
}

/** What one exchange needs. */
export interface ExchangeOptions {
  method: "GET" | "POST";
  url: string;
  body?: string;
  key: ClientKey;
  timeoutMs: number;
  maxBytes: number;
  /** Aborted by cancel (or the job's own timeout). */
  signal?: AbortSignal;
}

async function readCapped(response: Response, maxBytes: number, url: string, signal: AbortSignal): Promise<string> {
  const declared = Number(response.headers.get("content-length"));
  if (Number.isFinite(declared) && declared > maxBytes) {
    await response.body?.cancel().catch(() => undefined);
    throw new RpcTransportError(`${url} answered ${declared} bytes; the limit is ${maxBytes}`, "too-large");
  }
  if (!response.body) return "";
  const reader = response.body.getReader();
  // fetch aborts the body stream on abort too; cancelling the reader here makes sure a stalled read ends at once.
  const stop = () => void reader.cancel(signal.reason).catch(() => undefined);
  signal.addEventListener("abort", stop, { once: true });
  try {
    return await readAll(reader, maxBytes, url, signal);
  } finally {
    signal.removeEventListener("abort", stop);
  }
}

async function readAll(
  reader: ReadableStreamDefaultReader<Uint8Array>,
  maxBytes: number,
  url: string,
  signal: AbortSignal,
): Promise<string> {
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (signal.aborted) throw signal.reason;
    if (done) break;
    size += value.byteLength;
    if (size > maxBytes) {
      await reader.cancel().catch(() => undefined);
      throw new RpcTransportError(`${url} answered more than ${maxBytes} bytes; the answer was refused`, "too-large");
    }
    chunks.push(value);
  }
  return Buffer.concat(chunks).toString("utf8");
}

/** Sends one signed request and returns the parsed JSON of a 2xx answer; throws {@link RpcTransportError}. */
export async function exchange(options: ExchangeOptions): Promise<unknown> {
  const body = options.body ?? "";
  // One controller for the request, aborted by our timer or by the caller's signal (cancel, the job's timeout): a
  // plain timer and listener held here and cleared in `finally`, so nothing depends on garbage collection.
  const controller = new AbortController();
  let timedOut = false;
  const timer = setTimeout(() => {
    timedOut = true;
    controller.abort(new Error("timeout"));
  }, options.timeoutMs);
  const onAbort = () => controller.abort(options.signal?.reason);
  if (options.signal?.aborted) onAbort();
  else options.signal?.addEventListener("abort", onAbort, { once: true });
  const what = `${options.method === "GET" ? "listing" : "call"} ${options.url}`;
  let text: string;
  let status: number;
  try {
    const response = await fetch(options.url, {
      method: options.method,
      headers: {
        accept: "application/json",
        ...(options.method === "POST" ? { "content-type": "application/json" } : {}),
        ...authHeaders(options.key, options.url, body),
      },
      body: options.method === "POST" ? body : undefined,
      redirect: "error",
      signal: controller.signal,
    });
    status = response.status;
    text = await readCapped(response, options.maxBytes, options.url, controller.signal);
  } catch (error) {
    if (error instanceof RpcTransportError) throw error;
    if (timedOut)
      throw new RpcTransportError(
        `${what} did not answer within ${formatDuration(options.timeoutMs)} (the endpoint's timeout)`,
        "timeout",
      );
    if (options.signal?.aborted) throw new RpcTransportError(`${what} was cancelled`, "cancelled");
    const cause = (error as { cause?: { code?: string; message?: string } }).cause;
    throw new RpcTransportError(
      `${what} failed: ${cause?.code ?? cause?.message ?? (error as Error).message}`,
      "unreachable",
    );
  } finally {
    clearTimeout(timer);
    options.signal?.removeEventListener("abort", onAbort);
  }
  let json: unknown;
  try {
    json = text === "" ? undefined : JSON.parse(text);
  } catch {
    json = undefined;
  }
  if (status < 200 || status > 299)
    throw new RpcTransportError(`${what} answered HTTP ${status}`, "http", status, json);
  if (json === undefined)
    throw new RpcTransportError(`${what} answered something that is not JSON`, "not-json", status);
  return json;
}
