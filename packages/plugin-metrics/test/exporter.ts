/**
 * A metrics endpoint written for the tests with prom-client: gauges whose values the test sets.
 */
import { createServer, type Server } from "node:http";
import { collectDefaultMetrics, Gauge, Registry } from "prom-client";

/** A running exporter. */
export interface Exporter {
  /** `127.0.0.1:PORT`, for Prometheus's scrape config. */
  address: string;
  /** `switchboard_test_load{host}`. */
  load: Gauge<"host">;
  /** `switchboard_test_memory_bytes{host}`. */
  memory: Gauge<"host">;
  stop(): Promise<void>;
}

/** Starts the exporter on a free port. */
export async function startExporter(): Promise<Exporter> {
  const registry = new Registry();
  // The process metrics make "select everything" queries realistic (dozens of series).
  collectDefaultMetrics({ register: registry });
  const load = new Gauge({
    name: "switchboard_test_load",
    help: "load set by the test",
    labelNames: ["host"],
    registers: [registry],
  });
  const memory = new Gauge({
    name: "switchboard_test_memory_bytes",
    help: "memory set by the test",
    labelNames: ["host"],
    registers: [registry],
  });
  const server: Server = createServer((request, response) => {
    if (request.url !== "/metrics") {
      response.writeHead(404).end();
      return;
    }
    void registry.metrics().then((text) => {
      response.writeHead(200, { "content-type": registry.contentType }).end(text);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const port = (server.address() as { port: number }).port;
  return {
    address: `127.0.0.1:${port}`,
    load,
    memory,
    stop: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
