import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ChatopsError, createChatopsServer, defineMethod, type MethodCall } from "../src/index.js";
import { newKeyPair, send, serve, signedFetch, specKeys } from "./helpers.js";

const calls: Array<MethodCall<string>> = [];
const rotated = newKeyPair();
const stranger = newKeyPair();

const restart = defineMethod({
  name: "restart",
  regex: "restart (?<app>[a-z0-9-]+)(?: on (?<host>\\S+))?",
  help: "restart <app> [on <host>] - restart an app",
  handler: (call) => {
    calls.push(call);
    // `call.params.app` is typed from the regex's named groups
    const app: string | undefined = call.params.app;
    if (app === "missing") throw new ChatopsError("no such app: missing");
    if (app === "crash") throw new Error("database password is hunter2");
    return { result: `restarting ${app} for ${call.user}`, title: "Restart", color: "00ff00" };
  },
});

describe("a service on node:http", () => {
  let service: Awaited<ReturnType<typeof serve>>;
  let base: string;
  const key = { keyId: "bot", privateKey: specKeys.privateKey };
  const key2 = { keyId: "bot-next", privateKey: rotated.privateKey };

  beforeAll(async () => {
    // The service is reached through a proxy as https://ops.example.test: clients sign that URL.
    service = await serve(
      createChatopsServer({
        namespace: "ops",
        help: "ops commands",
        methods: [restart],
        baseUrls: ["https://ops.example.test/", "http://127.0.0.1:1"],
        publicKeys: { bot: specKeys.publicKey, "bot-next": rotated.publicKey },
      }),
    );
    base = `${service.url}/_chatops`;
  });
  afterAll(() => service.close());

  const signedAs = (path: string) => `https://ops.example.test/_chatops${path}`;

  it("lists its methods (version 3) to a signed GET", async () => {
    const answer = await signedFetch(base, key, { signedUrl: signedAs("") });
    expect(answer.status).toBe(200);
    expect(answer.json).toEqual({
      namespace: "ops",
      help: "ops commands",
      error_response: null,
      version: "3",
      methods: {
        restart: {
          help: "restart <app> [on <host>] - restart an app",
          regex: "restart (?<app>[a-z0-9-]+)(?: on (?<host>\\S+))?",
          params: ["app", "host"],
          path: "restart",
        },
      },
    });
  });

  it("runs a method: params split into declared and extra, user and room passed", async () => {
    const body = {
      user: "alice",
      room_id: "#ops",
      method: "restart",
      params: { app: "web", force: "true" },
      message_id: "m1",
      id: 7,
    };
    const answer = await signedFetch(`${base}/restart`, key, { body, signedUrl: signedAs("/restart") });
    expect(answer.status).toBe(200);
    expect(answer.json).toEqual({
      jsonrpc: "2.0",
      id: 7,
      result: "restarting web for alice",
      title: "Restart",
      color: "00ff00",
    });
    const call = calls.at(-1)!;
    expect({ ...call.params }).toEqual({ app: "web" });
    expect({ ...call.extra }).toEqual({ force: "true" });
    expect(call).toMatchObject({ user: "alice", roomId: "#ops", messageId: "m1", keyId: "bot" });
  });

  it("accepts the second key (rotation) and names it to the handler", async () => {
    const body = { user: "bob", method: "restart", params: { app: "api" } };
    const answer = await signedFetch(`${base}/restart`, key2, { body, signedUrl: signedAs("/restart") });
    expect(answer.json.result).toBe("restarting api for bob");
    expect(calls.at(-1)!.keyId).toBe("bot-next");
  });

  it("refuses an unsigned request", async () => {
    const before = calls.length;
    const body = JSON.stringify({ user: "alice", method: "restart", params: { app: "web" } });
    const answer = await send(`${base}/restart`, body, {});
    expect(answer.status).toBe(403);
    expect(answer.json.error).toMatchObject({ code: -32804 });
    const noSignature = await send(`${base}/restart`, body, {
      "Chatops-Timestamp": new Date().toISOString(),
      "Chatops-Nonce": "abcdefgh12345678",
    });
    expect(noSignature.json.error).toMatchObject({ code: -32802, message: "Failed to parse signature header" });
    expect(calls.length).toBe(before);
  });

  it("refuses a request signed by another key under an accepted key id", async () => {
    const body = { user: "alice", method: "restart", params: { app: "web" } };
    const answer = await signedFetch(
      `${base}/restart`,
      { keyId: "bot", privateKey: stranger.privateKey },
      {
        body,
        signedUrl: signedAs("/restart"),
      },
    );
    expect(answer.status).toBe(403);
    expect(answer.json.error).toEqual({ code: -32800, message: "Not authorized" });
  });

  it("refuses a key id it does not know, and a key accepted only under its own id", async () => {
    const body = { user: "alice", method: "restart", params: { app: "web" } };
    const unknown = await signedFetch(
      `${base}/restart`,
      { keyId: "other", privateKey: specKeys.privateKey },
      {
        body,
        signedUrl: signedAs("/restart"),
      },
    );
    expect(unknown.json.error).toEqual({ code: -32800, message: "Not authorized: unknown keyid" });
    const swapped = await signedFetch(
      `${base}/restart`,
      { keyId: "bot", privateKey: rotated.privateKey },
      {
        body,
        signedUrl: signedAs("/restart"),
      },
    );
    expect(swapped.json.error).toMatchObject({ code: -32800 });
  });

  it("refuses a replay of the same signed request", async () => {
    const body = JSON.stringify({ user: "alice", method: "restart", params: { app: "replayed" } });
    const { signRequest } = await import("../src/index.js");
    const headers = { ...signRequest(key, signedAs("/restart"), body) };
    const first = await send(`${base}/restart`, body, headers);
    expect(first.json.result).toBe("restarting replayed for alice");
    const count = calls.length;
    const again = await send(`${base}/restart`, body, headers);
    expect(again.status).toBe(403);
    expect(again.json.error).toEqual({ code: -32800, message: "Not authorized: this nonce was already used" });
    expect(calls.length).toBe(count);
  });

  it("refuses stale and future timestamps (more than 5 minutes off)", async () => {
    const body = { user: "alice", method: "restart", params: { app: "web" } };
    for (const offset of [-6 * 60_000, 6 * 60_000]) {
      const answer = await signedFetch(`${base}/restart`, key, {
        body,
        signedUrl: signedAs("/restart"),
        now: new Date(Date.now() + offset),
      });
      expect(answer.status).toBe(403);
      expect(answer.json.error).toMatchObject({ code: -32803 });
    }
    const fourMinutesOld = await signedFetch(`${base}/restart`, key, {
      body,
      signedUrl: signedAs("/restart"),
      now: new Date(Date.now() - 4 * 60_000),
    });
    expect(fourMinutesOld.status).toBe(200);
  });

  it("never trusts the Host header: a signature over the URL the attacker chose is refused", async () => {
    const body = { user: "alice", method: "restart", params: { app: "web" } };
    const answer = await signedFetch(`${base}/restart`, key, {
      body,
      signedUrl: "https://evil.example.test/_chatops/restart",
      headers: { host: "evil.example.test", "x-forwarded-host": "evil.example.test" },
    });
    expect(answer.json.error).toMatchObject({ code: -32800 });
    // a signature for another method's path does not carry over either
    const otherPath = await signedFetch(`${base}/restart`, key, { body, signedUrl: signedAs("/status") });
    expect(otherPath.json.error).toMatchObject({ code: -32800 });
  });

  it("answers JSON-RPC errors with the spec's codes", async () => {
    const post = (path: string, body: unknown) =>
      signedFetch(`${base}${path}`, key, { body, signedUrl: signedAs(path) });
    expect((await post("/nothing", { user: "a", method: "nothing" })).json).toMatchObject({
      error: { code: -32601, message: "Method not found" },
    });
    expect((await post("/restart", { method: "restart", params: { app: "web" } })).json).toMatchObject({
      error: { code: -32602, message: "A username must be supplied as 'user'" },
    });
    expect((await post("/restart", { user: "a", params: { app: "missing" } })).json).toMatchObject({
      error: { code: -32602, message: "no such app: missing" },
    });
    expect((await post("/restart", { user: "a", params: { app: 5 } })).json).toMatchObject({
      error: { code: -32602 },
    });
    expect((await post("/restart", { user: "a", method: "status" })).json).toMatchObject({ error: { code: -32600 } });
    const crash = await post("/restart", { user: "a", params: { app: "crash" } });
    expect(crash.status).toBe(500);
    expect(crash.json).toMatchObject({ error: { code: -32603, message: "Internal error" } });
    expect(JSON.stringify(crash.json)).not.toContain("hunter2");
  });

  it("refuses a body over the size limit before verifying or parsing it", async () => {
    const response = await fetch(`${base}/restart`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ user: "a", pad: "x".repeat(70 * 1024) }),
    });
    expect(response.status).toBe(413);
  });

  it("answers a body that is not JSON with a parse error", async () => {
    const { signRequest } = await import("../src/index.js");
    const body = "{not json";
    const answer = await send(`${base}/restart`, body, signRequest(key, signedAs("/restart"), body));
    expect(answer.json).toMatchObject({ error: { code: -32700 } });
  });
});
