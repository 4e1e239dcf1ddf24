/**
 * The rpc plugin and @switchboard/rpc-server together in one process, on two networks of the testing kit: the same
 * person is the same `user` to the service from either network, and an unverified sender on the second network is
 * refused.
 */
import { generateKeyPairSync } from "node:crypto";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import rpc from "@switchboard/plugin-rpc";
import { chatopsHandler, createChatopsServer, defineMethod, type MethodCall } from "@switchboard/rpc-server";
import { createHarness, type Harness } from "@switchboard/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

describe("rpc plugin and rpc-server on two networks", () => {
  const dir = mkdtempSync(join(tmpdir(), "rpc-two-"));
  const calls: Array<MethodCall<string>> = [];
  let server: Server;
  let h: Harness;

  beforeAll(async () => {
    const keys = generateKeyPairSync("rsa", {
      modulusLength: 2048,
      publicKeyEncoding: { type: "spki", format: "pem" },
      privateKeyEncoding: { type: "pkcs8", format: "pem" },
    });
    writeFileSync(join(dir, "bot.pem"), keys.privateKey);
    server = createServer();
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    const origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    const service = createChatopsServer({
      namespace: "queues",
      baseUrls: [origin],
      publicKeys: { switchboard: keys.publicKey },
      methods: [
        defineMethod({
          name: "depth",
          regex: "depth (?<queue>[a-z]+)",
          help: "q depth <queue> - jobs waiting",
          handler: (call) => {
            calls.push(call);
            return `${call.params.queue}: 7 waiting (for ${call.user} in ${call.roomId})`;
          },
        }),
      ],
    });
    server.on("request", chatopsHandler(service));
    h = await createHarness({
      networks: ["test", "second"],
      policy: {
        roles: { staff: { permissions: ["rpc:q"] } },
        principals: {
          alice: { roles: ["staff"], identities: { test: "alice", second: "@alice:example.org" } },
        },
      },
      plugins: [
        [
          rpc,
          {
            keys: [{ id: "switchboard", file: join(dir, "bot.pem") }],
            logins: { alice: "alice-gh" },
            endpoints: [{ url: `${origin}/_chatops`, prefix: "q" }],
          },
        ],
      ],
    });
  });
  afterAll(async () => {
    await h.close();
    await new Promise((resolve) => server.close(resolve));
    rmSync(dir, { recursive: true, force: true });
  });

  it("is the same user from both networks", async () => {
    const first = await h.as("alice").say("!q depth mail");
    expect(first.text).toContain("mail: 7 waiting (for alice-gh in #ops)");
    const second = await h
      .as("alice", { network: "second", id: "@alice:example.org", room: "!room:example.org" })
      .say("!q depth mail");
    expect(second.text).toContain("mail: 7 waiting (for alice-gh in !room:example.org)");
    expect(calls.map((c) => c.user)).toEqual(["alice-gh", "alice-gh"]);
    expect(calls.every((c) => c.keyId === "switchboard")).toBe(true);
  });

  it("refuses an unverified sender using alice's id on the second network", async () => {
    const before = calls.length;
    const reply = await h
      .as("alice", { network: "second", id: "@alice:example.org", verified: false })
      .say("!q depth mail");
    expect(reply.text).toMatch(/denied/);
    expect(calls.length).toBe(before);
  });
});
