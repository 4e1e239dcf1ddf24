/**
 * The one function apps/bot calls: start the HTTP endpoint for a bot. The server, prom-client and the webhook
 * sources load on the first call, not when the package is imported.
 * @module
 */
import type { Logger } from "@switchboard/core";
import type { HttpBot } from "./bot-surface.js";
import type { HttpConfig } from "./config.js";

/** Options for {@link startHttpServer}. */
export interface StartHttpServerOptions {
  /** The bot (started): its routes, announce, events, adapter states, store and audit log. */
  bot: HttpBot;
  /** The validated `http:` section (`httpConfigSchema.parse(raw)`). */
  config: HttpConfig;
  /** Default: the bot's logger. */
  logger?: Logger;
}

/** A running endpoint. */
export interface HttpServer {
  /** Where it listens (the real port when the configuration said 0). */
  address: { host: string; port: number };
  /** `http://127.0.0.1:8080`. */
  url: string;
  /** Stops accepting, lets requests in progress finish, and unsubscribes from the bot. Safe to call twice. */
  close(): Promise<void>;
}

/**
 * Starts the HTTP endpoint: /healthz, /readyz, /metrics, the configured webhooks, and every route registered through
 * core. Rejects when the address is taken, a TLS file is unreadable, two routes collide, or a configured room is on
 * a network the bot does not have.
 */
export async function startHttpServer(options: StartHttpServerOptions): Promise<HttpServer> {
  const { start } = await import("./start.js");
  const logger = (options.logger ?? options.bot.logger).child({ component: "http" });
  return start(options.bot, options.config, logger);
}
