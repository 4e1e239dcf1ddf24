/**
 * Helpers for the real servers the tests start: free ports and binaries (from @switchboard/test-servers), and polling
 * with a deadline that retries a probe that throws (a server still starting refuses connections).
 */
export { freePort, requireBinary } from "@switchboard/test-servers";

/** Calls `probe` until it returns a value (not undefined) or `timeoutMs` passes. */
export async function poll<T>(
  what: string,
  probe: () => Promise<T | undefined> | T | undefined,
  timeoutMs = 30_000,
  intervalMs = 200,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const value = await probe();
      if (value !== undefined) return value;
    } catch (error) {
      last = error;
    }
    if (Date.now() > deadline)
      throw new Error(`${what}: not ready within ${timeoutMs} ms${last ? ` (${(last as Error).message})` : ""}`);
    await new Promise((r) => setTimeout(r, intervalMs));
  }
}
