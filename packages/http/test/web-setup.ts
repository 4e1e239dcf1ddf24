/**
 * A bot with people, roles and a slow command, served with the web view on: shared by the web-view tests (with and
 * without a browser).
 */
import { arg, defineCommand } from "@switchboard/core";
import { createHarness, type Harness } from "@switchboard/testing";
import { type HttpServer, httpConfigSchema, startHttpServer } from "../src/index.js";

export const WEB_KEY = "web-key-0123456789abcdef0123456789abcdef";
export const PUBLIC_URL = "https://bot.example.com";

/** A gate the `work` command waits at after its first progress line, until the test opens it. */
export class Gate {
  #open: (() => void) | undefined;
  #opened: Promise<void> = Promise.resolve();
  /** Makes the next `work` wait. */
  close(): void {
    this.#opened = new Promise((resolve) => {
      this.#open = resolve;
    });
  }
  open(): void {
    this.#open?.();
  }
  wait(): Promise<void> {
    return this.#opened;
  }
}

/** The running bot and server. */
export interface WebBot {
  h: Harness;
  server: HttpServer;
  gate: Gate;
  /** A link the bot gave, pointed at the test server instead of the public URL. */
  local(link: string): string;
  /** The link in the bot's answer to `line` said by `person` in a direct message. */
  linkFrom(person: string, line: string): Promise<string>;
  close(): Promise<void>;
}

/** `work <words…>`: says it started, waits at the gate, says each word on its own line, answers "done". */
function workCommand(gate: Gate) {
  return defineCommand({
    name: "work",
    summary: "a slow job for the web view tests",
    permission: "work:run",
    args: { words: arg.string({ positional: true, rest: true, required: true, description: "words to say" }) },
    handler: async ({ args, progress, reply }) => {
      await reply(`starting: ${args.words}`);
      await gate.wait();
      for (const word of args.words.split(" ")) progress(word);
      return "done";
    },
  });
}

/** A bot with alice (ops: reads everything, grants roles), bob (dev: runs work, reads jobs) and the web view on. */
export async function webBot(options: { web?: boolean } = {}): Promise<WebBot> {
  const gate = new Gate();
  const h = await createHarness({
    commands: [workCommand(gate)],
    policy: {
      roles: {
        ops: { permissions: ["*"] },
        dev: { permissions: ["work:run", "jobs:read"] },
        auditor: { permissions: ["audit:read"] },
      },
      rules: [
        {
          name: "second pair of eyes",
          command: "work",
          when: { args: { words: "approve-me" } },
          approval: { count: 1, permission: "work:approve" },
        },
      ],
      principals: {
        alice: { identities: { test: "alice" }, roles: ["ops"] },
        bob: { identities: { test: "bob" }, roles: ["dev"] },
      },
    },
  });
  const config = httpConfigSchema.parse({
    listen: "127.0.0.1:0",
    metrics: false,
    ...(options.web === false ? {} : { web: { key: WEB_KEY, publicUrl: `${PUBLIC_URL}/` } }),
  });
  const server = await startHttpServer({ bot: h.bot, config });
  const local = (link: string) => {
    if (!link.startsWith(`${PUBLIC_URL}/web/`)) throw new Error(`not a web-view link: ${link}`);
    return `${server.url}${link.slice(PUBLIC_URL.length)}`;
  };
  return {
    h,
    server,
    gate,
    local,
    async linkFrom(person, line) {
      const { text } = await h.as(person, { direct: true }).say(line);
      const link = /https?:\/\/\S+/.exec(text)?.[0];
      if (!link) throw new Error(`no link in the answer to ${line}: ${text}`);
      return link;
    },
    async close() {
      gate.open();
      await server.close();
      await h.close();
    },
  };
}
