/**
 * A small client for HAProxy's runtime API (the `stats socket`), written against its documented syntax
 * (management guide, "Unix Socket commands"): one command per connection in non-interactive mode — the client writes
 * the command line and a newline, HAProxy answers and closes the connection. A command is built from words that are
 * each checked here, so no word can carry a newline, a `;` (HAProxy's command separator) or a space.
 * @module
 */
import { createConnection, type Socket } from "node:net";
import { isAbsolute, resolve } from "node:path";

/** Where an instance's runtime API listens. */
export type Endpoint = { kind: "unix"; path: string } | { kind: "tcp"; host: string; port: number };

/** A word of a runtime API command: no whitespace, no control characters, no `;`, no `#`, no quotes or backslash. */
const WORD = /^[A-Za-z0-9._/%:-]+$/;

/** Reads `unix:/path`, `/path`, `./path` or `host:port` (`tcp://host:port`, `[::1]:9999`). */
export function parseEndpoint(text: string, cwd = process.cwd()): Endpoint {
  const value = text.trim();
  if (value.startsWith("unix:")) return { kind: "unix", path: resolve(cwd, value.slice(5)) };
  if (isAbsolute(value) || value.startsWith(".")) return { kind: "unix", path: resolve(cwd, value) };
  const tcp = /^(?:tcp:\/\/)?(\[[0-9a-fA-F:.]+\]|[A-Za-z0-9.-]+):(\d{1,5})$/.exec(value);
  if (!tcp) throw new Error(`"${value}" is not a unix socket path (/run/haproxy.sock) or host:port`);
  const port = Number(tcp[2]);
  if (port < 1 || port > 65535) throw new Error(`"${value}": port ${port} is out of range`);
  return { kind: "tcp", host: tcp[1]!.replace(/^\[|\]$/g, ""), port };
}

/** How an endpoint is shown. */
export function describeEndpoint(endpoint: Endpoint): string {
  return endpoint.kind === "unix" ? endpoint.path : `${endpoint.host}:${endpoint.port}`;
}

/** The runtime API of one HAProxy instance. */
export class RuntimeApi {
  constructor(
    readonly endpoint: Endpoint,
    private readonly timeoutMs: number,
    /** Answers larger than this are cut off (a hostile or confused peer cannot fill the bot's memory). */
    private readonly maxAnswerBytes = 8 * 1024 * 1024,
  ) {}

  /**
   * Sends one command made of `words` and resolves with HAProxy's whole answer. Throws before connecting when a
   * word could change what the line means.
   */
  async run(words: string[], signal?: AbortSignal): Promise<string> {
    for (const word of words)
      if (!WORD.test(word)) throw new Error(`refused to send ${JSON.stringify(word)} to HAProxy: not a plain word`);
    const line = `${words.join(" ")}\n`;
    return new Promise<string>((done, fail) => {
      const { endpoint } = this;
      const socket: Socket =
        endpoint.kind === "unix"
          ? createConnection(endpoint.path)
          : createConnection({ host: endpoint.host, port: endpoint.port });
      const chunks: Buffer[] = [];
      let size = 0;
      const onAbort = () => socket.destroy(new Error("cancelled"));
      signal?.addEventListener("abort", onAbort, { once: true });
      socket.setTimeout(this.timeoutMs, () =>
        socket.destroy(new Error(`no answer from ${describeEndpoint(endpoint)} within ${this.timeoutMs} ms`)),
      );
      socket.on("data", (chunk: Buffer) => {
        size += chunk.length;
        if (size > this.maxAnswerBytes) socket.destroy(new Error(`answer larger than ${this.maxAnswerBytes} bytes`));
        else chunks.push(chunk);
      });
      socket.once("error", (error) => {
        signal?.removeEventListener("abort", onAbort);
        fail(error);
      });
      socket.once("close", (hadError) => {
        signal?.removeEventListener("abort", onAbort);
        if (!hadError) done(Buffer.concat(chunks).toString("utf8"));
      });
      socket.once("connect", () => socket.write(line));
    });
  }
}
