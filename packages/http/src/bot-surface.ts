/**
 * What the HTTP endpoint needs from the bot. Core's `Bot` has all of it; the interface keeps this package honest
 * about what it touches (and lets an embedding program pass something smaller).
 * @module
 */
import type {
  AdapterStatus,
  AnnounceOptions,
  AuditLog,
  AuditRecord,
  HttpRoute,
  Logger,
  Reply,
  RoomRef,
  SentMessage,
  Store,
} from "@switchboard/core";
import type { BotEvents, WebLinkMaker } from "@switchboard/core/app";

/** The parts of a bot the HTTP endpoint uses. */
export interface HttpBot {
  /** Routes plugins and adapters registered through core. */
  readonly routes: { list(): HttpRoute[] };
  /** Posts into a room on any network through the same send path as replies; `replace` edits where possible. */
  announce(target: RoomRef | string, output: Reply, options?: AnnounceOptions): Promise<SentMessage | undefined>;
  /** Jobs, approvals, adapters and traffic, for metrics. */
  readonly events: BotEvents;
  /** Each network's connection state (for /readyz and the adapter gauge). */
  adapterStatus(): ReadonlyMap<string, AdapterStatus> | Readonly<Record<string, AdapterStatus>>;
  /** Delivery ids and announcement ids are kept here. */
  readonly store: Store;
  /** Where deliveries that posted are recorded (and what the web view reads and verifies). */
  readonly auditLog: Pick<AuditLog, "append" | "query" | "entries">;
  readonly logger: Logger;
  /** Live jobs, for the web view (running, or waiting for approval). */
  readonly jobs?: { get(id: string): LiveJob | undefined; list(): LiveJob[] };
  /** Where the web view provides its link maker to the `audit --link` and `job --link` commands. */
  readonly webLinks?: { provide(maker: WebLinkMaker): () => void };
  /** Whether an actor id holds a permission now (checked again at every view). */
  permits?(actorId: string, permission: string): boolean;
}

/** What the web view reads of a live job (core's job, structurally). */
export interface LiveJob {
  id: string;
  command: { name: string };
  actor: { id: string; name: string };
  state: "awaiting-approval" | "running";
  createdAt: Date;
  startedAt?: Date;
  auditArgs: Record<string, unknown>;
  message: { network: string; room: { id: string; name?: string } };
  approval?: {
    count: number;
    permission: string;
    expiresAt: Date;
    approvers: ReadonlyMap<string, string>;
    digest: string;
  };
}

/** `adapterStatus()` as entries, whichever shape the bot returns. */
export function adapterStatuses(bot: Pick<HttpBot, "adapterStatus">): Array<[string, AdapterStatus]> {
  const statuses = bot.adapterStatus();
  return statuses instanceof Map ? [...statuses.entries()] : Object.entries(statuses);
}

/** An audit record written for a webhook delivery. */
export type DeliveryAuditRecord = AuditRecord;
