/**
 * The outbox: every message the bot sends goes through here, to the adapter of its network — replies,
 * announcements (edited in place or threaded where the network can), and direct messages to principals.
 * @module
 */
import type { Adapter, AdapterCapabilities, SentMessage } from "../adapters/adapter.js";
import type { ReplyTarget, Room } from "../adapters/message.js";
import type { AnnounceOptions } from "../plugins/plugin.js";
import type { IdentityDirectory } from "../policy/identity.js";
import type { EventBus } from "../runtime/events.js";
import type { Logger } from "../runtime/logger.js";
import { parseRoomRef, type RoomRef } from "../util/room-ref.js";
import { type OutgoingMessage, out, type Reply, toBlocks } from "./output.js";
import { renderBlockLines } from "./render-text.js";

/** Image blocks as their text fallback and link, for networks that cannot show images. */
function withoutImages(output: OutgoingMessage): OutgoingMessage {
  if (!output.blocks.some((b) => b.type === "image")) return output;
  const blocks = output.blocks.map((b) => (b.type === "image" ? out.text(renderBlockLines(b).join("\n")) : b));
  return { ...output, blocks };
}

/** Sends through the adapters of one bot. */
export class Outbox {
  constructor(
    private readonly adapters: ReadonlyMap<string, Adapter>,
    private readonly identity: IdentityDirectory,
    private readonly events: EventBus,
    private readonly logger: Logger,
  ) {}

  /** Sends output to a reply target; returns what was sent when the network gives an id. */
  async send(target: ReplyTarget, output: OutgoingMessage): Promise<SentMessage | undefined> {
    const adapter = this.#adapter(target.network);
    const sent = await adapter.send(target, adapter.capabilities.images ? output : withoutImages(output));
    if (this.events.has("message.sent"))
      this.events.emit("message.sent", { network: target.network, kind: output.kind });
    return sent ?? undefined;
  }

  /** Posts into a room, editing `replace` where the network can edit, or in the thread of `inThreadOf`. */
  async announce(
    target: RoomRef | string,
    reply: Reply,
    options: AnnounceOptions = {},
  ): Promise<SentMessage | undefined> {
    const ref = typeof target === "string" ? parseRoomRef(target) : target;
    const adapter = this.#adapter(ref.network);
    const output: OutgoingMessage = { blocks: toBlocks(reply), kind: "announcement" };
    if (options.replace && adapter.capabilities.edits && adapter.edit) {
      await adapter.edit(options.replace, output);
      this.events.emit("message.sent", { network: ref.network, kind: "announcement" });
      return options.replace;
    }
    const thread = adapter.capabilities.threads
      ? (options.inThreadOf?.thread ?? options.inThreadOf?.id ?? ref.thread)
      : undefined;
    const room: Room = { id: ref.room, direct: false };
    return this.send({ network: ref.network, room, ...(thread ? { thread } : {}) }, output);
  }

  /** Replaces a message sent earlier, where the network's adapter can edit (callers check `capabilities`). */
  async edit(sent: SentMessage, output: OutgoingMessage): Promise<void> {
    const adapter = this.#adapter(sent.network);
    if (!adapter.capabilities.edits || !adapter.edit) throw new Error(`network "${sent.network}" cannot edit messages`);
    await adapter.edit(sent, adapter.capabilities.images ? output : withoutImages(output));
    if (this.events.has("message.sent")) this.events.emit("message.sent", { network: sent.network, kind: output.kind });
  }

  /** What a network's adapter can do; undefined for a network without an adapter. */
  capabilities(network: string): AdapterCapabilities | undefined {
    return this.adapters.get(network)?.capabilities;
  }

  /** Sends a direct message to a principal on every linked network whose adapter can; returns those networks. */
  async directMessage(principal: string, reply: Reply): Promise<string[]> {
    const reached: string[] = [];
    for (const { network, id } of this.identity.identitiesOf(principal)) {
      const adapter = this.adapters.get(network);
      if (!adapter?.capabilities.directMessages || !adapter.sendDirect) continue;
      try {
        await adapter.sendDirect(id, { blocks: toBlocks(reply), kind: "announcement" });
        this.events.emit("message.sent", { network, kind: "announcement" });
        reached.push(network);
      } catch (err) {
        this.logger.warn({ err, network, principal }, "could not send a direct message");
      }
    }
    return reached;
  }

  #adapter(network: string): Adapter {
    const adapter = this.adapters.get(network);
    if (!adapter) throw new Error(`no adapter for network "${network}"`);
    return adapter;
  }
}
