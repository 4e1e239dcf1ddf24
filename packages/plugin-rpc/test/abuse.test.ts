import { defineCommand, definePlugin, MemoryStore, type PolicyConfigInput } from "@switchboard/core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { eventually, jobIdIn, keyPair, policy, rpcHarness, tempDir } from "./helpers.js";
import { type SpecServer, startSpecServer } from "./spec-server.js";

/** Another plugin's command, to collide with. */
const deployPlugin = definePlugin({
  name: "deploy",
  commands: [defineCommand({ name: "deploy", summary: "Deploy", guests: false, handler: () => "deployed" })],
});

const temp = tempDir();
const key = keyPair(temp.dir, "bot");
const nextKey = keyPair(temp.dir, "next");
let server: SpecServer;

beforeAll(async () => {
  server = await startSpecServer({ switchboard: key.publicKey });
  server.listing = {
    namespace: "ops",
    version: 3,
    methods: {
      restart: { help: "ops restart <app>", regex: "restart (?<app>[a-z0-9-]+)", params: ["app"], path: "restart" },
      evil: { help: "ops evil", regex: "evil (a+)+b", params: [], path: "evil" },
      hang: { help: "ops hang", regex: "hang", params: [], path: "hang" },
      huge: { help: "ops huge", regex: "huge", params: [], path: "huge" },
      stall: { help: "ops stall", regex: "stall", params: [], path: "stall" },
    },
  };
  server.methods.set("restart", (body) => ({ json: { result: `restarting ${JSON.stringify(body.params)}` } }));
  server.methods.set("evil", { json: { result: "evil ran" } });
  server.methods.set("hang", { never: true });
  server.methods.set("huge", { bytes: 50 * 1024 * 1024 });
  server.methods.set("stall", { stall: true });
});
afterAll(async () => {
  await server.close();
  temp.remove();
});

const keys = () => [{ id: "switchboard", file: key.file }];

describe("collisions", () => {
  it("refuses rpc add with a prefix another plugin's command uses, or a builtin's", async () => {
    const h = await rpcHarness({ keys: keys() }, { plugins: [deployPlugin] });
    const deploy = await h.as("carol").say(`!rpc add ${server.listingUrl} --prefix deploy`);
    expect(deploy.text).toContain('prefix "deploy" would clash with command "deploy" (plugin deploy)');
    const help = await h.as("carol").say(`!rpc add ${server.listingUrl} --prefix help`);
    expect(help.text).toContain('prefix "help" would clash with command "help" (built in)');
    const role = await h.as("carol").say(`!rpc add ${server.listingUrl} --prefix role`);
    expect(role.text).toMatch(/prefix "role" would clash with command "role \w+" \(built in\)/);
    expect((await h.as("alice").say("!deploy")).text).toContain("deployed");
    await h.close();
  });

  it("refuses to start with a configured endpoint whose prefix is taken", async () => {
    await expect(
      rpcHarness(
        { keys: keys(), endpoints: [{ url: server.listingUrl, prefix: "deploy" }] },
        { plugins: [deployPlugin] },
      ),
    ).rejects.toThrow('rpc: endpoint prefix "deploy" would clash with command "deploy" (plugin deploy)');
  });

  it("refuses a listing with a method called help, or a path that leaves the endpoint, and audits why", async () => {
    const bad = await startSpecServer({ switchboard: key.publicKey });
    bad.listing = {
      version: 3,
      methods: {
        help: { regex: "help", params: [] },
        up: { regex: "up", params: [], path: "../admin" },
        spaced: { regex: "(?<a>x)\\1", params: [] },
      },
    };
    const h = await rpcHarness({ keys: keys(), endpoints: [{ url: bad.listingUrl, prefix: "bad" }] });
    const list = await eventually(async () => {
      const text = (await h.as("carol").say("!rpc list")).text;
      return text.includes("failing") ? text : undefined;
    }, "the refused listing");
    expect(list).toContain('method "help": "help" is reserved');
    expect(list).toContain('method "up": path must be relative');
    expect(list).toContain('method "spaced": regex not accepted by RE2');
    expect(h.bot.commands().some((command) => command.name.startsWith("bad "))).toBe(false);
    const rejected = async () => (await h.audit()).filter((e) => e.event === "plugin" && e.outcome === "rejected");
    expect((await rejected())[0]?.detail).toMatchObject({ plugin: "rpc", prefix: "bad" });
    // polled again and again, refused each time, audited once
    const fetchesBefore = bad.requests.length;
    await eventually(() => bad.requests.length >= fetchesBefore + 3, "three more fetches");
    expect(await rejected()).toHaveLength(1);
    await h.close();
    await bad.close();
  });
});

describe("a hostile or broken endpoint", () => {
  it("cannot stall the bot with a catastrophic regex (RE2 matches in linear time)", async () => {
    const h = await rpcHarness({ keys: keys(), endpoints: [{ url: server.listingUrl, prefix: "ops" }] });
    await eventually(() => h.bot.commands().find((command) => command.name === "ops evil"), "the listing");
    // 1,900 a's (under core's 2,000-character cap on a text argument) and no b: a backtracking engine would
    // try 2^1900 ways before answering
    const [evil, help] = await Promise.all([
      h.as("alice").say(`!ops evil ${"a".repeat(1900)}`),
      h.as("bob").say("!whoami"),
    ]);
    expect(evil.text).toMatch(/does not match ops evil/);
    expect(help.text).toMatch(/you are/);
    expect((await h.as("alice").say("!ops evil aaab")).text).toContain("evil ran");
    await h.close();
  });

  it("is cut off by the endpoint's timeout, which says what timed out, and the request is aborted", async () => {
    const h = await rpcHarness({
      keys: keys(),
      endpoints: [{ url: server.listingUrl, prefix: "ops", timeout: "300ms" }],
    });
    await eventually(() => h.bot.commands().find((command) => command.name === "ops hang"), "the listing");
    const hangingBefore = server.hanging.length;
    const reply = await h.as("alice").say("!ops hang");
    expect(reply.text).toContain(
      `ops hang: call ${server.listingUrl}/hang did not answer within 300ms (the endpoint's timeout)`,
    );
    const entry = server.hanging[hangingBefore]!;
    await eventually(() => entry.closed, "the server to see the request closed");
    await h.close();
  });

  it("is cut off by the timeout when it starts an answer and stalls", async () => {
    const h = await rpcHarness({
      keys: keys(),
      endpoints: [{ url: server.listingUrl, prefix: "ops", timeout: "300ms" }],
    });
    await eventually(() => h.bot.commands().find((command) => command.name === "ops stall"), "the listing");
    const hangingBefore = server.hanging.length;
    const reply = await h.as("alice").say("!ops stall");
    expect(reply.text).toContain(
      `call ${server.listingUrl}/stall did not answer within 300ms (the endpoint's timeout)`,
    );
    await eventually(() => server.hanging[hangingBefore]?.closed, "the request to be aborted");
    await h.close();
  });

  it("is cut off by cancel", async () => {
    const h = await rpcHarness({
      keys: keys(),
      endpoints: [{ url: server.listingUrl, prefix: "ops", timeout: "60s" }],
    });
    await eventually(() => h.bot.commands().find((command) => command.name === "ops hang"), "the listing");
    const hangingBefore = server.hanging.length;
    const running = h.as("alice").say("!ops hang");
    await eventually(() => server.hanging.length > hangingBefore, "the call to arrive");
    const job = h.bot.jobs.list().find((j) => j.command.name === "ops hang")!;
    expect((await h.as("alice").say(`!cancel ${job.id}`)).text).toContain(`cancelling job ${job.id} (ops hang)`);
    await running;
    await eventually(() => server.hanging[hangingBefore]!.closed, "the request to be aborted");
    await h.idle();
    const outcome = (await h.audit()).find((e) => e.jobId === job.id && e.outcome !== undefined);
    expect(outcome?.outcome).toBe("cancelled");
    await h.close();
  });

  it("refuses a 50 MB answer without reading it all", async () => {
    const h = await rpcHarness({ keys: keys(), endpoints: [{ url: server.listingUrl, prefix: "ops" }] });
    await eventually(() => h.bot.commands().find((command) => command.name === "ops huge"), "the listing");
    const reply = await h.as("alice").say("!ops huge");
    expect(reply.text).toContain(`answered more than 1048576 bytes; the answer was refused`);
    await h.close();
  });

  it("refuses prototype keys as extra params", async () => {
    const h = await rpcHarness({ keys: keys(), endpoints: [{ url: server.listingUrl, prefix: "ops" }] });
    await eventually(() => h.bot.commands().find((command) => command.name === "ops restart"), "the listing");
    expect((await h.as("alice").say("!ops restart web --__proto__ x")).text).toContain(
      "--__proto__ is not a parameter name",
    );
    expect((await h.as("alice").say("!ops restart web --app db")).text).toContain("--app is already a part");
    expect((await h.as("alice").say("!ops restart web --constructor x")).text).toContain(
      'restarting {"app":"web","constructor":"x"}',
    );
    await h.close();
  });
});

describe("people", () => {
  it("a guest, and an unverified sender using a staff member's name, cannot run a method", async () => {
    const h = await rpcHarness({ keys: keys(), endpoints: [{ url: server.listingUrl, prefix: "ops" }] });
    await eventually(() => h.bot.commands().find((command) => command.name === "ops restart"), "the listing");
    const posts = () => server.requests.filter((r) => r.method === "POST").length;
    const before = posts();
    expect((await h.as("mallory").say("!ops restart web")).text).toMatch(/denied/);
    expect((await h.as("alice", { verified: false }).say("!ops restart web")).text).toMatch(/denied/);
    expect(posts()).toBe(before);
    await h.close();
  });

  it("an approval rule on ops restart binds the approval to the params approved", async () => {
    const withRule: PolicyConfigInput = {
      ...policy,
      rules: [
        {
          name: "restarting db needs a second person",
          command: "ops restart",
          when: { args: { app: "db" } },
          approval: { permission: "rpc:approve" },
        },
      ],
    };
    const h = await rpcHarness(
      { keys: keys(), endpoints: [{ url: server.listingUrl, prefix: "ops" }] },
      { policy: withRule },
    );
    await eventually(() => h.bot.commands().find((command) => command.name === "ops restart"), "the listing");
    const posts = () => server.requests.filter((r) => r.method === "POST" && r.path === "/_chatops/restart");
    const before = posts().length;
    expect((await h.as("alice").say("!ops restart web")).text).toContain('restarting {"app":"web"}');
    const asked = await h.as("alice").say("!ops restart db");
    expect(asked.text).toMatch(/needs 1 approval/);
    expect(asked.text).toMatch(/^app: +db$/m);
    expect(posts().length).toBe(before + 1);
    expect((await h.as("alice").say(`!approve ${jobIdIn(asked.text)}`)).text).toContain(
      "someone else has to approve it",
    );
    expect((await h.as("bob").say(`!approve ${jobIdIn(asked.text)}`)).text).toMatch(/approved/);
    await h.idle();
    expect(posts().length).toBe(before + 2);
    expect(posts().at(-1)!.body).toMatchObject({ user: "alice", params: { app: "db" } });
    await h.close();
  });
});

describe("a listing that changes", () => {
  it("replaces the endpoint's commands (audited), and an endpoint coming back after being down keeps working", async () => {
    const changing = await startSpecServer({ switchboard: key.publicKey });
    changing.listing = { version: 3, methods: { old: { regex: "old", help: "ops old" } } };
    changing.methods.set("old", { json: { result: "old ran" } });
    changing.methods.set("fresh", { json: { result: "fresh ran" } });
    const h = await rpcHarness({ keys: keys(), endpoints: [{ url: changing.listingUrl, prefix: "ops" }] });
    await eventually(() => h.bot.commands().find((command) => command.name === "ops old"), "the first listing");
    changing.listing = { version: 3, methods: { fresh: { regex: "fresh", help: "ops fresh" } } };
    await eventually(() => h.bot.commands().find((command) => command.name === "ops fresh"), "the new listing");
    expect(h.bot.commands().find((command) => command.name === "ops old")).toBeUndefined();
    expect((await h.as("alice").say("!ops fresh")).text).toContain("fresh ran");
    expect((await h.as("alice").say("!ops old")).text).toMatch(/unknown command "ops old"/);
    const listings = (await h.audit()).filter((e) => e.event === "plugin" && e.detail?.event === "listing");
    expect(listings.map((e) => e.detail?.commands)).toEqual([["ops old"], ["ops fresh"]]);
    changing.down = true;
    await eventually(async () => (await h.as("carol").say("!rpc list")).text.includes("failing"), "a failure");
    changing.down = false;
    expect((await h.as("carol").say("!rpc refresh ops")).text).toMatch(/ops: ok, 1 methods — ops fresh/);
    expect((await h.as("alice").say("!ops fresh")).text).toContain("fresh ran");
    await h.close();
    await changing.close();
  });
});

describe("keys and runtime endpoints", () => {
  it("falls back to the second key when the endpoint only accepts that one (rotation)", async () => {
    const rotated = await startSpecServer({ next: nextKey.publicKey });
    rotated.listing = server.listing;
    rotated.methods.set("restart", { json: { result: "ok" } });
    const h = await rpcHarness({
      keys: [
        { id: "switchboard", file: key.file },
        { id: "next", file: nextKey.file },
      ],
      endpoints: [{ url: rotated.listingUrl, prefix: "ops" }],
    });
    await eventually(() => h.bot.commands().find((command) => command.name === "ops restart"), "the listing");
    expect((await h.as("alice").say("!ops restart web")).text).toContain("ok");
    expect(rotated.requests.filter((r) => r.method === "POST").at(-1)).toMatchObject({ keyId: "next" });
    await h.close();
    await rotated.close();
  });

  it("rpc add persists an endpoint, rpc remove removes it and its commands; only rpc:admin may", async () => {
    const store = new MemoryStore();
    const h = await rpcHarness({ keys: keys() }, { store });
    expect((await h.as("alice").say(`!rpc add ${server.listingUrl} --prefix q`)).text).toMatch(/denied.*rpc:admin/);
    const added = await h.as("carol").say(`!rpc add ${server.listingUrl} --prefix q`);
    expect(added.text).toContain(
      `added q (${server.listingUrl}): 5 methods: q restart, q evil, q hang, q huge, q stall`,
    );
    expect((await h.as("alice").say("!q restart web")).text).toMatch(/denied.*rpc:q/);
    await h.close();

    const again = await rpcHarness({ keys: keys() }, { store });
    await eventually(() => again.bot.commands().find((command) => command.name === "q restart"), "the stored endpoint");
    expect((await again.as("carol").say("!rpc list")).text).toMatch(/q +http\S+ +rpc add by carol +rpc:q/);
    expect((await again.as("carol").say("!rpc remove q")).text).toContain("removed q");
    expect(again.bot.commands().find((command) => command.name === "q restart")).toBeUndefined();
    expect((await again.as("carol").say("!q restart web")).text).toMatch(/unknown command/i);
    // two admins adding the same prefix at once: one wins, the other is told
    const [one, two] = await Promise.all([
      again.as("carol").say(`!rpc add ${server.listingUrl} --prefix twin`),
      again.as("carol").say(`!rpc add ${server.listingUrl}/ --prefix twin`),
    ]);
    expect([one.text, two.text].filter((t) => t.includes("added twin"))).toHaveLength(1);
    expect([one.text, two.text].filter((t) => t.includes('prefix "twin" is already used by'))).toHaveLength(1);
    expect((await again.as("carol").say("!rpc remove twin")).text).toContain("removed twin");
    await again.close();
    const third = await rpcHarness({ keys: keys() }, { store });
    expect((await third.as("carol").say("!rpc list")).text).toContain("no ChatOps RPC endpoints");
    await third.close();
  });
});
