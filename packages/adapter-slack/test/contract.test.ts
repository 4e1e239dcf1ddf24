import { FakeSlack, SlackPeople } from "@switchboard/test-servers";
import { type ContractDriver, runAdapterContract } from "@switchboard/testing";
import { SlackAdapter } from "../src/index.js";
import { decode, fastOptions, ops, people } from "./rig.js";

/**
 * The adapter contract against the fake Slack, with the real Slack clients: "tester" is alice of the bot's own
 * workspace (verified), "stranger" is mallory from another organisation in a shared channel (a guest). The driver
 * reads what a person sees: each message's text (the plain fallback) and the titles of shared files.
 */
runAdapterContract(
  "slack",
  async () => {
    const slack = await FakeSlack.start();
    for (const user of Object.values(people)) slack.addUser(user);
    const who = new SlackPeople(slack);
    const users = { tester: people.alice, stranger: people.mallory };
    const directOf = (user: string) => `D${users[user as keyof typeof users].id}`;
    const offsets = new Map<string, number>();
    const driver: ContractDriver = {
      async say(user, text, room) {
        const person = users[user as keyof typeof users];
        if (!person) throw new Error(`unknown user ${user}`);
        await who.say(person, room ?? directOf(user), text);
      },
      async waitFor(user, match, room, timeoutMs = 20_000) {
        const channel = room ?? directOf(user);
        const key = `${user}\u0000${channel}`;
        const from = offsets.get(key) ?? 0;
        return slack.until(
          `${match} in ${channel}`,
          () => {
            const seen = slack.timeline.filter((t) => t.channel === channel);
            const text = seen
              .slice(from)
              .map((t) => decode(t.text))
              .join("\n");
            if (!match.test(text)) return undefined;
            offsets.set(key, seen.length);
            return text;
          },
          timeoutMs,
        );
      },
      async close() {
        await slack.close();
      },
    };
    return {
      adapter: new SlackAdapter(fastOptions(slack)),
      driver,
      room: ops,
      verifiedUser: { name: "tester", id: people.alice.id },
      unverifiedUser: "stranger",
    };
  },
  { unverifiedUsers: true },
);
