/**
 * A real HAProxy (the Debian package) for the tests: small local HTTP "front ends" on free ports, an HAProxy in front
 * of them with HTTP health checks, and its runtime API on a unix socket (admin level), optionally on TCP too. The
 * test reads HAProxy's own answers through {@link HaproxyServer.command}, a raw socket independent of the plugin's
 * client. A missing binary fails the test with the command that provisions it.
 * @module
 */
import { type ChildProcess, spawn } from "node:child_process";
import { mkdtempSync, openSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { createServer, type Server } from "node:http";
import { createConnection } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { freePort, requireBinary, until } from "./wait.js";

const running = new Set<ChildProcess>();
process.once("exit", () => {
  for (const child of running) child.kill("SIGKILL");
});

/** A local HTTP server standing for one front end behind HAProxy. */
export class FrontEnd {
  /** Answers 503 to health checks while false (HAProxy then marks it DOWN). */
  healthy = true;
  /** Requests served (not counting health checks). */
  served = 0;
  readonly #server: Server;

  private constructor(
    readonly name: string,
    readonly port: number,
    server: Server,
  ) {
    this.#server = server;
  }

  /** Starts one on a free loopback port. `holdMs`: how long each request is held open (to keep sessions current). */
  static async start(name: string, holdMs = 0): Promise<FrontEnd> {
    const port = await freePort();
    let self: FrontEnd | undefined;
    const server = createServer((request, response) => {
      if (request.url === "/health") {
        response.writeHead(self?.healthy ? 200 : 503).end(self?.healthy ? "ok\n" : "unhealthy\n");
        return;
      }
      if (self) self.served++;
      const answer = () => response.writeHead(200, { "content-type": "text/plain" }).end(`${name}\n`);
      if (holdMs > 0) setTimeout(answer, holdMs);
      else answer();
    });
    await new Promise<void>((resolve, reject) => {
      server.once("error", reject);
      server.listen(port, "127.0.0.1", () => resolve());
    });
    self = new FrontEnd(name, port, server);
    return self;
  }

  stop(): Promise<void> {
    return new Promise((resolve) => {
      this.#server.closeAllConnections();
      this.#server.close(() => resolve());
    });
  }
}

/** One backend of the test HAProxy. */
export interface BackendSpec {
  /** Server names, in order (each gets its own front end). */
  servers: string[];
  /** How long each front end holds a request before answering (for current sessions). */
  holdMs?: number;
  /** `balance` setting (default roundrobin, which takes runtime weights). */
  balance?: string;
}

/** Options for {@link HaproxyServer.start}. */
export interface HaproxyOptions {
  backends: Record<string, BackendSpec>;
  /** Also serve the runtime API on a TCP port on 127.0.0.1 (admin level). */
  tcp?: boolean;
}

/** Sends one command to a runtime API socket (unix path or TCP port) and resolves with the whole answer. */
export function runtimeCommand(target: string | number, command: string, timeoutMs = 5000): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket =
      typeof target === "number" ? createConnection({ host: "127.0.0.1", port: target }) : createConnection(target);
    let answer = "";
    socket.setEncoding("utf8");
    socket.setTimeout(timeoutMs, () => socket.destroy(new Error(`no answer to "${command}" within ${timeoutMs} ms`)));
    socket.on("data", (chunk: string) => {
      answer += chunk;
    });
    socket.once("error", reject);
    socket.once("close", () => resolve(answer));
    socket.once("connect", () => socket.write(`${command}\n`));
  });
}

/** One row of `show stat` as HAProxy reports it (every column by its header name). */
export type StatRow = Record<string, string>;

/** Parses `show stat` CSV (the header line starts with `# `). */
export function parseShowStat(text: string): StatRow[] {
  const lines = text.split("\n").filter((line) => line.length > 0);
  const header = lines.shift()?.replace(/^# /, "").split(",") ?? [];
  return lines.map((line) => {
    const cells = line.split(",");
    return Object.fromEntries(header.map((name, i) => [name, cells[i] ?? ""]));
  });
}

/** A running HAProxy with its front ends, in a temporary folder. */
export class HaproxyServer {
  private constructor(
    readonly dir: string,
    /** The runtime API's unix socket (admin level). */
    readonly socket: string,
    /** The runtime API's TCP port on 127.0.0.1, when asked for. */
    readonly tcpPort: number | undefined,
    /** backend → the port HAProxy listens on for it. */
    readonly listenPorts: Record<string, number>,
    /** server name → its front end (names are unique across backends). */
    readonly frontEnds: Record<string, FrontEnd>,
    private readonly child: ChildProcess,
  ) {}

  /** Starts the front ends and HAProxy; resolves once every server is UP. */
  static async start(options: HaproxyOptions): Promise<HaproxyServer> {
    const binary = requireBinary("haproxy");
    const dir = mkdtempSync(join(tmpdir(), "switchboard-haproxy-"));
    const socket = join(dir, "admin.sock");
    const tcpPort = options.tcp ? await freePort() : undefined;
    const frontEnds: Record<string, FrontEnd> = {};
    const listenPorts: Record<string, number> = {};
    const lines = [
      "global",
      `  stats socket ${socket} mode 600 level admin`,
      ...(tcpPort ? [`  stats socket ipv4@127.0.0.1:${tcpPort} level admin`] : []),
      `  pidfile ${join(dir, "haproxy.pid")}`,
      "defaults",
      "  mode http",
      "  timeout connect 2s",
      "  timeout client 30s",
      "  timeout server 30s",
      // Checks run every 100 ms; without this their whole time limit would be those 100 ms (flaky on a busy machine).
      "  timeout check 2s",
    ];
    for (const [backend, spec] of Object.entries(options.backends)) {
      const port = await freePort();
      listenPorts[backend] = port;
      lines.push(`frontend in_${backend}`, `  bind 127.0.0.1:${port}`, `  default_backend ${backend}`);
      lines.push(`backend ${backend}`, `  balance ${spec.balance ?? "roundrobin"}`, "  option httpchk GET /health");
      for (const server of spec.servers) {
        const fe = await FrontEnd.start(server, spec.holdMs);
        frontEnds[server] = fe;
        lines.push(`  server ${server} 127.0.0.1:${fe.port} check inter 100ms fall 2 rise 1`);
      }
    }
    writeFileSync(join(dir, "haproxy.cfg"), `${lines.join("\n")}\n`);
    const log = openSync(join(dir, "haproxy.log"), "a");
    const child = spawn(binary, ["-db", "-f", join(dir, "haproxy.cfg")], { cwd: dir, stdio: ["ignore", log, log] });
    running.add(child);
    const server = new HaproxyServer(dir, socket, tcpPort, listenPorts, frontEnds, child);
    const exited = new Promise<never>((_, reject) =>
      child.once("exit", (code) =>
        reject(new Error(`haproxy exited (${code}) at start: ${readFileSync(join(dir, "haproxy.log"), "utf8")}`)),
      ),
    );
    exited.catch(() => {});
    await Promise.race([server.#allUp(), exited]);
    return server;
  }

  async #allUp(): Promise<void> {
    await until(
      async () => {
        const rows = await this.stat().catch(() => []);
        const servers = rows.filter((r) => r.svname !== "FRONTEND" && r.svname !== "BACKEND");
        return servers.length > 0 && servers.every((r) => r.status === "UP");
      },
      "every HAProxy server UP",
      15_000,
    );
  }

  /** One runtime API command over the unix socket, HAProxy's answer as text. */
  command(command: string): Promise<string> {
    return runtimeCommand(this.socket, command);
  }

  /** `show stat`, parsed. */
  async stat(): Promise<StatRow[]> {
    return parseShowStat(await this.command("show stat"));
  }

  /** The `show stat` row of one server. */
  async server(backend: string, server: string): Promise<StatRow> {
    const row = (await this.stat()).find((r) => r.pxname === backend && r.svname === server);
    if (!row) throw new Error(`HAProxy has no server ${backend}/${server}`);
    return row;
  }

  /** The URL HAProxy serves a backend on. */
  url(backend: string): string {
    return `http://127.0.0.1:${this.listenPorts[backend]}/`;
  }

  /** Stops HAProxy and the front ends and removes the folder. */
  async stop(): Promise<void> {
    const child = this.child;
    if (child.exitCode === null && child.signalCode === null) {
      const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
      child.kill("SIGTERM");
      const killer = setTimeout(() => child.kill("SIGKILL"), 5000);
      await exited;
      clearTimeout(killer);
    }
    running.delete(child);
    await Promise.all(Object.values(this.frontEnds).map((fe) => fe.stop()));
    rmSync(this.dir, { recursive: true, force: true });
  }
}
