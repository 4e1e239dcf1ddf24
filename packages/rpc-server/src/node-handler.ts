/**
 * A `node:http` request listener for a ChatOps RPC service: reads the body with a size cap, answers, and passes
 * requests outside the service's path to `next` (or answers 404).
 * @module
 */
import type { IncomingMessage, ServerResponse } from "node:http";
import type { ChatopsServer } from "./server.js";

/** Reads a request body as UTF-8, or undefined when it exceeds `limit` bytes (the rest is discarded). */
function readBody(request: IncomingMessage, limit: number): Promise<string | undefined> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let over = false;
    request.on("data", (chunk: Buffer) => {
      size += chunk.length;
      if (size > limit) over = true;
      else chunks.push(chunk);
    });
    request.on("end", () => resolve(over ? undefined : Buffer.concat(chunks).toString("utf8")));
    request.on("error", reject);
  });
}

/**
 * `http.createServer(chatopsHandler(service))`. With `next`, requests for other paths go there; without, they get 404.
 */
export function chatopsHandler(
  service: ChatopsServer,
  next?: (request: IncomingMessage, response: ServerResponse) => void,
): (request: IncomingMessage, response: ServerResponse) => void {
  return (request, response) => {
    const path = request.url ?? "/";
    if (!service.matches(path)) {
      if (next) return next(request, response);
      response.writeHead(404, { "content-type": "text/plain" }).end("not found\n");
      return;
    }
    readBody(request, service.maxBodyBytes)
      .then(async (body) => {
        if (body === undefined) {
          response.writeHead(413, { "content-type": "text/plain", connection: "close" }).end("request too large\n");
          return;
        }
        const answer = await service.handle({
          method: request.method ?? "GET",
          path,
          headers: request.headers,
          body,
        });
        response.writeHead(answer.status, answer.headers).end(answer.body);
      })
      .catch(() => {
        if (!response.headersSent) response.writeHead(500, { "content-type": "text/plain" });
        response.end("internal error\n");
      });
  };
}
