/**
 * A TCP relay between the bot and a real IRC server that can hold either direction: bot → server (the bot's
 * WHO waits, as on a slow or lagged link, while people act on the server) and server → bot (a bouncer that buffers
 * what the server sent while its client was away and plays it back later, with the server's own `time` tags).
 * Bytes are never changed, only delayed.
 */
import { createConnection, createServer, type Server, type Socket } from "node:net";

interface Pipe {
  bot: Socket;
  server: Socket;
}

/** One direction of every relayed connection. */
class Valve {
  #held = false;
  readonly #waiting: Array<{ to: Socket; chunk: Buffer }> = [];
  /** Everything that passed or waits, as text (for tests that wait for a line). */
  seen = "";

  pass(to: Socket, chunk: Buffer): void {
    this.seen += chunk.toString("utf8");
    if (this.#held) this.#waiting.push({ to, chunk });
    else to.write(chunk);
  }

  hold(): void {
    this.#held = true;
  }

  /** What is held back now, as text. */
  get held(): string {
    return Buffer.concat(this.#waiting.map((w) => w.chunk)).toString("utf8");
  }

  release(): void {
    this.#held = false;
    for (const { to, chunk } of this.#waiting.splice(0)) if (!to.destroyed) to.write(chunk);
  }
}

/** A relay on a free loopback port to 127.0.0.1:`serverPort`. */
export class HeldLink {
  /** Bot → server. */
  readonly toServer = new Valve();
  /** Server → bot. */
  readonly toBot = new Valve();
  readonly #pipes = new Set<Pipe>();

  private constructor(
    private readonly listener: Server,
    readonly port: number,
  ) {}

  static async start(serverPort: number): Promise<HeldLink> {
    let link: HeldLink | undefined;
    const listener = createServer((bot) => {
      const server = createConnection(serverPort, "127.0.0.1");
      const pipe = { bot, server };
      link!.#pipes.add(pipe);
      bot.on("data", (chunk: Buffer) => link!.toServer.pass(server, chunk));
      server.on("data", (chunk: Buffer) => link!.toBot.pass(bot, chunk));
      const close = () => {
        link!.#pipes.delete(pipe);
        bot.destroy();
        server.destroy();
      };
      bot.on("close", close).on("error", close);
      server.on("close", close).on("error", close);
    });
    await new Promise<void>((resolve) => listener.listen(0, "127.0.0.1", resolve));
    const address = listener.address();
    link = new HeldLink(listener, typeof address === "object" && address ? address.port : 0);
    return link;
  }

  async close(): Promise<void> {
    for (const { bot, server } of this.#pipes) {
      bot.destroy();
      server.destroy();
    }
    await new Promise<void>((resolve) => this.listener.close(() => resolve()));
  }
}
