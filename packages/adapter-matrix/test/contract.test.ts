import { bodyOf, Homeserver, TestUser } from "@switchboard/test-servers";
import { type ContractDriver, runAdapterContract } from "@switchboard/testing";
import { MatrixAdapter } from "../src/index.js";
import { dataDir } from "./rig.js";

/**
 * The adapter contract against a real Synapse: a plain room shared by the tester and the bot, and a direct room
 * for "no room" messages. The driver reads the bodies of the bot's messages (the plain-text fallback).
 */
runAdapterContract(
  "matrix",
  async () => {
    const hs = await Homeserver.start();
    const botId = await hs.register("bot", "bot-password");
    const tester = await TestUser.create(hs, "tester");
    const adapter = new MatrixAdapter({
      homeserver: hs.url,
      userId: botId,
      password: "bot-password",
      dataDir: dataDir(),
      invites: { users: [tester.userId] },
    });
    const rooms = new Map<string, string>();
    const offsets = new Map<string, number>();
    const roomFor = (room?: string) => (room ? room : rooms.get("direct")!);
    const driver: ContractDriver = {
      async say(user, text, room) {
        if (user !== "tester") throw new Error(`unknown user ${user}`);
        await tester.say(roomFor(room), text);
      },
      async waitFor(user, match, room, timeoutMs = 20_000) {
        const roomId = roomFor(room);
        const key = `${user}\u0000${roomId}`;
        const from = offsets.get(key) ?? 0;
        const started = Date.now();
        for (;;) {
          const seen = tester.from(botId, roomId);
          const text = seen.slice(from).map(bodyOf).join("\n");
          if (match.test(text)) {
            offsets.set(key, seen.length);
            return text;
          }
          if (Date.now() - started > timeoutMs) throw new Error(`timed out waiting for ${match}; saw:\n${text}`);
          await new Promise((r) => setTimeout(r, 20));
        }
      },
      async close() {
        await tester.close();
        await hs.close();
      },
    };
    // The bot must be running before it can accept the invites: create the rooms once it started.
    const originalStart = adapter.start.bind(adapter);
    adapter.start = async (host) => {
      await originalStart(host);
      rooms.set("shared", await tester.createRoom([botId]));
      rooms.set("direct", await tester.createRoom([botId], { direct: true }));
    };
    const setup = { adapter, driver, room: "", verifiedUser: { name: "tester", id: tester.userId } };
    Object.defineProperty(setup, "room", { get: () => rooms.get("shared") });
    return setup;
  },
  { unverifiedUsers: false },
);
