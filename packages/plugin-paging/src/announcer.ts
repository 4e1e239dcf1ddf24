/**
 * Incident messages in rooms: the first event of an incident posts a message with Acknowledge/Resolve actions; later
 * events edit that message where the network can edit, and add a line in its thread where the network has threads.
 * Where the network cannot edit, the first update posts the message anew and later ones post one self-contained
 * line each (in the thread where there are threads); networks that give no message id (IRC) get lines from the start.
 * @module
 */
import type { AnnounceOptions, Logger, Reply, RoomRef, SentMessage, Store } from "@switchboard/core";

const MESSAGES = "incident-messages";

/** How setup's `announce` is called (a subset of the plugin context). */
export type Announce = (target: RoomRef, output: Reply, options?: AnnounceOptions) => Promise<SentMessage | undefined>;

/** One incident event to post. */
export interface IncidentNotice {
  /** Stable key of the incident (`pagerduty:PIJ90N7`, `local:7`). */
  key: string;
  /** The whole incident message as it should look now (with its actions while it is open). */
  card: Reply;
  /** What just happened, in one line that stands on its own (`#7 web: site down — acknowledged by alice`). */
  line: string;
  rooms: RoomRef[];
  /** True when the incident is over (its message mapping can be forgotten after this post). */
  final: boolean;
}

const roomKey = (key: string, room: RoomRef) => `${key}|${room.network}|${room.room}`;

/** Posts incident events, remembering the first message of each incident in each room. */
export class IncidentAnnouncer {
  constructor(
    private readonly store: Store,
    private readonly announce: Announce,
    private readonly logger: Logger,
  ) {}

  /** Posts `notice` in each of its rooms; a room that fails is logged and the others still get it. */
  async post(notice: IncidentNotice): Promise<void> {
    for (const room of notice.rooms) {
      try {
        await this.#postIn(room, notice);
      } catch (err) {
        this.logger.warn(
          { err, room: `${room.network}:${room.room}`, incident: notice.key },
          "incident message failed",
        );
      }
    }
  }

  async #postIn(room: RoomRef, notice: IncidentNotice): Promise<void> {
    const key = roomKey(notice.key, room);
    const record = await this.store.get<RoomRecord>(MESSAGES, key);
    if (!record) {
      const first = await this.announce(room, notice.card);
      if (!notice.final) await this.store.set(MESSAGES, key, first ? { first } : {});
      return;
    }
    const { first } = record;
    if (!first) await this.announce(room, notice.line);
    else {
      if (record.edits !== false) {
        // Core edits when the network can and answers with the same message; otherwise it posts the card anew.
        const sent = await this.announce(room, notice.card, { replace: first });
        const edited = sent?.id === first.id;
        if (record.edits === undefined && !notice.final) await this.store.set(MESSAGES, key, { first, edits: edited });
        if (!edited) return this.#forget(key, notice);
      }
      await this.announce(room, notice.line, { inThreadOf: first });
    }
    await this.#forget(key, notice);
  }

  async #forget(key: string, notice: IncidentNotice): Promise<void> {
    if (notice.final) await this.store.delete(MESSAGES, key);
  }
}

/** What is remembered per incident and room. */
interface RoomRecord {
  /** The first message, when the network gave it an id. */
  first?: SentMessage;
  /** Whether the network edited it (learnt on the first update). */
  edits?: boolean;
}
