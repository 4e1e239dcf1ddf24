/**
 * A peer on the runtime API socket that is not a well-behaved HAProxy: it answers something that is not `show stat`,
 * never finishes, or answers without end. The client gives up with a clear error and the commands say which
 * instance failed; nothing is shown as a server.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { createServer, type Server, type Socket } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Harness } from "@switchboard/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Haproxy, RuntimeApi } from "../src/index.js";
import { lbHarness } from "./helpers.js";

const dir = mkdtempSync(join(tmpdir(), "switchboard-lb-hostile-"));
const servers: Server[] = [];
const open = new Set<Socket>();

/** A unix socket server answering each connection with `behave`. */
async function peer(name: string, behave: (socket: Socket) => void): Promise<string> {
  const path = join(dir, `${name}.sock`);
  const server = createServer((socket) => {
    open.add(socket);
    socket.on("close", () => open.delete(socket));
    socket.once("data", () => behave(socket));
  });
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(path, () => resolve()));
  return path;
}

let garbage: string;
let silent: string;
let endless: string;
let h: Harness;

beforeAll(async () => {
  garbage = await peer("garbage", (s) => s.end("Unknown command. Please enter one of the following commands only :\n"));
  silent = await peer("silent", () => undefined);
  endless = await peer("endless", (s) => {
    const chunk = Buffer.alloc(64 * 1024, "x");
    const pump = () => {
      while (!s.destroyed && s.write(chunk));
      if (!s.destroyed) s.once("drain", pump);
    };
    pump();
  });
  h = await lbHarness({ main: { garbage, silent } }, { config: { timeout: "300ms" } });
});
afterAll(async () => {
  await h?.close();
  for (const socket of open) socket.destroy();
  await Promise.all(servers.map((s) => new Promise((resolve) => s.close(resolve))));
  rmSync(dir, { recursive: true, force: true });
});

describe("a hostile or broken peer on the runtime API", () => {
  it("an answer that is not show stat, and no answer at all, are named per instance", async () => {
    const { text } = await h.as("alice").say("!lb status web");
    expect(text).toMatch(/no HAProxy instance of main answered: /);
    expect(text).toMatch(/garbage: not a show stat answer: Unknown command/);
    expect(text).toMatch(/silent: no answer from .*silent\.sock within 300 ms/);
    expect((await h.as("alice").say("!lb disable web/fe1")).text).toMatch(/no HAProxy instance of main answered/);
  });

  it("an answer without end is cut off at the limit", async () => {
    const api = new Haproxy("endless", new RuntimeApi({ kind: "unix", path: endless }, 10_000, 1024 * 1024));
    await expect(api.servers()).rejects.toThrow(/answer larger than 1048576 bytes/);
  });
});
