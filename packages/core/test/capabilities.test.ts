/**
 * Capability flags are the only way core learns what an adapter can do: a flag without its method is refused when
 * the adapter is added, and a method without its flag is never called (`leave`, direct messages, `trust reset`).
 */
import { describe, expect, it } from "vitest";
import {
  type Adapter,
  type AdapterCapabilities,
  createBot,
  type IncomingMessage,
  MemoryAuditLog,
  renderText,
  silentLogger,
} from "../src/index.js";

const policy = {
  roles: { admin: { permissions: ["*"] } },
  principals: { alice: { roles: ["admin"], identities: { chat: "@alice" } } },
};

/** An adapter with every optional method, recording which were called, and the flags it is given. */
function adapterWith(capabilities: AdapterCapabilities, called: string[]): Adapter {
  return {
    network: "chat",
    capabilities,
    start: async () => {},
    stop: async () => {},
    send: async () => {},
    sendDirect: async () => void called.push("sendDirect"),
    leave: async () => void called.push("leave"),
    resetTrust: async (userId) => {
      called.push("resetTrust");
      return { identity: `key-of-${userId}`, changed: true };
    },
  };
}

function message(text: string): IncomingMessage {
  return {
    id: text,
    network: "chat",
    room: { id: "#ops", direct: false },
    sender: { id: "@alice", name: "alice", verified: true },
    text,
    time: new Date(),
  };
}

async function say(adapter: Adapter, text: string): Promise<string> {
  const bot = createBot({ logger: silentLogger(), policy, auditLog: new MemoryAuditLog(), adapters: [adapter] });
  const replies: string[] = [];
  await bot.handle(message(text), { respond: (m) => void replies.push(renderText(m.blocks)) });
  await bot.idle();
  return replies.join("\n");
}

describe("adapter capabilities", () => {
  it("refuses an adapter whose flags claim a method it does not have", () => {
    const claims: Adapter = {
      network: "chat",
      capabilities: { leave: true, trustReset: true },
      start: async () => {},
      stop: async () => {},
      send: async () => {},
    };
    expect(() =>
      createBot({ logger: silentLogger(), policy, auditLog: new MemoryAuditLog(), adapters: [claims] }),
    ).toThrow(/"chat" claims capabilities it has no method for: leave \(leave\), trustReset \(resetTrust\)/);
  });

  it("never calls a method whose flag is off, and calls it when the flag is on", async () => {
    const called: string[] = [];
    expect(await say(adapterWith({}, called), "!leave")).toMatch(/cannot leave|can't leave|not able|cannot/i);
    expect(await say(adapterWith({}, called), "!trust reset @bob")).not.toMatch(/key-of/);
    expect(called).toEqual([]);
    await say(adapterWith({ leave: true, trustReset: true }, called), "!leave");
    await say(adapterWith({ leave: true, trustReset: true }, called), "!trust reset @bob");
    expect(called).toEqual(["leave", "resetTrust"]);
  });
});
