/**
 * The testing kit's adapter contract, against inspircd with atheme-services: a user logged in to a services
 * account is verified, a user without one is a guest. The driver is two plain irc-framework clients.
 */
import { IrcUser, type ServicesServer, startInspircdWithServices, until } from "@switchboard/test-servers";
import { type ContractDriver, runAdapterContract } from "@switchboard/testing";
import { afterAll } from "vitest";
import { IrcAdapter } from "../src/index.js";

const BOT = "sbot";
const ROOM = "#contract";
let server: ServicesServer | undefined;

afterAll(async () => {
  await server?.stop();
});

runAdapterContract(
  "irc",
  async () => {
    server = await startInspircdWithServices({ relaxedFloodLimits: true });
    const port = server.port;
    const registrar = await IrcUser.connect({ port, nick: "tester" });
    await registrar.services("REGISTER tester-secret tester@example.org", /registered/i);
    await registrar.quit();
    const users = new Map<string, IrcUser>([
      [
        "tester",
        await IrcUser.connect({ port, nick: "tester", sasl: { account: "tester", password: "tester-secret" } }),
      ],
      ["visitor", await IrcUser.connect({ port, nick: "visitor" })],
    ]);
    for (const user of users.values()) await user.join(ROOM);
    const adapter = new IrcAdapter({
      host: "127.0.0.1",
      port,
      nick: BOT,
      channels: [ROOM],
      flood: { burst: 10, interval: 50 },
      // The contract shows one of every block (10 lines) in the room; the default cap (6) would move some to private.
      output: { channelLines: 12 },
    });
    /** How many of the bot's messages each user had seen in each place at the last waitFor. */
    const offsets = new Map<string, number>();
    const driver: ContractDriver = {
      async say(user, text, room) {
        users.get(user)!.say(room ?? BOT, text);
      },
      async waitFor(user, match, room, timeoutMs = 10_000) {
        const person = users.get(user)!;
        const where = room ?? user;
        const key = `${user}\u0000${where}`;
        const from = offsets.get(key) ?? 0;
        const fresh = () =>
          person
            .from(BOT, where)
            .slice(from)
            .map((r) => r.text)
            .join("\n");
        await until(() => match.test(fresh()), `${user} to see ${match} in ${where}; saw:\n${fresh()}`, timeoutMs);
        const text = fresh();
        offsets.set(key, person.from(BOT, where).length);
        return text;
      },
      async close() {
        await Promise.all([...users.values()].map((u) => u.quit()));
      },
    };
    return { adapter, driver, room: ROOM, verifiedUser: { name: "tester", id: "tester" }, unverifiedUser: "visitor" };
  },
  { unverifiedUsers: true },
);
