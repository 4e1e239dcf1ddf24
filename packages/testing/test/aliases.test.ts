import { arg, defineCommand, MemoryStore } from "@switchboard/core";
import { describe, expect, it } from "vitest";
import { createHarness } from "../src/index.js";
import { deploy, policy } from "./fixtures.js";

/** Echoes its text and says whether --force was given as a flag. */
const echo = defineCommand({
  name: "echo",
  summary: "Say something back",
  guests: false,
  args: {
    text: arg.string({ positional: true, rest: true, required: true }),
    force: arg.flag({ description: "shout" }),
  },
  handler: ({ args }) => `text=[${args.text}] force=${args.force}`,
});

const withAliases = {
  ...policy,
  roles: { ...policy.roles, deployer: { permissions: [...policy.roles.deployer.permissions, "alias:write"] } },
};

describe("aliases", () => {
  it("expand before the decision: the expanded command's approval, audit of both, why through the expansion", async () => {
    const h = await createHarness({ policy: withAliases, commands: [deploy] });
    expect((await h.as("bob").say("!alias add dp = deploy $1 to production")).text).toBe(
      "✔ !dp stands for: deploy $1 to production",
    );
    const why = await h.as("bob").say("!why dp api");
    expect(why.text).toMatch(/allowed after approval/);
    // deploy has a secret argument, so why names the alias without echoing the words.
    expect(why.text).toMatch(/alias: +dp\n/);
    expect(why.text).toMatch(/production-needs-approval/);
    expect((await h.as("zed").say("!why dp api")).text).toMatch(/denied: .*deploy:run/);

    const request = await h.as("bob").say("!dp api");
    expect(request.text).toMatch(
      /needs 1 approval from someone with deploy:approve \(rule production-needs-approval\)/,
    );
    const id = /job ([a-z0-9]{5})/.exec(request.text)![1]!;
    await h.as("carol").say(`!approve ${id}`);
    await h.idle();
    expect(h.transcript()).toMatch(/deployed api\/main to production for bob approved by carol/);
    const audit = await h.audit();
    const admitted = audit.find((e) => e.jobId === id && e.event === "admitted")!;
    expect(admitted).toMatchObject({ command: "deploy", args: { app: "api", env: "production" } });
    // deploy has a secret argument (token): the audit keeps the alias's name but neither the text nor the words.
    expect(admitted.detail?.alias).toEqual({ name: "dp" });
    expect(admitted.detail?.text).toBeUndefined();
    expect(audit.find((e) => e.event === "alias")).toMatchObject({
      actor: "bob",
      detail: { change: "add", name: "dp", line: "deploy $1 to production" },
    });
    expect((await h.as("alice").say("!audit --command deploy --limit 5")).text).toMatch(
      /→ needs-approval.*\[alias dp\]/,
    );
    expect((await h.as("alice").say('!audit --command "alias add" --limit 2')).text).toMatch(
      /alias add dp = deploy \$1 to production/,
    );
    // Denied through an alias: the denial names the expanded command's permission, and records the alias.
    expect((await h.as("zed").say("!dp api")).text).toMatch(/denied/);
    const denied = (await h.audit()).find((e) => e.event === "denied")!;
    expect(denied).toMatchObject({ command: "deploy", detail: { alias: { name: "dp" } } });
    await h.close();
  });

  it("substitutes arguments as arguments: --force stays a value, a quoted argument stays one word", async () => {
    const h = await createHarness({ policy: withAliases, commands: [echo, deploy] });
    await h.as("alice").say("!alias add say = echo $1");
    await h.as("alice").say("!alias add loud = echo --force $*");
    expect((await h.as("bob").say("!echo --force hi")).text).toBe("text=[hi] force=true");
    expect((await h.as("bob").say("!say --force")).text).toBe("text=[--force] force=false");
    expect((await h.as("bob").say("!loud --force")).text).toBe("text=[--force] force=true");
    expect((await h.as("bob").say('!say "two words"')).text).toBe("text=[two words] force=false");
    const admitted = (await h.audit()).filter((e) => e.event === "admitted" && e.command === "echo");
    expect(admitted[1]?.detail).toMatchObject({
      text: "say --force",
      alias: { name: "say", typed: ["say", "--force"], expansion: ["echo", "--force"] },
    });
    expect(admitted[1]?.args).toEqual({ text: "--force", force: false });
    expect((await h.as("bob").say("!why say --force")).text).toMatch(/alias: +say → echo --force\n/);
    // A secret must not be stored in an alias line (it is listed to everyone with a role).
    expect((await h.as("alice").say("!alias add tok = deploy api --token hunter2")).text).toMatch(
      /cannot hold the secret argument token/,
    );
    await h.as("alice").say("!alias add ship2 = deploy api");
    expect((await h.as("alice").say("!alias add tok2 = ship2 --token=hunter2")).text).toMatch(
      /cannot hold the secret argument token/,
    );
    expect((await h.as("alice").say("!alias add tok3 = deploy api --token $1")).text).toMatch(/stands for/);
    expect((await h.as("bob").say("!say a b")).text).toMatch(/alias say takes 1 argument\(s\), not 2/);
    // Into a word pattern, an argument cannot become several fields.
    await h.as("alice").say("!alias add ship = deploy $1");
    expect((await h.as("bob").say('!ship "api to production"')).text).toMatch(/must be one word/);
    expect((await h.as("bob").say("!ship --env=production")).text).toMatch(/does not fit|fail|✖/);
    expect(h.transcript()).not.toMatch(/deployed api\/main to production/);
    // An argument cannot choose the command either.
    await h.as("alice").say("!alias add r = role $1 bob deployer");
    expect((await h.as("alice").say("!r grant")).text).toMatch(/an alias argument cannot choose the command/);
    await h.close();
  });

  it("refuses self-reference, loops and shadowing of builtins and plugin commands", async () => {
    const store = new MemoryStore();
    const h = await createHarness({ policy: withAliases, commands: [deploy, echo], store });
    expect((await h.as("alice").say("!alias add again = again x")).text).toMatch(
      /alias "again" would expand to itself/,
    );
    await h.as("alice").say("!alias add a = echo one");
    await h.as("alice").say("!alias add b = a");
    expect((await h.as("alice").say("!alias add a = b")).text).toMatch(/alias "a" would expand to itself/);
    expect((await h.as("alice").say("!b")).text).toBe("text=[one] force=false");
    expect((await h.as("alice").say("!alias add help = echo x")).text).toMatch(/"help" is a command/);
    expect((await h.as("alice").say("!alias add role = echo x")).text).toMatch(/"role" is a command/);
    expect((await h.as("alice").say("!alias add deploy = echo x")).text).toMatch(/"deploy" is a command/);
    expect((await h.as("alice").say("!alias add constructor = echo x")).text).toMatch(/stands for/);
    expect((await h.as("alice").say("!constructor")).text).toBe("text=[x] force=false");
    expect((await h.as("alice").say("!alias add x = echo $0")).text).toMatch(/only \$1 … \$9 and \$\* may stand/);
    expect((await h.as("zed").say("!alias add z = echo z")).text).toMatch(/alias:write/);

    // Two instances sharing a store, each adding half of a loop at once: the loop is refused when expanded.
    const other = await createHarness({ policy: withAliases, commands: [deploy, echo], store });
    await h.as("alice").say("!alias add c = echo c");
    await other.as("alice").say("!alias add d = echo d");
    await h.bot.aliases.load();
    await other.bot.aliases.load();
    expect((await h.as("alice").say("!alias add c = d")).text).toMatch(/stands for: d/);
    expect((await other.as("alice").say("!alias add d = c")).text).toMatch(/stands for: c/);
    await h.bot.aliases.load();
    expect((await h.as("alice").say("!c")).text).toMatch(/alias "c" expands to itself/);
    await other.close();
    await h.close();
  });

  it("never hides a command: one registered after the alias was added wins, and the list says so", async () => {
    const store = new MemoryStore();
    const before = await createHarness({ policy: withAliases, commands: [echo], store });
    await before.as("alice").say("!alias add hello = echo from the alias");
    await before.close();
    const hello = defineCommand({ name: "hello", summary: "Greet", guests: false, handler: () => "from the command" });
    const after = await createHarness({ policy: withAliases, commands: [echo, hello], store });
    expect((await after.as("bob").say("!hello")).text).toBe("from the command");
    expect((await after.as("bob").say("!alias list")).text).toMatch(/hidden: a command now has this name/);
    await after.close();
  });

  it("lists and removes aliases; removal is audited", async () => {
    const h = await createHarness({ policy: withAliases, commands: [echo] });
    await h.as("bob").say("!alias add hi = echo hello");
    expect((await h.as("carol").say("!alias list")).text).toMatch(/!hi +echo hello +bob/);
    expect((await h.as("carol").say("!help")).text).toMatch(/aliases: !hi \("!alias list" shows them\)/);
    expect((await h.as("carol").say("!help hi")).text).toMatch(/!hi is an alias for: echo hello/);
    expect((await h.as("zed").say("!help")).text).not.toMatch(/aliases/);
    expect((await h.as("zed").say("!alias list")).text).toMatch(/not for guests/);
    expect((await h.as("bob").say("!alias remove hi")).text).toBe("✔ removed alias hi");
    expect((await h.as("bob").say("!hi")).text).toMatch(/unknown command|did you mean|no command/i);
    expect((await h.audit()).filter((e) => e.event === "alias").map((e) => e.detail?.change)).toEqual([
      "add",
      "remove",
    ]);
    await h.close();
  });
});
