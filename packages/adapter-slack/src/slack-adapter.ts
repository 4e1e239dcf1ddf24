/**
 * The Slack adapter: a Web API client for everything the bot says, and Socket Mode or the Events API for what it
 * hears. The Slack libraries are imported when the adapter starts, not when this module loads.
 * @module
 */

import type { WebClient } from "@slack/web-api";
import type {
  Adapter,
  AdapterCapabilities,
  AdapterHost,
  AuditOutcome,
  OutgoingMessage,
  ReplyTarget,
  SentMessage,
} from "@switchboard/core";
import { z } from "zod";
import { ApprovalMessages } from "./approval-messages.js";
import { ChannelQueue } from "./channel-queue.js";
import { eventsRoute } from "./events-route.js";
import { Identities } from "./identity.js";
import { type BotSelf, Inbound } from "./inbound.js";
import { Interactions } from "./interactions.js";
import { Ledger } from "./ledger.js";
import { Outbound } from "./outbound.js";
import type { Delivery } from "./payloads.js";
import { ResponseUrls } from "./response-urls.js";
import { slackLogger } from "./slack-logger.js";
import { SocketConnection } from "./socket-connection.js";
import { slackAdapterType } from "./type.js";

/** What `new SlackAdapter(…)` takes: the keys of a `type: slack` entry (see type.ts). */
export type SlackAdapterOptions = Omit<z.input<typeof slackAdapterType.schema>, "type">;
/** The options as the adapter uses them: every default filled in, durations in milliseconds. */
export type SlackOptions = Omit<z.output<typeof slackAdapterType.schema>, "type">;

/** Imports the Slack libraries (a few hundred milliseconds; only when a Slack adapter starts). */
export async function loadSlack() {
  const [web, socket] = await Promise.all([import("@slack/web-api"), import("@slack/socket-mode")]);
  return { WebClient: web.WebClient, SocketModeClient: socket.SocketModeClient };
}

/** What a job's end looks like under its approval request. */
const closedLines: Record<AuditOutcome, string> = {
  succeeded: ":arrow_forward: approved; it ran",
  failed: ":arrow_forward: approved; it ran",
  cancelled: ":heavy_multiplication_x: cancelled",
  "timed-out": ":arrow_forward: approved; it ran",
  denied: ":no_entry: refused",
  expired: ":hourglass: expired without enough approvals",
  rejected: ":no_entry: refused",
};

/**
 * Runs the bot in a Slack workspace. A sender is their Slack user id, verified for the bot's own workspace (see
 * the package README for shared channels, and for every option).
 */
export class SlackAdapter implements Adapter {
  readonly network: string;
  readonly capabilities: AdapterCapabilities = { images: true, threads: true, edits: true, directMessages: true };
  readonly options: SlackOptions;
  #host: AdapterHost | undefined;
  #client: WebClient | undefined;
  #self: BotSelf | undefined;
  #outbound: Outbound | undefined;
  #socket: SocketConnection | undefined;
  #inbound: Inbound | undefined;
  #unsubscribe: Array<() => void> = [];
  readonly #inFlight = new Set<Promise<void>>();

  constructor(options: SlackAdapterOptions) {
    const parsed = slackAdapterType.schema.safeParse({ ...options, type: "slack" });
    if (!parsed.success) throw new Error(`Slack adapter options: ${z.prettifyError(parsed.error)}`);
    const { type: _type, ...resolved } = parsed.data;
    this.options = resolved;
    this.network = this.options.name;
  }

  /** Who the bot is in Slack (after start). */
  get self(): BotSelf | undefined {
    return this.#self;
  }

  /** The Web API client (after start; for tests and advanced use). */
  get client(): WebClient {
    if (!this.#client) throw new Error("the Slack adapter is not started");
    return this.#client;
  }

  /** The Socket Mode connection (Socket Mode only, after start). */
  get socket(): SocketConnection | undefined {
    return this.#socket;
  }

  async start(host: AdapterHost): Promise<void> {
    if (this.#client) return;
    this.#host = host;
    const { options } = this;
    const { WebClient, SocketModeClient } = await loadSlack();
    const logger = slackLogger(host.logger, "slack");
    // Reads and edits (idempotent): the client waits for Retry-After on a 429 (pausing its queue) and retries;
    // other failures, timeouts included, back off and are retried.
    const client = new WebClient(options.botToken, {
      slackApiUrl: options.apiUrl,
      logger: logger as never,
      rejectRateLimitedCalls: false,
      retryConfig: {
        retries: options.retries,
        factor: 2,
        minTimeout: options.retryDelay,
        maxTimeout: 30_000,
        randomize: true,
      },
      timeout: options.requestTimeout,
    });
    // Posts (not idempotent): this client retries nothing, not even a 429; post-once.ts sends a post again only
    // when Slack certainly did not take it. The library's own retry after a timeout posted answers twice.
    const poster = new WebClient(options.botToken, {
      slackApiUrl: options.apiUrl,
      logger: logger as never,
      rejectRateLimitedCalls: true,
      retryConfig: { retries: 0 },
      timeout: options.requestTimeout,
    });
    const auth = await client.auth.test();
    if (!auth.user_id || !auth.team_id) throw new Error("auth.test did not say who the bot is");
    this.#client = client;
    const self: BotSelf = {
      userId: auth.user_id,
      botId: auth.bot_id,
      teamId: auth.team_id,
      enterpriseId: auth.enterprise_id || undefined,
    };
    // Its display name addresses it too (`opsbot: deploy …`); renames arrive as `user_change` events.
    self.name = (await this.#displayName(self.userId).catch(() => undefined)) ?? auth.user;
    this.#self = self;
    const identities = new Identities(self, options, (user) => this.#displayName(user));
    const ledger = new Ledger();
    const queue = new ChannelQueue({ burst: options.sendBurst, intervalMs: options.sendInterval });
    const responseUrls = new ResponseUrls();
    const approvals = new ApprovalMessages((message) => this.#outbound!.writeApproval(message));
    const outbound = new Outbound(client, poster, this.network, options, queue, responseUrls, approvals, host.logger);
    this.#outbound = outbound;
    const interactions = new Interactions({
      network: this.network,
      host,
      identities,
      ledger,
      outbound,
      approvals,
      apiUrl: options.apiUrl,
    });
    this.#inbound = new Inbound({
      network: this.network,
      options,
      host,
      self,
      identities,
      ledger,
      outbound,
      responseUrls,
      interactions,
    });
    const closeLater = (jobId: string, line: string) =>
      void approvals
        .close(jobId, line)
        .catch((err: unknown) => host.logger.warn({ err }, "could not update a request"));
    this.#unsubscribe = [
      host.events.on("job.started", ({ job }) => closeLater(job.id, ":arrow_forward: approved; running")),
      host.events.on("job.finished", ({ job, outcome }) => closeLater(job.id, closedLines[outcome])),
    ];
    host.logger.info({ team: self.teamId, user: self.userId, mode: options.mode }, "Slack bot identified");
    const onDelivery = (delivery: Delivery) => this.#deliver(delivery);
    if (options.mode === "socket") {
      this.#socket = new SocketConnection({
        options,
        SocketModeClient,
        logger: host.logger,
        slackLogger: slackLogger(host.logger, "slack-socket-mode"),
        onDelivery,
        onStatus: (status) => host.status(status),
      });
      await this.#socket.start();
    } else {
      host.route(
        eventsRoute({
          path: options.eventsPath,
          signingSecret: options.signingSecret!,
          logger: host.logger,
          onDelivery,
        }),
      );
      host.status({ connected: true, detail: `Events API at ${options.eventsPath}` });
    }
  }

  async stop(): Promise<void> {
    if (!this.#client) return;
    for (const off of this.#unsubscribe) off();
    this.#unsubscribe = [];
    await this.#socket?.stop();
    this.#socket = undefined;
    await this.idle();
    this.#client = undefined;
    this.#host?.status({ connected: false, detail: "stopped" });
  }

  /** Resolves when no delivery is being handled and nothing waits to be sent. */
  async idle(): Promise<void> {
    while (this.#inFlight.size) await Promise.allSettled([...this.#inFlight]);
    await this.#outbound?.idle();
  }

  async send(target: ReplyTarget, message: OutgoingMessage): Promise<SentMessage | undefined> {
    return this.#started().send(target, message);
  }

  async edit(sent: SentMessage, message: OutgoingMessage): Promise<void> {
    await this.#started().edit(sent, message);
  }

  async sendDirect(userId: string, message: OutgoingMessage): Promise<SentMessage | undefined> {
    return this.#started().sendDirect(userId, message);
  }

  #started(): Outbound {
    if (!this.#outbound) throw new Error("the Slack adapter is not started");
    return this.#outbound;
  }

  #deliver(delivery: Delivery): void {
    const inbound = this.#inbound;
    if (!inbound) return;
    const work = inbound.handle(delivery);
    this.#inFlight.add(work);
    void work.finally(() => this.#inFlight.delete(work));
  }

  async #displayName(user: string): Promise<string | undefined> {
    const info = await this.#client?.users.info({ user });
    const profile = info?.user?.profile;
    return profile?.display_name || profile?.real_name || info?.user?.real_name || info?.user?.name || undefined;
  }
}
