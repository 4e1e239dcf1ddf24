/**
 * A TCP proxy on loopback (node:net) between a client and a server, that a test can cut: for partitions such as "the
 * leader is cut off from PostgreSQL, not from chat". A cut holds everything in flight without closing anything, as a
 * network partition does (TCP keeps retrying; nothing is lost, nothing arrives), and new connections hang; a heal
 * lets the held bytes through. {@link TcpProxy.reset} instead ends every connection at once (a peer that went away).
 * @module
 */
import { createConnection, createServer, type Server, type Socket } from "node:net";

/** One proxied connection: the client's side, the server's side, and the bytes held by a cut (in order). */
interface Pipe {
  client: Socket;
  server: Socket | undefined;
  held: Array<{ to: "client" | "server"; chunk: Buffer }>;
}

/** A cuttable TCP proxy from a free loopback port to `127.0.0.1:<target>`. */
export class TcpProxy {
  /** Connections accepted so far. */
  connections = 0;
  readonly #server: Server;
  readonly #pipes = new Set<Pipe>();
  /** Connections accepted during a cut: connected upstream on heal. */
  readonly #held: Pipe[] = [];
  #cut = false;

  private constructor(
    readonly port: number,
    readonly target: number,
    server: Server,
  ) {
    this.#server = server;
    server.on("connection", (client) => this.#accept(client));
  }

  /** Starts a proxy to 127.0.0.1:`target` on a free loopback port. */
  static async start(target: number): Promise<TcpProxy> {
    const server = createServer({ pauseOnConnect: true });
    await new Promise<void>((resolve, reject) => {
      server.once("error", reject);
      server.listen(0, "127.0.0.1", () => resolve());
    });
    const address = server.address();
    if (!address || typeof address !== "object") throw new Error("the proxy has no address");
    return new TcpProxy(address.port, target, server);
  }

  /** Whether the proxy is cut now. */
  get isCut(): boolean {
    return this.#cut;
  }

  /** Open connections (both sides alive). */
  get open(): number {
    return this.#pipes.size;
  }

  /** A partition: from now on no byte gets through either way and new connections hang; nothing is closed. */
  cut(): void {
    this.#cut = true;
  }

  /** Ends the partition: the held bytes are delivered (in order), the held connections are made. */
  heal(): void {
    this.#cut = false;
    for (const pipe of this.#pipes)
      for (const { to, chunk } of pipe.held.splice(0)) (to === "client" ? pipe.client : pipe.server)?.write(chunk);
    for (const pipe of this.#held.splice(0)) this.#connect(pipe);
  }

  /** Ends every connection now (both sides), as a peer that went away; new ones are still accepted (unless cut). */
  reset(): void {
    for (const pipe of this.#pipes) {
      pipe.client.destroy();
      pipe.server?.destroy();
    }
    this.#pipes.clear();
  }

  async close(): Promise<void> {
    this.reset();
    for (const pipe of this.#held.splice(0)) pipe.client.destroy();
    await new Promise<void>((resolve) => this.#server.close(() => resolve()));
  }

  #accept(client: Socket): void {
    this.connections += 1;
    const pipe: Pipe = { client, server: undefined, held: [] };
    this.#pipes.add(pipe);
    const end = () => {
      this.#pipes.delete(pipe);
      client.destroy();
      pipe.server?.destroy();
    };
    client.on("error", end);
    client.on("close", end);
    if (this.#cut) this.#held.push(pipe);
    else this.#connect(pipe);
  }

  #connect(pipe: Pipe): void {
    if (pipe.client.destroyed) return;
    const server = createConnection({ host: "127.0.0.1", port: this.target });
    pipe.server = server;
    const end = () => {
      this.#pipes.delete(pipe);
      pipe.client.destroy();
      server.destroy();
    };
    server.on("error", end);
    server.on("close", end);
    server.once("connect", () => {
      const forward = (to: "client" | "server", target: Socket) => (chunk: Buffer) => {
        if (this.#cut) pipe.held.push({ to, chunk });
        else target.write(chunk);
      };
      pipe.client.on("data", forward("server", server));
      server.on("data", forward("client", pipe.client));
      pipe.client.resume();
    });
  }
}
