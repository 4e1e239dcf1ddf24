/**
 * A minimal HTTP server for the routes adapters register through core (what `@switchboard/http` does in the app),
 * so the Events API tests send real signed HTTP requests.
 * @module
 */
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import type { HttpRoute } from "@switchboard/core";

export class RouteServer {
  #server: Server;
  url = "";

  constructor(routes: () => HttpRoute[]) {
    this.#server = createServer(async (req, res) => {
      const chunks: Buffer[] = [];
      for await (const chunk of req) chunks.push(chunk as Buffer);
      const url = new URL(req.url ?? "/", "http://x");
      const route = routes().find((r) => r.method === req.method && r.path === url.pathname);
      if (!route) {
        res.writeHead(404).end();
        return;
      }
      const headers: Record<string, string | undefined> = {};
      for (const [key, value] of Object.entries(req.headers)) headers[key] = Array.isArray(value) ? value[0] : value;
      const answer = await route.handler({
        method: req.method ?? "POST",
        path: url.pathname,
        headers,
        query: Object.fromEntries(url.searchParams),
        rawBody: Buffer.concat(chunks),
        ip: req.socket.remoteAddress ?? "",
      });
      const isObject = typeof answer.body === "object" && !Buffer.isBuffer(answer.body);
      res.writeHead(answer.status, {
        ...(isObject ? { "content-type": "application/json" } : {}),
        ...answer.headers,
      });
      res.end(isObject ? JSON.stringify(answer.body) : answer.body);
    });
  }

  static async start(routes: () => HttpRoute[]): Promise<RouteServer> {
    const server = new RouteServer(routes);
    await new Promise<void>((resolve) => server.#server.listen(0, "127.0.0.1", resolve));
    server.url = `http://127.0.0.1:${(server.#server.address() as AddressInfo).port}`;
    return server;
  }

  async close(): Promise<void> {
    this.#server.closeAllConnections();
    await new Promise<void>((resolve) => this.#server.close(() => resolve()));
  }
}
