/**
 * What every webhook source shares: refusing replayed delivery ids, posting into rooms (editing an earlier
 * announcement where the network can edit), and recording in the audit log who told which room what.
 * @module
 */
import { createHash } from "node:crypto";
import {
  type AuditRecord,
  type Logger,
  namespacedStore,
  type Reply,
  type RoomRef,
  type SentMessage,
  type Store,
} from "@switchboard/core";
import type { HttpBot } from "./bot-surface.js";
import type { DeliveryResult } from "./metrics.js";

/** What a webhook source gets from the server. */
export interface SourceContext {
  bot: HttpBot;
  /** The `http` namespace of the bot's store. */
  store: Store;
  logger: Logger;
  /** Counts a delivery for /metrics. */
  count(source: string, result: DeliveryResult): void;
}

/** Builds a {@link SourceContext}. */
export function sourceContext(bot: HttpBot, logger: Logger, count: SourceContext["count"]): SourceContext {
  return { bot, store: namespacedStore(bot.store, "http"), logger, count };
}

/** `network:room`, for logs and audit details. */
export const roomName = (room: RoomRef) => `${room.network}:${room.room}`;

/**
 * Delivery ids and body digests seen recently (kept in the store, so a restart does not forget them). {@link claim}
 * is atomic within the process: two copies of one delivery arriving together post once. A delivery is claimed under
 * several keys at once (its id and the digest of its signed bytes): it is new only when every key is.
 */
export class DeliveryLedger {
  readonly #inFlight = new Set<string>();
  #lastPurge = 0;

  constructor(
    private readonly store: Store,
    private readonly namespace: string,
    private readonly keepMs: number,
  ) {}

  /**
   * True when every key is new (and now all taken); false when any was seen within the keep time or is being
   * handled (then none is taken).
   */
  async claim(...keys: string[]): Promise<boolean> {
    if (keys.some((key) => this.#inFlight.has(key))) return false;
    for (const key of keys) this.#inFlight.add(key);
    try {
      for (const key of keys) {
        const seen = await this.store.get<{ at: number }>(this.namespace, key);
        if (seen && Date.now() - seen.at < this.keepMs) {
          this.release(...keys);
          return false;
        }
      }
    } catch (error) {
      this.release(...keys);
      throw error;
    }
    return true;
  }

  /** Remembers claimed keys (after the delivery was handled). */
  async commit(...keys: string[]): Promise<void> {
    try {
      for (const key of keys) await this.store.set(this.namespace, key, { at: Date.now() });
    } finally {
      this.release(...keys);
    }
    await this.#purgeOld();
  }

  /** Forgets claimed keys of a delivery that failed, so the sender's retry is handled. */
  release(...keys: string[]): void {
    for (const key of keys) this.#inFlight.delete(key);
  }

  /** Removes expired keys, at most once an hour. */
  async #purgeOld(): Promise<void> {
    const now = Date.now();
    if (now - this.#lastPurge < 3_600_000) return;
    this.#lastPurge = now;
    for (const [id, value] of await this.store.list<{ at: number }>(this.namespace)) {
      if (now - value.at >= this.keepMs) await this.store.delete(this.namespace, id);
    }
  }
}

/** The ledger key of a delivery's signed bytes: `sha256:<hex>`, so that a replay under a fresh id is caught too. */
export function digestKey(signed: Buffer | string): string {
  return `sha256:${createHash("sha256").update(signed).digest("hex")}`;
}

/** One announcement to post. */
export interface Announcement {
  /** Source label (`github`, `alertmanager`, `hook:deploys`). */
  source: string;
  /** The delivery id, when the sender gives one. */
  delivery?: string;
  /** What it was about (`check_suite`, `alert group`), for the audit entry. */
  event: string;
  rooms: readonly RoomRef[];
  reply: Reply;
  /**
   * A stable key of the thing announced (a commit's suite, an alert group): a later announcement with the same key
   * within `editWindowMs` edits the earlier message where the network can edit.
   */
  key?: string;
  editWindowMs?: number;
  /** When true, the remembered message for `key` is forgotten after this post (a resolved alert group). */
  final?: boolean;
  /** Extra audit detail (repository, group key). Never secrets. */
  detail?: Record<string, unknown>;
}

/** What a post reached. */
export interface PostResult {
  posted: RoomRef[];
  failed: RoomRef[];
}

interface Remembered {
  sent: SentMessage;
  at: number;
  /** When it may be forgotten (`at` + the edit window); absent in entries written before it existed. */
  until?: number;
}

/** Entries without their own `until` are forgotten this long after `at`. */
const DEFAULT_KEEP_MS = 24 * 3_600_000;
const lastSweep = new WeakMap<Store, Map<string, number>>();

/**
 * Deletes the entries of `namespace` whose `until` (or `at` + a day) has passed, at most once an hour per store and
 * namespace: remembered announcements and CI states would otherwise grow with every commit and alert group.
 */
export async function forgetExpired(store: Store, namespace: string, now = Date.now()): Promise<void> {
  const sweeps = lastSweep.get(store) ?? new Map<string, number>();
  lastSweep.set(store, sweeps);
  if (now - (sweeps.get(namespace) ?? 0) < 3_600_000) return;
  sweeps.set(namespace, now);
  for (const [key, value] of await store.list<{ at?: number; until?: number }>(namespace)) {
    const until = value?.until ?? (value?.at ?? 0) + DEFAULT_KEEP_MS;
    if (until <= now) await store.delete(namespace, key);
  }
}

/**
 * Posts into every room (one failing room does not stop the others), then appends one audit entry naming the
 * source, delivery id and rooms. Throws only when no room could be reached.
 */
export async function announce(context: SourceContext, item: Announcement): Promise<PostResult> {
  const { store, logger } = context;
  const result: PostResult = { posted: [], failed: [] };
  for (const room of item.rooms) {
    const name = roomName(room);
    const memoryKey = item.key ? `${item.source}|${item.key}|${name}` : undefined;
    try {
      const earlier = memoryKey ? await store.get<Remembered>("announcements", memoryKey) : undefined;
      const fresh = earlier && Date.now() - earlier.at < (item.editWindowMs ?? 0) ? earlier : undefined;
      const sent = await postOrEdit(context, room, item, fresh?.sent);
      if (memoryKey) {
        if (item.final) await store.delete("announcements", memoryKey);
        else if (sent || fresh) {
          const at = fresh?.at ?? Date.now();
          await store.set<Remembered>("announcements", memoryKey, {
            sent: sent ?? fresh!.sent,
            at,
            until: at + (item.editWindowMs ?? 0),
          });
        }
      }
      result.posted.push(room);
    } catch (error) {
      logger.warn({ err: error, source: item.source, room: name }, "could not post a webhook delivery");
      result.failed.push(room);
    }
  }
  if (result.posted.length > 0) await auditDelivery(context, item, result);
  await forgetExpired(store, "announcements");
  if (result.posted.length === 0 && result.failed.length > 0)
    throw new Error(`no room could be reached (${result.failed.map(roomName).join(", ")})`);
  return result;
}

/**
 * Edits the earlier message when there is one; when the edit fails (the message was deleted, the network forgot it),
 * posts a new message instead, so an update is never lost because its predecessor is gone.
 */
async function postOrEdit(
  context: SourceContext,
  room: RoomRef,
  item: Announcement,
  earlier: SentMessage | undefined,
): Promise<SentMessage | undefined> {
  if (!earlier) return context.bot.announce(room, item.reply);
  try {
    return await context.bot.announce(room, item.reply, { replace: earlier });
  } catch (error) {
    context.logger.warn({ err: error, source: item.source, room: roomName(room) }, "could not edit: posting anew");
    return context.bot.announce(room, item.reply);
  }
}

async function auditDelivery(context: SourceContext, item: Announcement, result: PostResult): Promise<void> {
  const record: AuditRecord = {
    event: "webhook",
    actor: `webhook:${item.source}`,
    outcome: "succeeded",
    detail: {
      source: item.source,
      ...(item.delivery ? { delivery: item.delivery } : {}),
      event: item.event,
      rooms: result.posted.map(roomName),
      ...(result.failed.length ? { failedRooms: result.failed.map(roomName) } : {}),
      ...item.detail,
    },
  };
  const [only, ...others] = result.posted;
  if (only && others.length === 0) Object.assign(record, { network: only.network, room: only.room });
  await context.bot.auditLog.append([record]);
}
