/**
 * What every webhook source shares (besides core's delivery ledger and signature checks): posting into rooms
 * (editing an earlier announcement where the network can edit), and recording in the audit log who told which room
 * what, in core's one webhook record shape.
 * @module
 */
import {
  type Logger,
  type Reply,
  type RoomRef,
  type SentMessage,
  type Store,
  webhookAuditRecord,
} from "@switchboard/core";
import { namespacedStore } from "@switchboard/core/app";
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
  const record = webhookAuditRecord({
    source: item.source,
    delivery: item.delivery,
    event: item.event,
    rooms: result.posted,
    failedRooms: result.failed,
    ...(item.detail ? { detail: item.detail } : {}),
  });
  await context.bot.auditLog.append([record]);
}
