/**
 * HTTP routes that plugins and adapters register through core; `@switchboard/http` serves them. Core knows
 * nothing about the server: a route is a method, a path and a function from a request to a response.
 * @module
 */

/** A received HTTP request, with the raw body (signatures are computed over the exact bytes). */
export interface HttpRequest {
  method: string;
  /** The path without the query string. */
  path: string;
  /** Header names in lower case. */
  headers: Record<string, string | undefined>;
  query: Record<string, string | undefined>;
  /** The exact bytes received (already limited in size by the server). */
  rawBody: Buffer;
  /** The peer address. */
  ip: string;
}

/** What a route answers. `body` objects are sent as JSON. */
export interface HttpResponse {
  status: number;
  headers?: Record<string, string>;
  body?: string | Buffer | Record<string, unknown> | unknown[];
}

/** A route: `POST /hooks/pagerduty`. */
export interface HttpRoute {
  method: "GET" | "POST" | "PUT" | "DELETE";
  /** Absolute path, no parameters: `/hooks/pagerduty`, `/slack/events`. */
  path: string;
  /** Who registered it (`plugin paging`, `adapter slack`): for logs and metrics labels. */
  source?: string;
  /** Largest accepted body in bytes (the server's default applies otherwise). */
  bodyLimit?: number;
  handler(request: HttpRequest): HttpResponse | Promise<HttpResponse>;
}

/** The routes registered so far; the HTTP server reads them when it starts. */
export class RouteTable {
  readonly #routes = new Map<string, HttpRoute>();

  /** Adds a route; a second route for the same method and path is an error naming both sources. */
  add(route: HttpRoute): void {
    if (!route.path.startsWith("/")) throw new Error(`route path must start with "/": ${route.path}`);
    const key = `${route.method} ${route.path}`;
    const existing = this.#routes.get(key);
    if (existing)
      throw new Error(`two routes for ${key}: ${existing.source ?? "unknown"} and ${route.source ?? "unknown"}`);
    this.#routes.set(key, route);
  }

  list(): HttpRoute[] {
    return [...this.#routes.values()];
  }
}
