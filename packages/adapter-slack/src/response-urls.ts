/**
 * `response_url`s: the per-command webhooks Slack gives with a slash command or a button click. Slack accepts up
 * to five posts to one within 30 minutes, without the bot being a member of the channel. Only URLs from an
 * authenticated delivery are ever stored, and the bot token is never sent to them.
 * @module
 */

/** The hosts Slack's `response_url`s point at (commercial and GovSlack). */
const SLACK_RESPONSE_HOSTS = new Set(["hooks.slack.com", "hooks.slack-gov.com"]);

/**
 * The `response_url` of a delivery when it is one of Slack's (`https://hooks.slack.com/…`, or the same origin as the
 * configured `apiUrl`, which is where a test server or a proxy answers), else undefined: a delivery cannot make the
 * bot post to an address of its choosing (an internal service, a cloud metadata endpoint).
 */
export function trustedResponseUrl(text: string | undefined, apiUrl: string): string | undefined {
  if (text === undefined || text.length > 2000) return undefined;
  try {
    const url = new URL(text);
    if (url.username || url.password) return undefined;
    if (url.protocol === "https:" && SLACK_RESPONSE_HOSTS.has(url.hostname.toLowerCase()) && url.port === "")
      return url.href;
    return url.origin === new URL(apiUrl).origin ? url.href : undefined;
  } catch {
    return undefined;
  }
}

/** What Slack allows per `response_url`. */
export const responseUrlLimits = { uses: 5, lifetimeMs: 30 * 60_000 } as const;

interface Entry {
  url: string;
  uses: number;
  expires: number;
}

/** Remembers the `response_url` of recent slash commands, by the id of the message they became. */
export class ResponseUrls {
  readonly #entries = new Map<string, Entry>();

  remember(messageId: string, url: string): void {
    const now = Date.now();
    this.#entries.set(messageId, { url, uses: 0, expires: now + responseUrlLimits.lifetimeMs });
    // Oldest first: drop the expired ones, and any beyond a thousand.
    for (const [id, entry] of this.#entries) {
      if (entry.expires > now && this.#entries.size <= 1000) break;
      this.#entries.delete(id);
    }
  }

  /** Whether `messageId` came with a response URL (used up or not). */
  has(messageId: string | undefined): boolean {
    return messageId !== undefined && this.#entries.has(messageId);
  }

  /** Takes one use of the URL for `messageId`; undefined when there is none left. */
  take(messageId: string | undefined): string | undefined {
    if (messageId === undefined) return undefined;
    const entry = this.#entries.get(messageId);
    if (!entry || entry.expires <= Date.now() || entry.uses >= responseUrlLimits.uses) return undefined;
    entry.uses += 1;
    return entry.url;
  }
}

/** Posts a JSON message to a response URL. Throws on a non-2xx answer. */
export async function postToResponseUrl(url: string, body: Record<string, unknown>): Promise<void> {
  const response = await fetch(url, {
    method: "POST",
    headers: { "content-type": "application/json; charset=utf-8" },
    body: JSON.stringify(body),
    redirect: "error",
    signal: AbortSignal.timeout(10_000),
  });
  const text = await response.text().catch(() => "");
  if (!response.ok) throw new Error(`response_url answered ${response.status}: ${text.slice(0, 200)}`);
}
