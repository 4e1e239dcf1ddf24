/**
 * `trust reset <user>` in core: needs `trust:reset`, is never for your own identity (whoever has your password could
 * have made the new one), resolves a principal to their identity on the network, asks the network's adapter, and
 * writes a `trust` audit entry; on a network whose adapter keeps no identities it says so.
 */
import { describe, expect, it } from "vitest";
import {
  type Adapter,
  createBot,
  type IncomingMessage,
  MemoryAuditLog,
  renderText,
  silentLogger,
} from "../src/index.js";

const policy = {
  roles: { trustee: { permissions: ["trust:reset"] }, member: { permissions: ["ping"] } },
  principals: {
    alice: { roles: ["trustee"], identities: { chat: "@alice:hs" } },
    bob: { roles: ["trustee"], identities: { chat: "@bob:hs", plain: "bob" } },
    carol: { roles: ["member"], identities: { chat: "@carol:hs" } },
  },
};

/** An adapter that keeps identities (as the Matrix adapter does): records whose it was asked to accept. */
function identityAdapter(network: string, accepted: string[]): Adapter {
  return {
    network,
    capabilities: {},
    start: async () => {},
    stop: async () => {},
    send: async () => {},
    resetTrust: async (userId) => {
      accepted.push(userId);
      return { identity: `key-of-${userId}`, changed: true };
    },
  };
}

function message(network: string, sender: string, text: string): IncomingMessage {
  return {
    id: `${sender}-${text}`,
    network,
    room: { id: "!room", direct: false },
    sender: { id: sender, name: sender, verified: true },
    text,
    time: new Date(),
  };
}

async function setup(adapters: Adapter[]) {
  const auditLog = new MemoryAuditLog();
  const bot = createBot({ logger: silentLogger(), policy, auditLog, adapters });
  const say = async (network: string, sender: string, text: string) => {
    const replies: string[] = [];
    await bot.handle(message(network, sender, text), { respond: (m) => void replies.push(renderText(m.blocks)) });
    await bot.idle();
    return replies.join("\n");
  };
  return { bot, auditLog, say };
}

describe("trust reset", () => {
  it("accepts another person's identity, by principal or by id, audited with who and which key", async () => {
    const accepted: string[] = [];
    const { auditLog, say } = await setup([identityAdapter("chat", accepted)]);
    expect(await say("chat", "@bob:hs", "!trust reset alice")).toBe(
      "✔ @alice:hs's identity key-of-@alice:hs is accepted now; their devices signed by it count as verified",
    );
    expect(await say("chat", "@alice:hs", "!trust reset @carol:hs")).toContain("@carol:hs's identity");
    expect(accepted).toEqual(["@alice:hs", "@carol:hs"]);
    const entries = (await auditLog.query({ event: "trust" })).reverse(); // newest first
    expect(entries.map((e) => [e.actor, e.network, e.detail])).toEqual([
      ["bob", "chat", { user: "@alice:hs", identity: "key-of-@alice:hs", changed: true }],
      ["alice", "chat", { user: "@carol:hs", identity: "key-of-@carol:hs", changed: true }],
    ]);
  });

  it("refuses your own identity, by principal or by id, and asks nothing of the adapter", async () => {
    const accepted: string[] = [];
    const { auditLog, say } = await setup([identityAdapter("chat", accepted)]);
    expect(await say("chat", "@alice:hs", "!trust reset alice")).toContain(
      "you cannot reset trust in your own identity (@alice:hs)",
    );
    expect(await say("chat", "@alice:hs", "!trust reset @alice:hs")).toContain(
      "another person with trust:reset must accept it",
    );
    expect(accepted).toEqual([]);
    expect(await auditLog.query({ event: "trust" })).toEqual([]);
  });

  it("needs trust:reset", async () => {
    const accepted: string[] = [];
    const { say } = await setup([identityAdapter("chat", accepted)]);
    expect(await say("chat", "@carol:hs", "!trust reset alice")).toMatch(/trust:reset/);
    expect(accepted).toEqual([]);
  });

  it("says so on a network whose adapter keeps no identities, and reaches another network with --network", async () => {
    const accepted: string[] = [];
    const plain: Adapter = { ...identityAdapter("plain", []), resetTrust: undefined };
    const policyNetworks = [plain, identityAdapter("chat", accepted)];
    const { say } = await setup(policyNetworks);
    expect(await say("plain", "bob", "!trust reset someone")).toContain("the plain adapter has no identities to trust");
    expect(await say("plain", "bob", "!trust reset alice --network chat")).toContain("@alice:hs's identity");
    expect(accepted).toEqual(["@alice:hs"]);
  });
});
