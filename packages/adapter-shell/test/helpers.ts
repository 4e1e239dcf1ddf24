import { PassThrough } from "node:stream";
import { type AnyCommand, type Bot, createBot, type PolicyConfigInput, silentLogger } from "@switchboard/core";
import { ShellAdapter } from "../src/index.js";
import type { ShellAdapterOptions } from "../src/shell-adapter.js";

/** A shell adapter on in-memory streams, wired to a real core bot. */
export interface ShellSession {
  adapter: ShellAdapter;
  bot: Bot;
  input: PassThrough;
  /** Everything written to the output so far. */
  output(): string;
  /** Waits until the output matches (rejects after `timeoutMs`). */
  waitFor(match: RegExp, timeoutMs?: number): Promise<string>;
}

export const policy: PolicyConfigInput = {
  roles: { owner: { permissions: ["*"] } },
  principals: { alice: { roles: ["owner"], identities: { shell: "alice" } } },
};

export async function startSession(
  options: ShellAdapterOptions = {},
  commands: AnyCommand[] = [],
): Promise<ShellSession> {
  const input = new PassThrough();
  const out = new PassThrough();
  let text = "";
  out.on("data", (chunk: Buffer) => {
    text += chunk.toString("utf8");
  });
  const adapter = new ShellAdapter({ input, output: out, user: "alice", historyFile: false, ...options });
  const bot = createBot({ logger: silentLogger(), adapters: [adapter], policy, commands });
  await bot.start();
  return {
    adapter,
    bot,
    input,
    output: () => text,
    waitFor: (match, timeoutMs = 5000) =>
      new Promise((resolve, reject) => {
        const started = Date.now();
        const poll = () => {
          if (match.test(text)) resolve(text);
          else if (Date.now() - started > timeoutMs)
            reject(new Error(`timed out waiting for ${match}; output:\n${text}`));
          else setTimeout(poll, 5);
        };
        poll();
      }),
  };
}

/** Feeds lines, ends the input, and waits until the adapter has handled everything. */
export async function runLines(session: ShellSession, lines: string[]): Promise<string> {
  session.input.end(`${lines.join("\n")}\n`);
  await session.adapter.ended;
  await session.bot.idle();
  await session.bot.stop();
  return session.output();
}
