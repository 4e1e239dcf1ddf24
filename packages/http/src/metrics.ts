/**
 * The bot's own Prometheus metrics (prom-client, a registry of its own). Labels are command names, outcomes,
 * network names, webhook sources and results: all from code or configuration, never text someone typed or sent.
 * @module
 */
import type { AdapterStatus } from "@switchboard/core";
import { Counter, collectDefaultMetrics, Gauge, Histogram, Registry } from "prom-client";
import { adapterStatuses, type HttpBot } from "./bot-surface.js";

/** How a webhook delivery ended (the `result` label). */
export type DeliveryResult =
  | "posted"
  | "ignored"
  | "unrouted"
  | "duplicate"
  | "unauthorized"
  | "invalid"
  | "too-large"
  | "rate-limited"
  | "failed"
  | "accepted"
  | "rejected";

/** The registry and the counters the server itself updates. */
export interface BotMetrics {
  registry: Registry;
  /** Counts one webhook delivery. */
  delivery(source: string, result: DeliveryResult): void;
  /** Stops listening to bot events. */
  close(): void;
}

/** Creates the registry and subscribes to the bot's events. */
export function createMetrics(bot: Pick<HttpBot, "events" | "adapterStatus">): BotMetrics {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
  const registers = [registry];
  const commands = new Counter({
    name: "switchboard_commands_total",
    help: "Commands that ended, by command and outcome (succeeded, failed, denied, timed-out, ...)",
    labelNames: ["command", "outcome"] as const,
    registers,
  });
  const unknown = new Counter({
    name: "switchboard_commands_unknown_total",
    help: "Command lines that named no command, by network",
    labelNames: ["network"] as const,
    registers,
  });
  const duration = new Histogram({
    name: "switchboard_command_duration_seconds",
    help: "Run time of command handlers",
    labelNames: ["command"] as const,
    buckets: [0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300, 900],
    registers,
  });
  const waiting = new Set<string>();
  const running = new Set<string>();
  new Gauge({
    name: "switchboard_approvals_pending",
    help: "Jobs waiting for approval",
    registers,
    collect() {
      this.set(waiting.size);
    },
  });
  new Gauge({
    name: "switchboard_jobs_running",
    help: "Jobs running now",
    registers,
    collect() {
      this.set(running.size);
    },
  });
  const auditLatency = new Histogram({
    name: "switchboard_audit_append_duration_seconds",
    help: "Time to append (and commit) entries to the audit log",
    buckets: [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1],
    registers,
  });
  const connected = new Gauge({
    name: "switchboard_adapter_connected",
    help: "1 when the network's adapter is connected",
    labelNames: ["network"] as const,
    registers,
  });
  const leader = new Gauge({
    name: "switchboard_lease_leader",
    help: "With several instances: 1 when this instance holds the network's connection lease, 0 when it is a standby",
    labelNames: ["network", "resource"] as const,
    registers,
  });
  const reconnects = new Counter({
    name: "switchboard_adapter_reconnects_total",
    help: "Times a network's adapter connected again after losing its connection",
    labelNames: ["network"] as const,
    registers,
  });
  const received = new Counter({
    name: "switchboard_messages_received_total",
    help: "Messages received from a network (commands or not)",
    labelNames: ["network"] as const,
    registers,
  });
  const sent = new Counter({
    name: "switchboard_messages_sent_total",
    help: "Messages handed to a network's adapter, by kind (reply, progress, notice, announcement)",
    labelNames: ["network", "kind"] as const,
    registers,
  });
  const deliveries = new Counter({
    name: "switchboard_webhook_deliveries_total",
    help: "Webhook deliveries by source and result (posted, ignored, duplicate, unauthorized, ...)",
    labelNames: ["source", "result"] as const,
    registers,
  });

  const lastState = new Map<string, boolean>();
  const noteStatus = (network: string, isConnected: boolean) => {
    if (isConnected && lastState.get(network) === false) reconnects.inc({ network });
    if (isConnected || lastState.has(network)) lastState.set(network, isConnected);
    connected.set({ network }, isConnected ? 1 : 0);
  };
  const noteLease = (network: string, lease: AdapterStatus["lease"]) => {
    if (lease) leader.set({ network, resource: lease.resource }, lease.role === "leader" ? 1 : 0);
  };
  for (const [network, status] of adapterStatuses(bot)) {
    noteLease(network, status.lease);
    connected.set({ network }, status.connected ? 1 : 0);
    if (status.connected) lastState.set(network, true);
  }

  const { events } = bot;
  const stops = [
    events.on("job.finished", ({ job, outcome, durationMs }) => {
      commands.inc({ command: job.command, outcome });
      // Only jobs that ran have a duration (not denied ones, nor requests closed while waiting for approval).
      if (running.has(job.id)) duration.observe({ command: job.command }, durationMs / 1000);
      waiting.delete(job.id);
      running.delete(job.id);
    }),
    events.on("job.started", ({ job }) => {
      waiting.delete(job.id);
      running.add(job.id);
    }),
    events.on("approval.requested", ({ job }) => void waiting.add(job.id)),
    events.on("approval.decided", ({ job, decision }) => {
      if (decision !== "approved") waiting.delete(job.id);
    }),
    events.on("command.unknown", ({ network }) => unknown.inc({ network })),
    events.on("audit.appended", ({ durationMs }) => auditLatency.observe(durationMs / 1000)),
    events.on("adapter.status", ({ network, connected: isConnected, lease }) => {
      noteStatus(network, isConnected);
      noteLease(network, lease);
    }),
    events.on("message.received", ({ network }) => received.inc({ network })),
    events.on("message.sent", ({ network, kind }) => sent.inc({ network, kind })),
  ];
  return {
    registry,
    delivery: (source, result) => deliveries.inc({ source, result }),
    close() {
      for (const stop of stops) stop();
    },
  };
}
