/**
 * A small PagerDuty REST API v2 client on Node's fetch: token auth, the v2 Accept header, `From` on writes,
 * offset pagination (`more`/`offset`), 429 with Retry-After, time limits, and errors in words.
 *
 * Why not `@pagerduty/pdjs`: its 429 retry ignores Retry-After (a fixed 20 s wait), its request timeout is a timer
 * that does nothing, its `all()` pagination reads the resource name from a URL that must contain `.com/` (so it
 * fails against any other base URL), and it brings node-fetch 2 through cross-fetch instead of Node's own fetch.
 * The protocol itself is a few headers and one pagination rule, written out here.
 * @module
 */
import { formatDuration, UserError } from "@switchboard/core";

/** Query values: arrays are sent as `key[]=a&key[]=b`, as PagerDuty expects. */
export type Query = Record<string, string | number | boolean | string[] | undefined>;

/** Options of {@link PagerDutyClient}. */
export interface PagerDutyClientOptions {
  token: string;
  /** `https://api.pagerduty.com` (no trailing path). */
  apiUrl: string;
  timeoutMs: number;
  maxRetries: number;
  maxRetryWaitMs: number;
}

/** Why a request never got an answer, in a few words: the system's code (`ECONNREFUSED`) rather than "fetch failed". */
function networkCause(error: unknown): string {
  const err = error as Error & { cause?: { code?: string; message?: string } };
  return err?.cause?.code ?? err?.cause?.message ?? err?.message ?? String(error);
}

/** A refusal or failure answered by PagerDuty, explained for chat. */
export class PagerDutyError extends UserError {
  constructor(
    message: string,
    hint: string | undefined,
    /** The HTTP status (0 when there was no answer). */
    readonly status: number,
    /** PagerDuty's own error code, when it sent one. */
    readonly code?: number,
  ) {
    super(message, hint);
  }
}

interface ErrorBody {
  error?: { message?: string; code?: number; errors?: string[] };
  /** The Events API's error shape. */
  message?: string;
  errors?: string[];
}

/** One page of a list endpoint. */
interface Page {
  more?: boolean;
  offset?: number;
  limit?: number;
  [key: string]: unknown;
}

const USER_AGENT = "switchboard-plugin-paging";

const sleep = (ms: number, signal?: AbortSignal) =>
  new Promise<void>((resolve, reject) => {
    if (signal?.aborted) return reject(signal.reason);
    const timer = setTimeout(resolve, ms);
    signal?.addEventListener("abort", () => {
      clearTimeout(timer);
      reject(signal.reason);
    });
  });

/** Milliseconds a Retry-After header asks for (seconds or an HTTP date), if it is readable. */
export function retryAfterMs(header: string | null, now = Date.now()): number | undefined {
  if (!header) return undefined;
  if (/^\d+$/.test(header.trim())) return Number(header.trim()) * 1000;
  const at = Date.parse(header);
  return Number.isNaN(at) ? undefined : Math.max(0, at - now);
}

/** Builds `path?query` with PagerDuty's array convention. */
export function withQuery(path: string, query: Query = {}): string {
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(query)) {
    if (value === undefined) continue;
    if (Array.isArray(value)) for (const item of value) params.append(`${key}[]`, item);
    else params.append(key, String(value));
  }
  const text = params.toString();
  return text ? `${path}?${text}` : path;
}

/** Talks to one PagerDuty account. */
export class PagerDutyClient {
  readonly #base: string;

  constructor(private readonly options: PagerDutyClientOptions) {
    this.#base = options.apiUrl.replace(/\/+$/, "");
  }

  /** GET one resource. */
  get<T>(path: string, query?: Query, signal?: AbortSignal): Promise<T> {
    return this.#request<T>("GET", withQuery(path, query), undefined, undefined, signal);
  }

  /**
   * Every item of a list endpoint (`/schedules` → `schedules`), following `more`/`offset` until PagerDuty says
   * there is no more (or `max` items were read).
   */
  async list<T>(path: string, key: string, query: Query = {}, signal?: AbortSignal, max = 2000): Promise<T[]> {
    const items: T[] = [];
    let offset = 0;
    const limit = 100;
    for (;;) {
      const page = await this.get<Page>(path, { ...query, limit, offset }, signal);
      const batch = page[key];
      if (!Array.isArray(batch)) throw new PagerDutyError(`PagerDuty's ${path} answer has no ${key}`, undefined, 200);
      items.push(...(batch as T[]));
      if (!page.more || batch.length === 0 || items.length >= max) return items;
      offset = (page.offset ?? offset) + (page.limit ?? batch.length);
    }
  }

  /** A write (POST/PUT/DELETE) made as the PagerDuty user with e-mail `from`. */
  write<T>(method: "POST" | "PUT" | "DELETE", path: string, body: unknown, from: string, signal?: AbortSignal) {
    return this.#request<T>(method, path, body, from, signal);
  }

  /** Sends an Events API v2 event (`/v2/enqueue`): the routing key in the body is the only credential. */
  enqueue<T>(eventsUrl: string, event: unknown, signal?: AbortSignal): Promise<T> {
    const url = `${eventsUrl.replace(/\/+$/, "")}/v2/enqueue`;
    const headers = { "Content-Type": "application/json", "User-Agent": USER_AGENT };
    return this.#send<T>("POST", url, headers, event, signal);
  }

  #request<T>(method: string, path: string, body: unknown, from?: string, signal?: AbortSignal): Promise<T> {
    const headers: Record<string, string> = {
      Accept: "application/vnd.pagerduty+json;version=2",
      Authorization: `Token token=${this.options.token}`,
      "User-Agent": USER_AGENT,
    };
    if (body !== undefined) headers["Content-Type"] = "application/json";
    if (from !== undefined) headers.From = from;
    return this.#send<T>(method, this.#base + path, headers, body, signal);
  }

  async #send<T>(
    method: string,
    url: string,
    headers: Record<string, string>,
    body: unknown,
    signal?: AbortSignal,
  ): Promise<T> {
    const where = `${method} ${new URL(url).pathname}`;
    for (let attempt = 0; ; attempt++) {
      const timeout = AbortSignal.timeout(this.options.timeoutMs);
      let response: Response;
      try {
        response = await fetch(url, {
          method,
          headers,
          body: body === undefined ? undefined : JSON.stringify(body),
          signal: signal ? AbortSignal.any([signal, timeout]) : timeout,
        });
      } catch (error) {
        if (signal?.aborted) throw error;
        const why = timeout.aborted
          ? `no answer within ${formatDuration(this.options.timeoutMs)}`
          : networkCause(error);
        // Name the address and the setting that holds it (the Events API's own URL for enqueue, else the REST API's).
        const setting = url.startsWith(this.#base) ? "apiUrl" : "eventsUrl";
        throw new PagerDutyError(
          `PagerDuty could not be reached at ${new URL(url).origin} (plugins.paging.pagerduty.${setting}): ${why}`,
          "try again in a moment",
          0,
        );
      }
      if (response.status === 429) {
        const wait = retryAfterMs(response.headers.get("retry-after")) ?? 2 ** attempt * 1000;
        await response.body?.cancel();
        if (attempt < this.options.maxRetries && wait <= this.options.maxRetryWaitMs) {
          await sleep(wait, signal);
          continue;
        }
        throw new PagerDutyError(
          "PagerDuty is rate-limiting this bot (429)",
          `try again in ${formatDuration(Math.max(wait, 1000))}`,
          429,
        );
      }
      const text = await response.text();
      if (!response.ok) throw errorFor(where, response.status, text);
      if (text === "") return undefined as T;
      try {
        return JSON.parse(text) as T;
      } catch {
        throw new PagerDutyError(
          `PagerDuty answered ${where} with something that is not JSON`,
          undefined,
          response.status,
        );
      }
    }
  }
}

/** The chat explanation of a PagerDuty error answer. */
function errorFor(where: string, status: number, text: string): PagerDutyError {
  let body: ErrorBody = {};
  try {
    body = JSON.parse(text) as ErrorBody;
  } catch {
    // not JSON: the status says enough
  }
  const detail = [body.error?.message ?? body.message, ...(body.error?.errors ?? body.errors ?? [])]
    .filter(Boolean)
    .join(": ");
  const said = detail ? ` (${detail})` : "";
  const code = body.error?.code;
  switch (status) {
    case 401:
      return new PagerDutyError(`PagerDuty refused the API token${said}`, "check PAGERDUTY_TOKEN", 401, code);
    case 403:
      return new PagerDutyError(
        `PagerDuty refused ${where}${said}`,
        "the API token may not do this: a read-only token answers oncall but cannot act",
        403,
        code,
      );
    case 404:
      return new PagerDutyError(`PagerDuty has no such thing: ${where}${said}`, undefined, 404, code);
    default:
      if (status >= 500)
        return new PagerDutyError(
          `PagerDuty failed (${status}) on ${where}${said}`,
          "try again in a moment",
          status,
          code,
        );
      return new PagerDutyError(`PagerDuty refused ${where} (${status})${said}`, undefined, status, code);
  }
}
