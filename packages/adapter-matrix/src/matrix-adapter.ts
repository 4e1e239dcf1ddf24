/**
 * The Matrix adapter: a matrix-js-sdk client with persisted sync and crypto state, turning room messages into
 * {@link IncomingMessage}s and output into `m.notice` / `m.image` events.
 * @module
 */
import { mkdirSync } from "node:fs";
import { join } from "node:path";
import type {
  Adapter,
  AdapterCapabilities,
  AdapterHost,
  AdapterStateStore,
  IncomingMessage,
  OutgoingMessage,
  ReplyTarget,
  SentMessage,
  TrustReset,
} from "@switchboard/core";
import {
  ClientEvent,
  type MatrixClient,
  type MatrixEvent,
  MatrixEventEvent,
  type Room,
  RoomEvent,
  RoomMemberEvent,
  SyncState,
} from "matrix-js-sdk";
import { z } from "zod";
import { type ClientBundle, openClient } from "./client.js";
import { type Content, relatesTo } from "./content.js";
import { CrossSigningError, checkRecoveryKey, cryptoSettled, decodeKey, selfSign } from "./cross-signing.js";
import { DecryptionNotices } from "./decryption-notices.js";
import { fromVerifiedDevice, reactionRefusal } from "./device-trust.js";
import { FileState } from "./file-state.js";
import {
  beforeJoin,
  commandCandidate,
  currentName,
  incomingMessage,
  inviteAllowed,
  isApprovalReaction,
  isDirect,
} from "./inbound.js";
import { Ledger } from "./ledger.js";
import { MatrixOutbound } from "./outbound.js";
import { resetTrust } from "./trust-reset.js";
import { matrixAdapterType } from "./type.js";

/** What `new MatrixAdapter(…)` takes: the keys of a `type: matrix` entry (see type.ts). */
export type MatrixAdapterOptions = Omit<z.input<typeof matrixAdapterType.schema>, "type">;
/** The options as the adapter uses them: every default filled in, durations in milliseconds. */
export type MatrixOptions = Omit<z.output<typeof matrixAdapterType.schema>, "type">;

/**
 * Runs the bot on a Matrix homeserver. The sender of a message is its Matrix user id, which the homeserver vouches
 * for (`verified: true`). See the package README for every option.
 */
export class MatrixAdapter implements Adapter {
  readonly network: string;
  readonly capabilities: AdapterCapabilities = { images: true, threads: true, edits: true };
  readonly options: MatrixOptions;
  #host: AdapterHost | undefined;
  #bundle: ClientBundle | undefined;
  #ledger: Ledger | undefined;
  #sender: MatrixOutbound | undefined;
  #notices: DecryptionNotices | undefined;
  /** Rooms whose invite is being handled. */
  readonly #invites = new Set<string>();
  #saveTimer: NodeJS.Timeout | undefined;
  #lastSave = 0;

  readonly #state: AdapterStateStore;

  /**
   * @param options - see the package README.
   * @param shared - where the session and the crypto and sync stores are kept: `state` from the app when several
   *   instances take turns on this device (PostgreSQL); default files in `dataDir`.
   */
  constructor(options: MatrixAdapterOptions, shared: { state?: AdapterStateStore } = {}) {
    const parsed = matrixAdapterType.schema.safeParse({ ...options, type: "matrix" });
    if (!parsed.success) throw new Error(`Matrix adapter options: ${z.prettifyError(parsed.error)}`);
    const { type: _type, ...resolved } = parsed.data;
    this.options = resolved;
    this.network = this.options.name;
    this.#state = shared.state ?? new FileState(this.options.dataDir);
  }

  /** The running client (for tests and advanced use). */
  get client(): MatrixClient {
    if (!this.#bundle) throw new Error("the Matrix adapter is not started");
    return this.#bundle.client;
  }

  /** True when the adapter resumed a kept sync state (false on the first start of a device). */
  get resumed(): boolean {
    return this.#bundle ? !this.#bundle.fresh : false;
  }

  /** The device id the bot uses. */
  get deviceId(): string | undefined {
    return this.#bundle?.session.deviceId;
  }

  /** Commands older than this when seen are not run (core says so once). */
  get staleAfterMs(): number {
    return this.options.staleAfter;
  }

  async start(host: AdapterHost): Promise<void> {
    if (this.#bundle) return;
    this.#host = host;
    if (this.options.recoveryKey !== undefined && !this.options.encryption)
      throw new CrossSigningError("recoveryKey needs encryption: true (the device keys are what gets signed)");
    const recoveryKey = this.options.recoveryKey !== undefined ? decodeKey(this.options.recoveryKey) : undefined;
    mkdirSync(this.options.dataDir, { recursive: true, mode: 0o700 });
    const ledger = new Ledger(join(this.options.dataDir, "handled-events"));
    ledger.open();
    this.#ledger = ledger;
    const bundle = await openClient(this.options, host.logger, this.#state, recoveryKey);
    this.#bundle = bundle;
    const { client } = bundle;
    this.#sender = new MatrixOutbound(client, this.options, host.logger);
    this.#notices = new DecryptionNotices(this.options, this.#sender, host.logger, (e) => this.#isHandled(e));
    client.on(RoomEvent.Timeline, (event, room, toStart, removed) => {
      if (toStart || removed || !room) return;
      if (event.isEncrypted() && (event.isBeingDecrypted() || event.getClearContent() === null)) return;
      this.#onEvent(event, room);
    });
    client.on(MatrixEventEvent.Decrypted, (event) => {
      const room = client.getRoom(event.getRoomId() ?? "");
      if (!room) return;
      if (event.isDecryptionFailure()) this.#notices?.failed(event, room);
      else this.#onEvent(event, room);
    });
    client.on(RoomMemberEvent.Membership, (event, member) => {
      if (member.userId === bundle.session.userId && member.membership === "invite") {
        void this.#onInvite(member.roomId, event.getSender() ?? "");
      }
    });
    // Invites that arrived while the bot was away are in the restored state: look at them once synced.
    client.on(ClientEvent.Sync, (state) => {
      if (state === SyncState.Prepared) {
        for (const room of client.getRooms()) {
          if (room.getMyMembership() === "invite") {
            const inviter = room.getMember(bundle.session.userId)?.events.member?.getSender() ?? "";
            void this.#onInvite(room.roomId, inviter);
          }
        }
      }
      if (state === SyncState.Syncing || state === SyncState.Prepared) this.#scheduleSave();
      if (state === SyncState.Syncing || state === SyncState.Prepared)
        host.status({ connected: true, detail: this.options.homeserver });
      else if (state === SyncState.Error || state === SyncState.Reconnecting)
        host.status({ connected: false, detail: `${state.toLowerCase()}: ${this.options.homeserver}` });
      host.logger.debug({ state }, "matrix sync");
    });
    const ready = new Promise<SyncState>((resolve) => {
      const onSync = (state: SyncState) => {
        // Unreachable at start: don't hold up the bot's other networks; the client keeps retrying.
        if (state === SyncState.Prepared || state === SyncState.Error || state === SyncState.Reconnecting) {
          if (state !== SyncState.Prepared)
            host.logger.warn({ state }, "Matrix homeserver unreachable; retrying in the background");
          client.off(ClientEvent.Sync, onSync);
          resolve(state);
        }
      };
      client.on(ClientEvent.Sync, onSync);
    });
    if (recoveryKey) await this.#checkKey(client, recoveryKey);
    await client.startClient({ initialSyncLimit: 20 });
    const reached = await ready;
    if (recoveryKey) await this.#crossSign(client, recoveryKey, reached === SyncState.Prepared);
    const keys = await client.getCrypto()?.getOwnDeviceKeys();
    host.logger.info(
      {
        userId: bundle.session.userId,
        deviceId: bundle.session.deviceId,
        ed25519: keys?.ed25519,
        resumed: !bundle.fresh,
      },
      "Matrix session ready (verify this device by comparing its ed25519 session key)",
    );
  }

  /**
   * A recovery key that does not open the account's secret storage fails the start before the client syncs;
   * an unreachable homeserver does not (the key is checked again before signing, once the sync is back).
   */
  async #checkKey(client: MatrixClient, key: Uint8Array): Promise<void> {
    try {
      await checkRecoveryKey(client, key);
    } catch (err) {
      if (!(err instanceof CrossSigningError)) return;
      await cryptoSettled(client);
      await this.stop();
      throw err;
    }
  }

  /**
   * Signs the device with the account's identity from secret storage. Reached at start, a failure (a wrong
   * recovery key) stops the adapter and fails the start; with the homeserver unreachable it is done once the sync
   * is back, and a failure then is logged.
   */
  async #crossSign(client: MatrixClient, key: Uint8Array, reachable: boolean): Promise<void> {
    const logger = this.#host!.logger;
    const done = () =>
      logger.info({ deviceId: this.deviceId }, "Matrix device cross-signed with the account's identity");
    if (reachable) {
      try {
        await selfSign(client, key);
        done();
        return;
      } catch (err) {
        if (err instanceof CrossSigningError) {
          await cryptoSettled(client);
          await this.stop();
          throw err;
        }
        // A sync from the kept state is ready while the homeserver may still be away: sign once it answers.
        logger.warn({ err }, "could not cross-sign the Matrix device yet; trying again once the homeserver answers");
      }
    }
    let busy = false;
    const onSync = (state: SyncState) => {
      if ((state !== SyncState.Prepared && state !== SyncState.Syncing) || busy) return;
      busy = true;
      selfSign(client, key).then(
        () => {
          client.off(ClientEvent.Sync, onSync);
          done();
        },
        (err: unknown) => {
          busy = false;
          if (!(err instanceof CrossSigningError)) return; // still unreachable: the next sync tries again
          client.off(ClientEvent.Sync, onSync);
          logger.error(
            { err },
            "could not cross-sign the Matrix device; clients may refuse to share room keys with it",
          );
        },
      );
    };
    client.on(ClientEvent.Sync, onSync);
  }

  /**
   * Accepts the current cross-signing identity of `userId` (the `trust reset` command): after they reset their own
   * cross-signing, the bot counts their devices signed by the new identity as verified again.
   */
  async resetTrust(userId: string): Promise<TrustReset> {
    return resetTrust(this.client, userId);
  }

  async stop(): Promise<void> {
    const bundle = this.#bundle;
    if (!bundle) return;
    this.#bundle = undefined;
    if (this.#saveTimer) clearTimeout(this.#saveTimer);
    this.#notices?.stop();
    await this.#sender?.idle();
    bundle.client.stopClient();
    await bundle.syncStore.save(true).catch(() => {});
    await bundle.snapshot.flush().catch((err: unknown) => this.#host?.logger.error({ err }, "final save failed"));
    bundle.snapshot.uninstall();
    this.#ledger?.close();
  }

  async send(target: ReplyTarget, message: OutgoingMessage): Promise<SentMessage | undefined> {
    if (!this.#sender) throw new Error("the Matrix adapter is not started");
    const id = await this.#sender.send(target, message);
    if (!id) return undefined;
    return { network: this.network, room: target.room.id, id, ...(target.thread ? { thread: target.thread } : {}) };
  }

  /** Replaces a message the bot sent (`m.replace`): approval requests updated as people decide, for instance. */
  async edit(sent: SentMessage, message: OutgoingMessage): Promise<void> {
    if (!this.#sender) throw new Error("the Matrix adapter is not started");
    await this.#sender.edit(sent.id, sent.room, message);
  }

  /** Saves the sync state (the SDK alone would only do so every five minutes), at most once a second. */
  #scheduleSave(): void {
    if (this.#saveTimer) return;
    const wait = Math.max(0, this.#lastSave + 1000 - Date.now());
    this.#saveTimer = setTimeout(() => {
      this.#saveTimer = undefined;
      this.#lastSave = Date.now();
      void this.#bundle?.syncStore
        .save(true)
        .catch((err: unknown) => this.#host?.logger.warn({ err }, "could not save the sync state"));
    }, wait);
    this.#saveTimer.unref?.();
  }

  #isHandled(event: MatrixEvent): boolean {
    return this.#ledger?.has(event.getId() ?? "") ?? false;
  }

  #onEvent(event: MatrixEvent, room: Room): void {
    const bundle = this.#bundle;
    if (!bundle || event.getSender() === bundle.session.userId) return;
    if (room.getMyMembership() !== "join") return;
    const type = event.getType();
    if (type === "m.reaction") {
      this.#onReaction(event, room);
      return;
    }
    const text = commandCandidate(event);
    const id = event.getId();
    if (text === undefined || !id || beforeJoin(event, room, bundle.session.userId)) return;
    if (this.#ledger!.has(id)) {
      this.#host?.logger.debug({ eventId: id }, `already handled ${id}`);
      return;
    }
    const direct = isDirect(room);
    const host = this.#host!;
    // Core addresses the text once, here (the bot's current display name in the room addresses it like its name),
    // and is handed the result with the message.
    const addressed = host.address(text, { direct, nick: currentName(room, bundle.session.userId) });
    if (!addressed) return;
    const message = this.#message(event, room, text, direct);
    if (!this.#ledger!.claim(id)) return;
    fromVerifiedDevice(this.client, event, host.logger)
      .then((deviceVerified) =>
        host.receive({ ...message, sender: { ...message.sender, deviceVerified } }, { addressed }),
      )
      .catch((err: unknown) => host.logger.error({ err, eventId: id }, "handling failed"));
  }

  #message(event: MatrixEvent, room: Room, text: string, direct: boolean): IncomingMessage {
    return incomingMessage(event, room, { network: this.network, text, direct });
  }

  /**
   * A configured reaction to an approval request approves its job through core, as the person who reacted; a
   * numbered reaction (`1️⃣`) to a message with actions runs that action's command as the person who reacted,
   * exactly as if they had typed it (the same permission check, rules and audit), as Slack's buttons do.
   */
  #onReaction(event: MatrixEvent, room: Room): void {
    const relation = relatesTo(event.getContent() as Content);
    if (relation?.rel_type !== "m.annotation" || typeof relation.key !== "string") return;
    const key = relation.key;
    const target = String(relation.event_id);
    const id = event.getId();
    if (!id || Date.now() - event.getTs() > this.options.staleAfter) return;
    const action = this.#sender!.action(target, room.roomId, key);
    if (action) {
      this.#runAction(event, room, id, action.command);
      return;
    }
    if (!isApprovalReaction(key, this.options.approvalReactions)) return;
    const jobId = this.#sender!.approvalJob(target);
    if (!jobId) return;
    if (!this.#ledger!.claim(id)) return;
    const host = this.#host!;
    const { sender, room: where } = this.#message(event, room, "", false);
    fromVerifiedDevice(this.client, event, host.logger)
      .then((deviceVerified) =>
        host.decide({
          jobId,
          decision: "approve",
          network: this.network,
          sender: { ...sender, deviceVerified },
          room: where,
        }),
      )
      .then((result) => {
        if (result.ok) return;
        const text = reactionRefusal(result.text, event, `${host.prefix}approve ${jobId}`);
        return this.#sender!.say(this.#message(event, room, "", false), "fail", text);
      })
      .catch((err: unknown) => host.logger.error({ err, eventId: id }, "approval failed"));
  }

  /** Runs an action's command for the person who reacted, addressed to the bot, in the room of the reaction. */
  #runAction(event: MatrixEvent, room: Room, id: string, command: string): void {
    if (!this.#ledger!.claim(id)) return;
    const host = this.#host!;
    const message = this.#message(event, room, command, isDirect(room));
    fromVerifiedDevice(this.client, event, host.logger)
      .then((deviceVerified) =>
        host.receive({ ...message, sender: { ...message.sender, deviceVerified } }, { addressed: true }),
      )
      .catch((err: unknown) => host.logger.error({ err, eventId: id }, "a reaction's action failed"));
  }

  /** Leaves a room (the core `leave` command, which checks the `rooms:leave` permission). */
  async leave(room: { id: string }): Promise<void> {
    await this.client.leave(room.id);
    this.#host?.logger.info({ room: room.id }, "left a room on request");
  }

  /** Joins when the inviter or the room is allowed by the `invites` option, otherwise declines. */
  async #onInvite(roomId: string, inviter: string): Promise<void> {
    const client = this.#bundle?.client;
    if (!client || this.#invites.has(roomId)) return;
    const room = client.getRoom(roomId);
    if (room && room.getMyMembership() !== "invite") return;
    this.#invites.add(roomId);
    const allowed = inviteAllowed(this.options.invites, inviter, roomId);
    const logger = this.#host!.logger;
    try {
      if (allowed) {
        await client.joinRoom(roomId);
        logger.info({ room: roomId, inviter }, "joined a room on invite");
      } else {
        await client.leave(roomId);
        logger.info({ room: roomId, inviter }, "declined an invite (not allowed by the invites option)");
      }
    } catch (err) {
      logger.warn({ err, room: roomId }, "could not answer an invite");
    } finally {
      this.#invites.delete(roomId);
    }
  }
}
