/**
 * Reporting messages the bot cannot decrypt: after a grace period (the key may still arrive), at most one notice
 * per room per interval, so a broken session is visible in the room instead of silently ignored.
 * @module
 */
import type { Logger } from "@switchboard/core";
import type { MatrixEvent, Room } from "matrix-js-sdk";
import type { MatrixOptions } from "./matrix-adapter.js";
import type { MatrixOutbound } from "./outbound.js";

/** Rate-limited "could not decrypt" notices. */
export class DecryptionNotices {
  readonly #timers = new Map<string, NodeJS.Timeout>();
  readonly #lastNotice = new Map<string, number>();

  constructor(
    private readonly options: MatrixOptions,
    private readonly sender: MatrixOutbound,
    private readonly logger: Logger,
    private readonly handled: (event: MatrixEvent) => boolean,
  ) {}

  /** Called for each failed decryption; reports it later if it still fails then. */
  failed(event: MatrixEvent, room: Room): void {
    const id = event.getId();
    if (!id || this.#timers.has(id)) return;
    if (Date.now() - event.getTs() > this.options.staleAfter) return;
    const timer = setTimeout(() => {
      this.#timers.delete(id);
      if (!event.isDecryptionFailure() || this.handled(event)) return;
      this.#report(event, room);
    }, this.options.decryptionGrace);
    timer.unref?.();
    this.#timers.set(id, timer);
  }

  #report(event: MatrixEvent, room: Room): void {
    const roomId = room.roomId;
    const last = this.#lastNotice.get(roomId) ?? 0;
    this.logger.warn(
      { room: roomId, eventId: event.getId(), sender: event.getSender(), reason: event.decryptionFailureReason },
      "could not decrypt a message",
    );
    if (Date.now() - last < this.options.decryptionNoticeInterval) return;
    this.#lastNotice.set(roomId, Date.now());
    const who = event.getSender() ?? "someone";
    void this.sender
      .send(
        { network: this.options.name, room: { id: roomId, direct: false }, inReplyTo: event.getId()! },
        {
          kind: "notice",
          blocks: [
            {
              type: "status",
              level: "warn",
              text:
                `I could not decrypt a message from ${who} (${event.decryptionFailureReason ?? "unknown reason"}), so I did not act on it. ` +
                "If it was a command, send it again. If this keeps happening, verify my device or allow sending to unverified devices.",
            },
          ],
        },
      )
      .catch((err: unknown) => this.logger.warn({ err }, "could not send a decryption notice"));
  }

  stop(): void {
    for (const timer of this.#timers.values()) clearTimeout(timer);
    this.#timers.clear();
  }
}
