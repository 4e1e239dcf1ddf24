import Fastify from "fastify";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { chatopsFastify, createChatopsServer, defineMethod, signRequest } from "../src/index.js";
import { send, signedFetch, specKeys } from "./helpers.js";

describe("the fastify plugin", () => {
  const app = Fastify();
  let base = "";
  const key = { keyId: "bot", privateKey: specKeys.privateKey };

  beforeAll(async () => {
    const service = createChatopsServer({
      namespace: "queues",
      baseUrls: ["https://queues.example.test"],
      publicKeys: { bot: specKeys.publicKey },
      methods: [
        defineMethod({
          name: "status",
          regex: "status (?<queue>\\w+)",
          handler: ({ params, user }) => `${params.queue}: 3 jobs (asked by ${user})`,
        }),
      ],
    });
    // the app's own JSON routes keep fastify's parser: the plugin's raw-body parser stays in its scope
    app.post("/echo", async (request) => request.body);
    await app.register(chatopsFastify(service));
    await app.listen({ port: 0, host: "127.0.0.1" });
    const address = app.server.address() as { port: number };
    base = `http://127.0.0.1:${address.port}`;
  });
  afterAll(() => app.close());

  it("lists and runs methods with the same checks", async () => {
    const listing = await signedFetch(`${base}/_chatops`, key, { signedUrl: "https://queues.example.test/_chatops" });
    expect(listing.json).toMatchObject({
      namespace: "queues",
      version: "3",
      methods: { status: { params: ["queue"] } },
    });
    const body = JSON.stringify({ user: "alice", method: "status", params: { queue: "mail" } });
    const headers = signRequest(key, "https://queues.example.test/_chatops/status", body);
    const run = await send(`${base}/_chatops/status`, body, headers);
    expect(run.json.result).toBe("mail: 3 jobs (asked by alice)");
    const replay = await send(`${base}/_chatops/status`, body, headers);
    expect(replay.status).toBe(403);
  });

  it("leaves the app's other JSON routes parsed as before", async () => {
    const response = await fetch(`${base}/echo`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ a: 1 }),
    });
    expect(await response.json()).toEqual({ a: 1 });
  });
});
