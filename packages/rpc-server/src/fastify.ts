/**
 * A fastify plugin for a ChatOps RPC service. It keeps JSON bodies as raw text inside its own scope (the signature
 * covers the exact bytes), so it must not be wrapped with `fastify-plugin`.
 * @module
 */
import type { ChatopsServer } from "./server.js";

/** The part of a fastify instance the plugin uses (fastify is not a dependency of this package). */
export interface FastifyLike {
  addContentTypeParser(
    type: string,
    options: { parseAs: "string"; bodyLimit?: number },
    parser: (request: unknown, body: string, done: (error: Error | null, body?: unknown) => void) => void,
  ): void;
  route(options: {
    method: string | string[];
    url: string;
    handler: (
      request: { method: string; url: string; headers: Record<string, string | string[] | undefined>; body?: unknown },
      reply: {
        code(status: number): unknown;
        headers(values: Record<string, string>): unknown;
        send(payload: string): unknown;
      },
    ) => Promise<unknown>;
  }): void;
}

/**
 * `app.register(chatopsFastify(service))`: the listing at the service's base path and methods under it.
 */
export function chatopsFastify(
  service: ChatopsServer,
): (instance: FastifyLike, options: unknown, done: (error?: Error) => void) => void {
  return (instance, _options, done) => {
    instance.addContentTypeParser(
      "application/json",
      { parseAs: "string", bodyLimit: service.maxBodyBytes },
      (_request, body, next) => next(null, body),
    );
    const handler: Parameters<FastifyLike["route"]>[0]["handler"] = async (request, reply) => {
      const answer = await service.handle({
        method: request.method,
        path: request.url,
        headers: request.headers,
        body: typeof request.body === "string" ? request.body : "",
      });
      reply.code(answer.status);
      reply.headers(answer.headers);
      return reply.send(answer.body);
    };
    instance.route({ method: ["GET", "POST"], url: service.basePath, handler });
    instance.route({ method: ["GET", "POST"], url: `${service.basePath}/:method`, handler });
    done();
  };
}
