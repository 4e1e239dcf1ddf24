/**
 * A person on IRC who writes raw protocol lines: the tests choose their ident (USER) and can put several commands in
 * one write, which the irc-framework clients of `IrcUser` cannot.
 */
import { createConnection, type Socket } from "node:net";
import { until } from "@switchboard/test-servers";

export class RawIrc {
  /** Every line from the server, in order. */
  readonly lines: string[] = [];
  #partial = "";

  private constructor(
    private readonly socket: Socket,
    public nick: string,
  ) {
    socket.on("data", (chunk: Buffer) => {
      const text = this.#partial + chunk.toString("utf8");
      const parts = text.split("\r\n");
      this.#partial = parts.pop() ?? "";
      for (const line of parts) {
        this.lines.push(line);
        if (line.startsWith("PING ")) socket.write(`PONG ${line.slice(5)}\r\n`);
        const renamed = /^:([^!\s]+)!\S+ NICK :?(\S+)$/.exec(line);
        if (renamed && renamed[1]!.toLowerCase() === this.nick.toLowerCase()) this.nick = renamed[2]!;
      }
    });
  }

  /** Connects as `nick` with the ident `ident` and waits until registered. */
  static async connect(port: number, nick: string, ident: string): Promise<RawIrc> {
    const socket = createConnection(port, "127.0.0.1");
    const user = new RawIrc(socket, nick);
    socket.write(`NICK ${nick}\r\nUSER ${ident} 0 * :${ident}\r\n`);
    await user.waitLine(/^\S+ 001 /, `${nick} to register`);
    return user;
  }

  /** Sends lines in one write. */
  send(...lines: string[]): void {
    this.socket.write(lines.map((l) => `${l}\r\n`).join(""));
  }

  /** Waits for a line from the server matching `pattern` (received after line number `since`). */
  async waitLine(pattern: RegExp, what: string, since = 0, timeoutMs = 15_000): Promise<string> {
    let found: string | undefined;
    await until(
      () => {
        found = this.lines.slice(since).find((l) => pattern.test(l));
        return found !== undefined;
      },
      what,
      timeoutMs,
    );
    return found!;
  }

  async join(channel: string): Promise<void> {
    const since = this.lines.length;
    this.send(`JOIN ${channel}`);
    await this.waitLine(
      new RegExp(`^:${this.nick}!\\S+ JOIN :?${channel}`, "i"),
      `${this.nick} to join ${channel}`,
      since,
    );
  }

  async quit(): Promise<void> {
    if (this.socket.destroyed) return;
    const closed = new Promise<void>((resolve) => this.socket.once("close", () => resolve()));
    this.send("QUIT :bye");
    await Promise.race([closed, new Promise((resolve) => setTimeout(resolve, 2000))]);
    this.socket.destroy();
  }
}
