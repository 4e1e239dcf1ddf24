/**
 * Starting the endpoint: the built-in routes, the webhook sources, every route registered through core, and the
 * metrics wired to the bot's events. Loaded lazily by {@link startHttpServer}, so the package entry stays light.
 * @module
 */
import type { Logger, RoomRef } from "@switchboard/core";
import { ALERTMANAGER_SOURCE, alertmanagerRoute } from "./alertmanager/route.js";
import { adapterStatuses, type HttpBot } from "./bot-surface.js";
import type { HttpConfig } from "./config.js";
import { roomName, sourceContext } from "./deliveries.js";
import { buildApp, type ServedRoute } from "./fastify-app.js";
import { genericHookRoute } from "./generic/route.js";
import { githubRoute } from "./github/route.js";
import { healthRoutes } from "./health.js";
import { createMetrics } from "./metrics.js";
import type { HttpServer } from "./server.js";

/** Every room the configuration posts to, with the config key that names it. */
function configuredRooms(config: HttpConfig): Array<[string, RoomRef]> {
  const rooms: Array<[string, RoomRef]> = [];
  for (const [repo, entry] of Object.entries(config.github?.repos ?? {}))
    for (const room of entry.rooms) rooms.push([`http.github.repos.${repo}`, room]);
  for (const [index, route] of (config.alertmanager?.routes ?? []).entries())
    for (const room of route.rooms) rooms.push([`http.alertmanager.routes[${index}]`, room]);
  for (const [name, hook] of Object.entries(config.hooks))
    for (const room of hook.rooms) rooms.push([`http.hooks.${name}`, room]);
  return rooms;
}

/** Refuses rooms on networks the bot does not have (a typo would otherwise only show when a webhook arrives). */
function checkNetworks(bot: HttpBot, config: HttpConfig): void {
  const networks = new Set(adapterStatuses(bot).map(([network]) => network));
  const unknown = configuredRooms(config).filter(([, room]) => !networks.has(room.network));
  if (unknown.length > 0) {
    const list = unknown.map(([key, room]) => `${key}: ${roomName(room)}`).join("; ");
    throw new Error(`http: rooms on unknown networks (known: ${[...networks].join(", ") || "none"}): ${list}`);
  }
}

/** Starts the server; see {@link startHttpServer}. */
export async function start(bot: HttpBot, config: HttpConfig, logger: Logger): Promise<HttpServer> {
  checkNetworks(bot, config);
  const metrics = createMetrics(bot);
  const context = sourceContext(bot, logger, metrics.delivery);
  const served: ServedRoute[] = healthRoutes(bot, config.metrics ? metrics.registry : undefined).map((route) => ({
    route,
    countsItself: true,
  }));
  if (config.github)
    served.push({
      route: githubRoute(config.github, context),
      rateLimit: config.github.rateLimit ?? config.rateLimit,
      countsItself: true,
    });
  if (config.alertmanager)
    served.push({
      route: alertmanagerRoute(config.alertmanager, context),
      rateLimit: config.alertmanager.rateLimit ?? config.rateLimit,
      countsItself: true,
    });
  for (const [name, hook] of Object.entries(config.hooks))
    served.push({
      route: genericHookRoute(name, hook, context),
      rateLimit: hook.rateLimit ?? config.rateLimit,
      countsItself: true,
    });
  for (const route of bot.routes.list()) served.push({ route, rateLimit: config.rateLimit, countsItself: false });
  const seen = new Map<string, string>();
  for (const { route } of served) {
    const key = `${route.method} ${route.path}`;
    const other = seen.get(key);
    if (other !== undefined) throw new Error(`http: two routes for ${key}: ${other} and ${route.source ?? "unknown"}`);
    seen.set(key, route.source ?? "unknown");
  }
  const app = await buildApp({ config, routes: served, logger, count: metrics.delivery });
  let web: { close(): void } | undefined;
  try {
    if (config.web) {
      const { registerWebRoutes } = await import("./web/routes.js");
      web = registerWebRoutes({ app, bot, config: config.web, rateLimit: config.rateLimit, logger });
      // Event streams hold their connections open: end them before the server waits for connections to close.
      app.addHook("preClose", async () => web?.close());
    }
    await app.listen({ host: config.listen.host, port: config.listen.port });
  } catch (error) {
    web?.close();
    metrics.close();
    await app.close();
    throw error;
  }
  const address = app.server.address();
  const port = typeof address === "object" && address ? address.port : config.listen.port;
  const host = config.listen.host;
  const url = `${config.tls ? "https" : "http"}://${host.includes(":") ? `[${host}]` : host}:${port}`;
  logger.info({ url, routes: served.length }, "HTTP endpoint listening");
  let closing: Promise<void> | undefined;
  return {
    address: { host, port },
    url,
    close() {
      closing ??= (async () => {
        web?.close();
        metrics.close();
        await app.close();
      })();
      return closing;
    },
  };
}
// Keep the source constants reachable for the ones that import this module directly.
export { ALERTMANAGER_SOURCE };
