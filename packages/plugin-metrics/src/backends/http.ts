/**
 * One HTTP GET to a metrics backend: the configured base URL only, auth from the environment, a time limit tied
 * to the job's signal, a cap on the answer's size, no redirects. Errors come back as one line without secrets.
 * @module
 */
import { UserError } from "@switchboard/core";
import type { AuthConfig, BackendConfig } from "../config.js";

/** A backend answer: status, content type and the bytes (at most `maxResponseBytes`). */
export interface BackendResponse {
  status: number;
  contentType: string;
  body: Buffer;
}

/** The Authorization header for a backend, read from the environment now (so rotated secrets apply). */
export function authorization(auth: AuthConfig | undefined, backendName: string): string | undefined {
  if (!auth) return undefined;
  const read = (variable: string) => {
    const value = process.env[variable];
    if (value === undefined || value === "")
      throw new UserError(`backend ${backendName}: the credentials are not set (environment variable ${variable})`);
    return value;
  };
  if (auth.type === "bearer") return `Bearer ${read(auth.tokenEnv)}`;
  return `Basic ${Buffer.from(`${read(auth.usernameEnv)}:${read(auth.passwordEnv)}`).toString("base64")}`;
}

/** Builds `base + path` with query parameters; the base's own path is kept (`http://h/prom` + `/api/v1/query`). */
export function backendUrl(base: string, path: string, params: Array<[string, string]>): URL {
  const url = new URL(base);
  url.pathname = `${url.pathname.replace(/\/+$/, "")}${path}`;
  for (const [key, value] of params) url.searchParams.append(key, value);
  return url;
}

/** Reads a body up to `limit` bytes; cancels the stream and throws beyond it. */
async function readLimited(response: Response, limit: number, backendName: string): Promise<Buffer> {
  const declared = Number(response.headers.get("content-length") ?? Number.NaN);
  const tooLarge = () =>
    new UserError(
      `backend ${backendName} answered with more than ${Math.round(limit / 1024 / 1024)} MiB`,
      "narrow the query: fewer series (add label matchers) or a shorter range",
    );
  if (declared > limit) {
    await response.body?.cancel().catch(() => {});
    throw tooLarge();
  }
  const chunks: Buffer[] = [];
  let size = 0;
  if (!response.body) return Buffer.alloc(0);
  const reader = response.body.getReader();
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > limit) {
      await reader.cancel().catch(() => {});
      throw tooLarge();
    }
    chunks.push(Buffer.from(value));
  }
  return Buffer.concat(chunks);
}

/** Why a fetch failed, in a few words (`ECONNREFUSED`, `timed out after 15s`). */
function failureReason(error: unknown, timeoutMs: number, signal: AbortSignal): string {
  if (signal.aborted) return "the command was cancelled";
  const err = error as Error & { cause?: { code?: string; message?: string } };
  if (err?.name === "TimeoutError") return `no answer within ${Math.round(timeoutMs / 1000)}s`;
  const code = err?.cause?.code;
  if (code) return code;
  return err?.cause?.message ?? err?.message ?? String(error);
}

/** Whether a fetch failed because a reused connection was closed by the other side. */
function staleConnection(error: unknown): boolean {
  const code = (error as { cause?: { code?: string } })?.cause?.code;
  return code === "UND_ERR_SOCKET" || code === "ECONNRESET";
}

/** GETs `url` from a backend; throws a UserError naming the backend when it cannot be reached. */
export async function backendGet(
  backendName: string,
  config: BackendConfig,
  url: URL,
  signal: AbortSignal,
  accept = "application/json",
): Promise<BackendResponse> {
  const headers: Record<string, string> = { accept, "user-agent": "switchboard-metrics" };
  const auth = authorization(config.auth, backendName);
  if (auth) headers.authorization = auth;
  const timeout = AbortSignal.timeout(config.timeout);
  const combined = AbortSignal.any([signal, timeout]);
  let response: Response | undefined;
  for (let attempt = 1; !response; attempt++) {
    try {
      response = await fetch(url, { headers, redirect: "error", signal: combined });
    } catch (error) {
      if (signal.aborted) throw signal.reason ?? error;
      // A kept-alive connection the server closed just as it was reused: a GET is safe to send once more.
      if (attempt === 1 && !combined.aborted && staleConnection(error)) continue;
      // Name where it was sent and the setting that holds that address, so the operator knows what to fix.
      throw new UserError(
        `backend ${backendName} is unreachable at ${url.origin} (plugins.metrics.backends.${backendName}.url): ${failureReason(error, config.timeout, signal)}`,
      );
    }
  }
  try {
    const body = await readLimited(response, config.maxResponseBytes, backendName);
    return { status: response.status, contentType: response.headers.get("content-type") ?? "", body };
  } catch (error) {
    if (error instanceof UserError) throw error;
    if (signal.aborted) throw signal.reason ?? error;
    throw new UserError(`backend ${backendName} broke off its answer: ${failureReason(error, config.timeout, signal)}`);
  }
}

/** The first meaningful line of an error body (HTML tags removed), at most 300 characters. */
export function oneLine(text: string): string {
  const plain = text
    .replace(/<(script|style)[^>]*>[\s\S]*?<\/\1>/gi, " ")
    .replace(/<[^>]+>/g, "\n")
    .replace(/&lt;/g, "<")
    .replace(/&gt;/g, ">")
    .replace(/&quot;/g, '"')
    .replace(/&#(\d+);/g, (_, code: string) => String.fromCodePoint(Number(code)))
    .replace(/&#x([0-9a-f]+);/gi, (_, code: string) => String.fromCodePoint(Number.parseInt(code, 16)))
    .replace(/&amp;/g, "&");
  const line = plain
    .split(/\r?\n/)
    .map((l) => l.trim())
    .find((l) => l !== "");
  const single = (line ?? "").replace(/\s+/g, " ");
  return single.length > 300 ? `${single.slice(0, 299)}…` : single;
}
