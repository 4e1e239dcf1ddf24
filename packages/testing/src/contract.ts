import { type Adapter, arg, type Bot, createBot, defineCommand, out, silentLogger } from "@switchboard/core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

/** Drives a real network from the outside, as a person would. Each adapter package writes one. */
export interface ContractDriver {
  /** Makes `user` say `text` in `room` (or in a direct conversation with the bot when `room` is omitted). */
  say(user: string, text: string, room?: string): Promise<void>;
  /**
   * Waits until `user` sees a message from the bot matching `match` in `room` (or the direct conversation),
   * and returns the text seen since the last call for that user and room.
   */
  waitFor(user: string, match: RegExp, room?: string, timeoutMs?: number): Promise<string>;
  close(): Promise<void>;
}

/** What the contract suite needs from an adapter package. */
export interface ContractSetup {
  adapter: Adapter;
  driver: ContractDriver;
  /** A room the driver's users and the bot share. */
  room: string;
  /** A user the network verifies (services account, Matrix user id…) and its verified id as the adapter reports it. */
  verifiedUser: { name: string; id: string };
  /** A user the network does not verify, if the network has such users (IRC without services). */
  unverifiedUser?: string;
}

/**
 * The adapter contract: every adapter package runs this suite against itself with a real network behind it.
 * It checks addressing, replies in the same room and in direct conversations, verified identity, ordering of long
 * output, that every output block arrives as readable text, and a clean stop.
 */
export function runAdapterContract(
  name: string,
  setup: () => Promise<ContractSetup>,
  options: {
    /** Whether the network has senders it does not verify (IRC without a services account); they must be guests. */
    unverifiedUsers: boolean;
  },
): void {
  describe(`adapter contract: ${name}`, () => {
    let context: ContractSetup;
    let bot: Bot;

    beforeAll(async () => {
      context = await setup();
      const secret = defineCommand({
        name: "contract secret",
        summary: "needs a permission only the verified user holds",
        permission: "contract:secret",
        handler: () => "secret ok",
      });
      const lines = defineCommand({
        name: "contract lines",
        summary: "prints numbered lines",
        guests: true,
        args: { count: arg.number({ positional: true, required: true }) },
        handler: ({ args }) =>
          out.code(Array.from({ length: args.count }, (_, i) => `line ${i + 1} of ${args.count}`).join("\n")),
      });
      const blocks = defineCommand({
        name: "contract blocks",
        summary: "one of every block type",
        guests: true,
        handler: () => [
          out.text("text-block"),
          out.code("code-block"),
          out.table(["col-a", "col-b"], [["cell-a", "cell-b"]]),
          out.facts({ "fact-key": "fact-value" }),
          out.status("ok", "status-block"),
          out.image(new Uint8Array([137, 80, 78, 71]), "image-alt", { fallback: "▁▃▅▇" }),
          out.link("https://example.invalid/contract", "link-text"),
        ],
      });
      bot = createBot({
        logger: silentLogger(),
        adapters: [context.adapter],
        commands: [secret, lines, blocks],
        policy: {
          roles: { tester: { permissions: ["contract:*"] } },
          principals: {
            tester: { roles: ["tester"], identities: { [context.adapter.network]: context.verifiedUser.id } },
          },
        },
      });
      await bot.start();
    });

    afterAll(async () => {
      await bot?.stop();
      await context?.driver.close();
    });

    it("answers a prefixed command in a room, in that room", async () => {
      await context.driver.say(context.verifiedUser.name, "!ping", context.room);
      await context.driver.waitFor(context.verifiedUser.name, /pong/, context.room);
    });

    it("answers a command addressed by the bot's name", async () => {
      await context.driver.say(context.verifiedUser.name, `${bot.name}: ping`, context.room);
      await context.driver.waitFor(context.verifiedUser.name, /pong/, context.room);
    });

    it("treats every line of a direct conversation as a command", async () => {
      await context.driver.say(context.verifiedUser.name, "ping");
      await context.driver.waitFor(context.verifiedUser.name, /pong/);
    });

    it("suggests the right command for a typo", async () => {
      await context.driver.say(context.verifiedUser.name, "!pnig", context.room);
      const seen = await context.driver.waitFor(context.verifiedUser.name, /unknown command/, context.room);
      expect(seen).toMatch(/ping/);
    });

    it("reports the verified identity, which grants the principal's roles", async () => {
      await context.driver.say(context.verifiedUser.name, "!contract secret", context.room);
      await context.driver.waitFor(context.verifiedUser.name, /secret ok/, context.room);
    });

    if (options.unverifiedUsers) {
      it("treats an unverified sender as a guest", async () => {
        const user = context.unverifiedUser;
        if (!user) throw new Error(`${name}: the setup must name an unverifiedUser`);
        await context.driver.say(user, "!contract secret", context.room);
        const seen = await context.driver.waitFor(user, /denied/, context.room);
        expect(seen).toMatch(/guest/);
      });
    }

    it("renders every output block as readable text", async () => {
      await context.driver.say(context.verifiedUser.name, "!contract blocks", context.room);
      const seen = await context.driver.waitFor(context.verifiedUser.name, /link-text|example\.invalid/, context.room);
      for (const piece of ["text-block", "code-block", "cell-b", "fact-value", "status-block"]) {
        expect(seen).toContain(piece);
      }
      // An image shows as itself (with its alt text) where the network shows images, else as its text fallback.
      expect(seen.includes("image-alt") || seen.includes("▁▃▅▇")).toBe(true);
    });

    it("delivers long output completely and in order (in the room or, if capped, in private)", async () => {
      await context.driver.say(context.verifiedUser.name, "!contract lines 40");
      const seen = await context.driver.waitFor(context.verifiedUser.name, /line 40 of 40/, undefined, 30_000);
      const numbers = [...seen.matchAll(/line (\d+) of 40/g)].map((m) => Number(m[1]));
      expect(numbers).toEqual(Array.from({ length: 40 }, (_, i) => i + 1));
    });
  });
}
