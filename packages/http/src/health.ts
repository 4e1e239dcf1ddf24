/**
 * `/healthz` (the process answers), `/readyz` (the store answers and every adapter is connected or a standby; 503 otherwise,
 * with each network's state) and `/metrics` (Prometheus text format).
 * @module
 */
import type { HttpResponse, HttpRoute } from "@switchboard/core";
import type { Registry } from "prom-client";
import { adapterStatuses, type HttpBot } from "./bot-surface.js";

export const HEALTH_SOURCE = "health";

const noStore = { "cache-control": "no-store" };

async function storeAnswers(bot: Pick<HttpBot, "store">): Promise<boolean> {
  try {
    await bot.store.get("http/health", "probe");
    return true;
  } catch {
    return false;
  }
}

/** What /readyz answers. A standby of a leased connection (several instances) is ready: another instance holds it. */
export async function readiness(bot: Pick<HttpBot, "store" | "adapterStatus">): Promise<HttpResponse> {
  const store = await storeAnswers(bot);
  const adapters: Record<string, { connected: boolean; detail?: string; lease?: string; role?: string }> = {};
  let connected = true;
  for (const [network, status] of adapterStatuses(bot)) {
    adapters[network] = {
      connected: status.connected,
      ...(status.detail ? { detail: status.detail } : {}),
      ...(status.lease ? { lease: status.lease.resource, role: status.lease.role } : {}),
    };
    connected &&= status.connected || status.lease?.role === "standby";
  }
  const ready = store && connected;
  return { status: ready ? 200 : 503, headers: noStore, body: { ready, store: store ? "ok" : "failing", adapters } };
}

/** The health and metrics routes. */
export function healthRoutes(bot: Pick<HttpBot, "store" | "adapterStatus">, registry?: Registry): HttpRoute[] {
  const routes: HttpRoute[] = [
    {
      method: "GET",
      path: "/healthz",
      source: HEALTH_SOURCE,
      handler: () => ({ status: 200, headers: noStore, body: { status: "ok" } }),
    },
    { method: "GET", path: "/readyz", source: HEALTH_SOURCE, handler: () => readiness(bot) },
  ];
  if (registry)
    routes.push({
      method: "GET",
      path: "/metrics",
      source: HEALTH_SOURCE,
      handler: async () => ({
        status: 200,
        headers: { "content-type": registry.contentType, ...noStore },
        body: await registry.metrics(),
      }),
    });
  return routes;
}
