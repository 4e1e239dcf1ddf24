/**
 * The fastify application: raw bodies for every content type (signatures are over the exact bytes), body limits
 * per route, rate limits per source and client address, and answers that say nothing about what exists.
 * @module
 */
import { readFileSync } from "node:fs";
import rateLimit from "@fastify/rate-limit";
import type { HttpRequest, HttpResponse, HttpRoute, Logger } from "@switchboard/core";
import Fastify, { type FastifyInstance, type FastifyReply, type FastifyRequest } from "fastify";
import type { HttpConfig, RateLimit } from "./config.js";
import type { DeliveryResult } from "./metrics.js";

/** A route as served: what core describes, plus how it is limited and counted. */
export interface ServedRoute {
  route: HttpRoute;
  /** Limit per window and client address; none for health and metrics. */
  rateLimit?: RateLimit;
  /** Counts its own deliveries (the built-in webhooks); otherwise the status code is counted. */
  countsItself: boolean;
}

interface RouteConfig {
  source: string;
  counted: boolean;
}

/** The result label of an answer the route did not count itself. */
function resultOf(status: number): DeliveryResult {
  if (status === 413) return "too-large";
  if (status === 429) return "rate-limited";
  if (status === 401 || status === 403) return "unauthorized";
  if (status >= 500) return "failed";
  return status >= 400 ? "rejected" : "accepted";
}

function toRequest(request: FastifyRequest, path: string): HttpRequest {
  const headers: Record<string, string | undefined> = {};
  for (const [name, value] of Object.entries(request.headers))
    headers[name] = Array.isArray(value) ? value.join(", ") : value;
  const query: Record<string, string | undefined> = {};
  for (const [name, value] of Object.entries((request.query ?? {}) as Record<string, unknown>)) {
    const first = Array.isArray(value) ? value[0] : value;
    if (typeof first === "string") query[name] = first;
  }
  const rawBody = Buffer.isBuffer(request.body) ? request.body : Buffer.alloc(0);
  return { method: request.method, path, headers, query, rawBody, ip: request.ip };
}

function send(reply: FastifyReply, response: HttpResponse): FastifyReply {
  reply.code(response.status);
  for (const [name, value] of Object.entries(response.headers ?? {})) reply.header(name, value);
  const { body } = response;
  if (body === undefined) return reply.send();
  if (typeof body === "string" || Buffer.isBuffer(body)) {
    if (!reply.hasHeader("content-type")) reply.type("text/plain; charset=utf-8");
    return reply.send(body);
  }
  return reply.type("application/json; charset=utf-8").send(JSON.stringify(body));
}

/** Options for {@link buildApp}. */
export interface AppOptions {
  config: HttpConfig;
  routes: ServedRoute[];
  logger: Logger;
  count(source: string, result: DeliveryResult): void;
}

/** Builds (does not start) the fastify application. */
export async function buildApp({ config, routes, logger, count }: AppOptions): Promise<FastifyInstance> {
  const https = config.tls ? { cert: readFileSync(config.tls.cert), key: readFileSync(config.tls.key) } : null;
  const app = Fastify({
    logger: false,
    bodyLimit: config.bodyLimit,
    requestTimeout: config.timeouts.request,
    connectionTimeout: config.timeouts.request,
    keepAliveTimeout: config.timeouts.keepAlive,
    trustProxy: config.trustProxy,
    return503OnClosing: true,
    forceCloseConnections: "idle",
    ...(https ? { https } : {}),
  }) as unknown as FastifyInstance;
  app.removeAllContentTypeParsers();
  app.addContentTypeParser("*", { parseAs: "buffer" }, (_request, body, done) => done(null, body));
  await app.register(rateLimit, { global: false });

  app.setNotFoundHandler((_request, reply) => {
    reply.code(404).type("text/plain; charset=utf-8").send("not found\n");
  });
  app.setErrorHandler((error: { statusCode?: number; code?: string }, request, reply) => {
    const status = error.statusCode ?? 500;
    if (status === 429) return reply.code(429).type("text/plain; charset=utf-8").send("too many requests\n");
    if (status === 413) return reply.code(413).type("text/plain; charset=utf-8").send("payload too large\n");
    if (status >= 400 && status < 500)
      return reply.code(status).type("text/plain; charset=utf-8").send("bad request\n");
    const source = (request.routeOptions.config as Partial<RouteConfig>).source;
    logger.error({ err: error, source, path: request.routeOptions.url }, "an HTTP route failed");
    return reply.code(500).type("text/plain; charset=utf-8").send("internal error\n");
  });
  app.addHook("onResponse", async (request, reply) => {
    const routeConfig = request.routeOptions.config as Partial<RouteConfig>;
    if (routeConfig.source === undefined || routeConfig.counted) return;
    count(routeConfig.source, resultOf(reply.statusCode));
  });
  // The built-in webhooks count what they decided; limits hit before their handler ran are counted here.
  app.addHook("onSend", async (request, reply, payload) => {
    const routeConfig = request.routeOptions.config as Partial<RouteConfig>;
    if (routeConfig.counted && (reply.statusCode === 413 || reply.statusCode === 429) && routeConfig.source)
      count(routeConfig.source, resultOf(reply.statusCode));
    return payload;
  });

  for (const { route, rateLimit: limit, countsItself } of routes) {
    const source = route.source ?? "unknown";
    const counted = source === "health" || countsItself;
    app.route({
      method: route.method,
      url: route.path,
      ...(route.bodyLimit ? { bodyLimit: route.bodyLimit } : {}),
      config: {
        source,
        counted,
        ...(limit
          ? {
              rateLimit: {
                max: limit.max,
                timeWindow: limit.window,
                keyGenerator: (request: FastifyRequest) => `${source}|${request.ip}`,
              },
            }
          : {}),
      },
      handler: async (request, reply) => send(reply, await route.handler(toRequest(request, route.path))),
    });
  }
  return app;
}
