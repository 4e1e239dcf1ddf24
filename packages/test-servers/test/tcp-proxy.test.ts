import { createConnection, createServer, type Server, type Socket } from "node:net";
import { afterEach, describe, expect, it } from "vitest";
import { TcpProxy } from "../src/tcp-proxy.js";
import { eventually } from "../src/wait.js";

/** An echo server on a free loopback port. */
async function echoServer(): Promise<{ server: Server; port: number }> {
  const server = createServer((socket) => socket.pipe(socket));
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return { server, port: (server.address() as { port: number }).port };
}

/** A client that records what it receives and whether it was closed. */
async function client(port: number): Promise<{ socket: Socket; received: () => string; closed: () => boolean }> {
  const socket = createConnection({ host: "127.0.0.1", port });
  let text = "";
  let closed = false;
  socket.on("data", (chunk: Buffer) => {
    text += chunk.toString();
  });
  socket.on("error", () => {});
  socket.on("close", () => {
    closed = true;
  });
  return { socket, received: () => text, closed: () => closed };
}

const cleanups: Array<() => unknown> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

describe("TcpProxy", () => {
  it("forwards both ways; a cut holds every byte without closing anything, and a heal delivers them in order", async () => {
    const echo = await echoServer();
    cleanups.push(() => new Promise((resolve) => echo.server.close(resolve)));
    const proxy = await TcpProxy.start(echo.port);
    cleanups.push(() => proxy.close());
    const c = await client(proxy.port);
    cleanups.push(() => c.socket.destroy());
    c.socket.write("one ");
    await eventually("the echo through the proxy", () => c.received() === "one ");

    proxy.cut();
    c.socket.write("two ");
    c.socket.write("three");
    // A connection made during the cut hangs: nothing comes back on it either.
    const late = await client(proxy.port);
    cleanups.push(() => late.socket.destroy());
    late.socket.write("late");
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(c.received()).toBe("one ");
    expect(late.received()).toBe("");
    expect(c.closed() || late.closed()).toBe(false);

    proxy.heal();
    await eventually("the held bytes", () => c.received() === "one two three");
    await eventually("the held connection", () => late.received() === "late");
  });

  it("reset ends every connection, and new ones are accepted", async () => {
    const echo = await echoServer();
    cleanups.push(() => new Promise((resolve) => echo.server.close(resolve)));
    const proxy = await TcpProxy.start(echo.port);
    cleanups.push(() => proxy.close());
    const c = await client(proxy.port);
    c.socket.write("x");
    await eventually("the echo", () => c.received() === "x");
    proxy.reset();
    await eventually("the client's connection to close", () => c.closed());
    const again = await client(proxy.port);
    cleanups.push(() => again.socket.destroy());
    again.socket.write("y");
    await eventually("the echo on a new connection", () => again.received() === "y");
  });
});
