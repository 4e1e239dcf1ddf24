import type { Harness } from "@switchboard/testing";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { eventually, keyPair, rpcHarness, tempDir } from "./helpers.js";
import { type SpecServer, startSpecServer } from "./spec-server.js";

describe("the client against a server written from the spec", () => {
  const temp = tempDir();
  const key = keyPair(temp.dir, "bot");
  let server: SpecServer;
  let h: Harness;
  const posts = () => server.requests.filter((r) => r.method === "POST").length;
  const lastPost = () => server.requests.filter((r) => r.method === "POST").at(-1);

  beforeAll(async () => {
    server = await startSpecServer({ switchboard: key.publicKey });
    server.listing = {
      namespace: "deploy-tools",
      help: "ops tools",
      version: "3",
      error_response: "Something broke; see https://status.example.test",
      methods: {
        restart: {
          help: "ops restart <app> [on <host>] - restart an app",
          regex: "restart (?<app>[a-z0-9-]+)(?: on (?<host>\\S+))?",
          params: ["app", "host"],
          path: "restart",
        },
        wcid: {
          help: "ops where can i deploy - free environments",
          regex: "where can i deploy",
          params: [],
          path: "where",
        },
        status: { help: "ops status <queue>", regex: "status (?<queue>\\w+)", params: ["queue"], path: "status" },
        broken: { regex: "broken", params: [], path: "broken" },
      },
    };
    server.methods.set("restart", (body) => ({
      json: { result: `restarting ${(body.params as { app: string }).app}` },
    }));
    server.methods.set("where", { json: { result: "staging is free" } });
    server.methods.set("status", {
      json: {
        result: "mail: 12 queued",
        title: "Queue mail",
        title_link: "https://queues.example.test/mail",
        color: "ff0000",
        image_url: "https://graphs.example.test/mail.png",
        buttons: [
          { label: "Restart mail", command: ".ops restart mail" },
          { label: "Sneaky", command: "!role grant mallory admin" },
        ],
      },
    });
    server.methods.set("broken", {
      status: 400,
      json: { jsonrpc: "2.0", id: null, error: { code: -32602, message: "queue is locked by bob" } },
    });
    h = await rpcHarness({
      keys: [{ id: "switchboard", file: key.file }],
      logins: { alice: "alice-gh" },
      endpoints: [{ url: server.listingUrl, prefix: "ops", timeout: "2s" }],
    });
    await eventually(() => h.bot.commands().find((command) => command.name === "ops restart"), "the listing");
  });
  afterAll(async () => {
    await h.close();
    await server.close();
    temp.remove();
  });

  it("fetches the listing signed (GET, key id sent)", () => {
    const listing = server.requests.find((r) => r.method === "GET");
    expect(listing).toMatchObject({ path: "/_chatops", keyId: "switchboard", body: undefined });
  });

  it("shows every method in help with the endpoint's help text", async () => {
    const help = (await h.as("alice").say("!help")).text;
    expect(help).toContain("ops restart <app> [on <host>] - restart an app");
    expect(help).toContain("ops where can i deploy - free environments");
  });

  it("calls a method: params from named groups, the configured login, room and message id", async () => {
    const reply = await h.as("alice").say("!ops restart web on fe1");
    expect(reply.text).toContain("restarting web");
    const call = lastPost()!;
    expect(call).toMatchObject({ method: "POST", path: "/_chatops/restart", keyId: "switchboard" });
    expect(call.body).toEqual({
      user: "alice-gh",
      room_id: "#ops",
      method: "restart",
      params: { app: "web", host: "fe1" },
      message_id: expect.stringMatching(/^m\d+$/),
    });
  });

  it("sends the principal id as user when no login is configured, never the display name", async () => {
    await h.as("bob", { id: "bob" }).say("!ops restart api");
    expect(lastPost()!.body).toMatchObject({ user: "bob", params: { app: "api" } });
  });

  it("leaves empty optional groups out, and sends trailing --key value pairs as extra params", async () => {
    await h.as("alice").say("!ops restart web --reason deploy-stuck --force");
    expect(lastPost()!.body!.params).toEqual({ app: "web", reason: "deploy-stuck", force: "true" });
  });

  it("reaches a method by its pattern's words when they differ from its name", async () => {
    expect((await h.as("alice").say("!ops where can i deploy")).text).toContain("staging is free");
    expect(lastPost()).toMatchObject({ path: "/_chatops/where", body: { method: "wcid" } });
  });

  it("renders a rich answer: title link, colour as status, image link, buttons limited to this endpoint", async () => {
    const reply = await h.as("alice").say("!ops status mail");
    const blocks = reply.messages.flatMap((m) => m.blocks);
    expect(blocks).toContainEqual({ type: "link", url: "https://queues.example.test/mail", text: "Queue mail" });
    expect(blocks).toContainEqual({ type: "text", text: "mail: 12 queued" });
    expect(blocks).toContainEqual({ type: "link", url: "https://graphs.example.test/mail.png", text: "image" });
    expect(blocks).toContainEqual({
      type: "actions",
      actions: [
        { label: "Restart mail", command: "ops restart mail" },
        { label: "Sneaky", command: "ops role grant mallory admin" },
      ],
    });
  });

  it("shows a JSON-RPC error with its message", async () => {
    const reply = await h.as("alice").say("!ops broken");
    expect(reply.text).toContain("ops broken: queue is locked by bob");
    expect(reply.text).toContain("JSON-RPC error -32602");
  });

  it("answers text that does not fit the pattern with the method's help, sending nothing", async () => {
    const before = posts();
    const reply = await h.as("alice").say("!ops restart");
    expect(reply.text).toMatch(/does not match ops restart/);
    expect(reply.text).toContain("usage: ops restart <app> [on <host>] - restart an app");
    expect(posts()).toBe(before);
  });

  it("suggests the method for a typo", async () => {
    expect((await h.as("alice").say("!ops restrat web")).text).toMatch(/did you mean.*ops restart/i);
  });

  it("refuses a guest without calling the endpoint", async () => {
    const before = posts();
    const reply = await h.as("mallory", { id: "mallory" }).say("!ops restart web");
    expect(reply.text).toMatch(/denied/);
    expect(posts()).toBe(before);
  });

  it("writes the two audit entries of a call, with the resolved params", async () => {
    await h.as("alice").say("!ops restart db");
    const entries = (await h.audit()).filter((e) => e.command === "ops restart");
    const admitted = entries.filter((e) => e.event === "admitted").at(-1)!;
    expect(admitted).toMatchObject({ actor: "alice", args: { app: "db" } });
    const outcome = entries.filter((e) => e.jobId === admitted.jobId && e.event !== "admitted");
    expect(outcome.at(-1)).toMatchObject({ outcome: "succeeded" });
  });

  describe("when the endpoint goes down", () => {
    afterEach(() => {
      server.down = false;
    });

    it("keeps the methods of the last good listing, and says so in rpc list", async () => {
      server.down = true;
      await eventually(async () => (await h.as("carol").say("!rpc list")).text.includes("failing"), "a failed fetch");
      const list = (await h.as("carol").say("!rpc list")).text;
      expect(list).toMatch(/keeping 4 methods/);
      expect(h.bot.commands().find((command) => command.name === "ops restart")).toBeDefined();
    });
  });
});
