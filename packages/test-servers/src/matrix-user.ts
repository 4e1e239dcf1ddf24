/**
 * People in tests: real matrix-js-sdk clients (in-memory Rust crypto) logged in to the test homeserver. They create
 * rooms, invite the bot, talk, react, and collect what the bot sends.
 * @module
 */
import type { MatrixClient, MatrixEvent } from "matrix-js-sdk";
import type { Homeserver } from "./synapse.js";
import { eventually } from "./wait.js";

type Sdk = typeof import("matrix-js-sdk");
let sdk: Sdk | undefined;

const sdkLevels: Record<string, number> = { trace: 0, debug: 1, info: 2, log: 2, warn: 3, error: 4, silent: 5 };

/**
 * Loads matrix-js-sdk (when the first test user is created, so IRC-only tests never load it), quiet like the adapter
 * keeps it: the SDK's console logging off unless `SWITCHBOARD_MATRIX_SDK_LOG` asks for it, and the Rust crypto's
 * tracing at warnings (`SWITCHBOARD_MATRIX_SDK_LOG=debug` keeps everything).
 */
async function loadSdk(): Promise<Sdk> {
  if (sdk) return sdk;
  const [loaded, { logger }, { LoggerLevel, Tracing }] = await Promise.all([
    import("matrix-js-sdk"),
    import("matrix-js-sdk/lib/logger.js"),
    import("@matrix-org/matrix-sdk-crypto-wasm"),
  ]);
  const threshold = sdkLevels[process.env.SWITCHBOARD_MATRIX_SDK_LOG ?? "silent"] ?? 5;
  type Factory = (method: string, level: number, name: string) => (...args: unknown[]) => void;
  const root = logger as unknown as { methodFactory: Factory; rebuild(): void };
  const original = root.methodFactory;
  root.methodFactory = (method, level, name) =>
    (sdkLevels[method] ?? 2) >= threshold ? original(method, level, name) : () => {};
  root.rebuild();
  if (process.env.SWITCHBOARD_MATRIX_SDK_LOG !== "debug") {
    const proto = Tracing.prototype as unknown as { turnOn(): void; minLevel: unknown };
    const turnOn = proto.turnOn;
    proto.turnOn = function (this: typeof proto) {
      turnOn.call(this);
      this.minLevel = LoggerLevel.Warn;
    };
  }
  sdk = loaded;
  return loaded;
}

/** A message seen by a test user. */
export interface Seen {
  eventId: string;
  roomId: string;
  sender: string;
  type: string;
  content: Record<string, unknown>;
  encrypted: boolean;
}

/** One person with a Matrix account. */
export class TestUser {
  readonly seen: Seen[] = [];

  private constructor(
    readonly name: string,
    readonly userId: string,
    readonly client: MatrixClient,
  ) {}

  /** Registers `name` (password = name) and logs in, with encryption. */
  static async create(hs: Homeserver, name: string): Promise<TestUser> {
    const { createClient, RoomEvent } = await loadSdk();
    const userId = await hs.register(name, `${name}-password`);
    const login = createClient({ baseUrl: hs.url });
    const res = await login.loginRequest({
      type: "m.login.password",
      identifier: { type: "m.id.user", user: name },
      password: `${name}-password`,
    });
    const client = createClient({
      baseUrl: hs.url,
      userId,
      accessToken: res.access_token,
      deviceId: res.device_id,
    });
    await client.initRustCrypto({ useIndexedDB: false });
    const user = new TestUser(name, userId, client);
    client.on(RoomEvent.Timeline, (event, _room, toStart) => {
      if (!toStart) void user.#record(event);
    });
    await client.startClient({ initialSyncLimit: 0 });
    await new Promise<void>((resolve) => {
      const check = (state: string) => {
        if (state === "PREPARED") {
          client.off("sync" as never, check as never);
          resolve();
        }
      };
      client.on("sync" as never, check as never);
    });
    return user;
  }

  async #record(event: MatrixEvent): Promise<void> {
    if (event.getSender() === this.userId) return;
    const encrypted = event.isEncrypted();
    if (encrypted) await this.client.decryptEventIfNeeded(event);
    this.seen.push({
      eventId: event.getId()!,
      roomId: event.getRoomId()!,
      sender: event.getSender()!,
      type: event.getType(),
      content: event.getContent(),
      encrypted,
    });
  }

  /** Creates a room, invites `invite`, and waits until they joined (unless `waitJoin` is false). */
  async createRoom(
    invite: string[],
    options: { encrypted?: boolean; direct?: boolean; waitJoin?: boolean } = {},
  ): Promise<string> {
    const { Preset, Visibility } = await loadSdk();
    const { room_id } = await this.client.createRoom({
      preset: Preset.PrivateChat,
      visibility: Visibility.Private,
      invite,
      ...(options.direct ? { is_direct: true } : {}),
      ...(options.encrypted
        ? {
            initial_state: [
              { type: "m.room.encryption", state_key: "", content: { algorithm: "m.megolm.v1.aes-sha2" } },
            ],
          }
        : {}),
    });
    if (options.waitJoin !== false) {
      for (const userId of invite) await this.waitMembership(room_id, userId, "join");
    }
    return room_id;
  }

  /** Waits until `userId`'s membership in the room is `membership`, as this user's client sees it. */
  async waitMembership(roomId: string, userId: string, membership: string): Promise<void> {
    await eventually(`${userId} to ${membership} ${roomId}`, () =>
      this.client.getRoom(roomId)?.getMember(userId)?.membership === membership ? true : undefined,
    );
  }

  /** Sends a text message (with extra content, e.g. a thread relation); returns its event id. */
  async say(roomId: string, text: string, extra: Record<string, unknown> = {}): Promise<string> {
    const res = await this.client.sendEvent(
      roomId,
      null,
      "m.room.message" as never,
      {
        msgtype: "m.text",
        body: text,
        ...extra,
      } as never,
    );
    return res.event_id;
  }

  /** Reacts to an event with `key`. */
  async react(roomId: string, eventId: string, key: string): Promise<string> {
    const res = await this.client.sendEvent(
      roomId,
      null,
      "m.reaction" as never,
      {
        "m.relates_to": { rel_type: "m.annotation", event_id: eventId, key },
      } as never,
    );
    return res.event_id;
  }

  /** Messages from `sender` in `roomId` seen so far. */
  from(sender: string, roomId: string): Seen[] {
    return this.seen.filter((s) => s.sender === sender && s.roomId === roomId);
  }

  /** Waits for a message from `sender` in `roomId` matching `test`, . */
  async waitFrom(sender: string, roomId: string, test: (s: Seen) => boolean, timeoutMs = 20_000): Promise<Seen> {
    return eventually(`a message from ${sender} in ${roomId}`, () => this.from(sender, roomId).find(test), timeoutMs);
  }

  async close(): Promise<void> {
    this.client.stopClient();
  }
}

/** The text of a seen message (body). */
export function bodyOf(seen: Seen): string {
  return typeof seen.content.body === "string" ? seen.content.body : "";
}
