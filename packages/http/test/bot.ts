/**
 * A real core bot on the testing kit's in-memory adapters (some able to edit, like Matrix or Slack), started, for
 * the HTTP endpoint to serve.
 */
import { type AnyPlugin, type Bot, createBot, renderText, silentLogger } from "@switchboard/core";
import { MemoryAdapter } from "@switchboard/testing";

/** The text of everything an adapter sent to `room` (edited messages show their newest content). */
export function sentText(adapter: MemoryAdapter, room: string): string[] {
  return adapter.sent.filter((s) => s.target.room.id === room).map((s) => renderText(s.message.blocks));
}

/** Options for {@link testBot}. */
export interface TestBotOptions {
  /** In-memory networks that cannot edit (like IRC). Default `["chat"]`. */
  networks?: string[];
  /** In-memory networks that can edit. */
  editing?: string[];
  plugins?: AnyPlugin[];
}

/** A started bot and its adapters. */
export interface TestBot {
  bot: Bot;
  adapter(network: string): MemoryAdapter;
  close(): Promise<void>;
}

/** A started bot with in-memory adapters. */
export async function testBot(options: TestBotOptions = {}): Promise<TestBot> {
  const adapters = new Map<string, MemoryAdapter>();
  for (const network of options.networks ?? ["chat"]) adapters.set(network, new MemoryAdapter(network));
  for (const network of options.editing ?? []) adapters.set(network, new MemoryAdapter(network, { edits: true }));
  const bot = createBot({ logger: silentLogger(), adapters: [...adapters.values()] });
  for (const plugin of options.plugins ?? []) bot.use(plugin);
  await bot.start();
  return {
    bot,
    adapter: (network) => adapters.get(network)!,
    close: () => bot.stop(),
  };
}
