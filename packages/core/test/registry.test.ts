import { describe, expect, it } from "vitest";
import { arg, defineCommand, UserError } from "../src/index.js";
import { parseArgs, usageLine } from "../src/parse.js";
import { CommandRegistry } from "../src/registry.js";

const noop = () => undefined;

describe("command registry", () => {
  it("finds the longest registered name and leaves the rest as arguments", () => {
    const registry = new CommandRegistry();
    registry.register(
      defineCommand({ name: "deploy", summary: "d", pattern: "{app}", args: { app: arg.string() }, handler: noop }),
    );
    registry.register(defineCommand({ name: "deploy lock", summary: "l", handler: noop }));
    const found = registry.lookup(["Deploy", "lock", "api"]);
    expect(found).toMatchObject({ found: true, rest: ["api"] });
    expect(found.found && found.entry.command.name).toBe("deploy lock");
    expect(registry.lookup(["deploy", "api"])).toMatchObject({ found: true, rest: ["api"] });
  });

  it("refuses duplicate names and aliases, naming both commands and plugins", () => {
    const registry = new CommandRegistry();
    registry.register({ ...defineCommand({ name: "status", summary: "s", handler: noop }), plugin: "deploy" });
    expect(() =>
      registry.register({
        ...defineCommand({ name: "ci", aliases: ["status"], summary: "c", handler: noop }),
        plugin: "ci",
      }),
    ).toThrow('command "ci" (plugin ci) clashes with command "status" (plugin deploy): "status" is already taken');
  });

  it("refuses overlapping patterns at start-up, naming both", () => {
    const registry = new CommandRegistry();
    registry.register(
      defineCommand({
        name: "graph",
        summary: "g",
        pattern: "{target}",
        args: { target: arg.string() },
        handler: noop,
      }),
    );
    expect(() =>
      registry.register(
        defineCommand({
          name: "graph",
          summary: "h",
          pattern: "{from} {target}",
          args: { from: arg.string(), target: arg.string() },
          handler: noop,
        }),
      ),
    ).toThrow(/patterns "graph \{target\}" and "graph \{from\} \{target\}" overlap/);
  });

  it("refuses a pattern placeholder that is not an argument", () => {
    expect(() =>
      new CommandRegistry().register(defineCommand({ name: "x", summary: "x", pattern: "{nope}", handler: noop })),
    ).toThrow(/\{nope\}/);
  });

  it("suggests close names for a typo, and lists subcommands of a group", () => {
    const registry = new CommandRegistry();
    for (const name of ["deploy", "deploys", "role grant", "role revoke"])
      registry.register(defineCommand({ name, summary: name, handler: noop }));
    expect(registry.lookup(["delpoy"])).toMatchObject({ found: false, suggestions: ["deploy", "deploys"] });
    expect(registry.lookup(["role"])).toMatchObject({
      found: false,
      prefix: ["role"],
      unknown: "",
      group: ["grant", "revoke"],
    });
    expect(registry.lookup(["role", "grnat"])).toMatchObject({ found: false, suggestions: ["grant"] });
  });

  it("looks up in time independent of the number of commands (a trie, not a scan)", () => {
    const registry = new CommandRegistry();
    for (let i = 0; i < 5000; i++) registry.register(defineCommand({ name: `cmd${i}`, summary: "x", handler: noop }));
    // The lookup walks one map per typed word; a scan would have to touch every command.
    const found = registry.lookup(["cmd4999", "a"]);
    expect(found.found && found.entry.command.name).toBe("cmd4999");
  });
});

describe("argument parsing", () => {
  const registry = new CommandRegistry();
  const lock = defineCommand({
    name: "lock",
    summary: "lock",
    args: {
      env: arg.enum(["staging", "production"], { positional: true, required: true }),
      for: arg.duration({ default: 3_600_000 }),
      count: arg.number(),
      force: arg.flag({ alias: "f" }),
      reason: arg.string({ positional: true, rest: true }),
      token: arg.string({ secret: true }),
    },
    handler: noop,
  });
  registry.register(lock);
  const entry = registry.get("lock")!;
  const parse = (line: string) => parseArgs(entry, line.split(" ").filter(Boolean), "!");

  it("fills positionals in order, flags by name or alias, defaults and the rest", () => {
    expect(parse("production -f --for 30m --count 3 db is migrating")).toEqual({
      env: "production",
      for: 1_800_000,
      count: 3,
      force: true,
      reason: "db is migrating",
    });
    expect(parse("staging")).toEqual({ env: "staging", for: 3_600_000, force: false });
  });

  it.each([
    ["", /missing env/],
    ["prod", /env must be one of staging, production, not "prod"/],
    ["staging --count many", /count must be a number/],
    ["staging --for soon", /for must be a duration/],
    ["staging --nope 1", /unknown option --nope/],
    ["staging --count 1 --count 2", /count was given more than once/],
  ])("explains what is wrong with %j and shows the usage", (line, message) => {
    try {
      parse(line);
      expect.unreachable();
    } catch (error) {
      expect(error).toBeInstanceOf(UserError);
      expect((error as UserError).message).toMatch(message);
      expect((error as UserError).hint).toBe(`usage: ${usageLine(entry, "!")}`);
    }
  });

  it("writes a usage line from the metadata", () => {
    expect(usageLine(entry, "!")).toBe(
      "!lock <staging|production> [reason...] [--for <for>] [--count <count>] [--force] [--token <token>]",
    );
  });
});

describe("dash values", () => {
  it("-1h and -6h..-1h are values, not flags, with or without real flags on the line", () => {
    const registry = new CommandRegistry();
    registry.register(
      defineCommand({
        name: "graph",
        summary: "graph",
        args: {
          range: arg.string({ positional: true }),
          target: arg.string({ positional: true, rest: true }),
          by: arg.string(),
        },
        handler: () => "",
      }),
    );
    const parse = (line: string) => {
      const found = registry.lookup(line.split(" "));
      if (!found.found) throw new Error("not found");
      return parseArgs(found.entry, found.rest);
    };
    expect(parse("graph -1h load.fs1")).toMatchObject({ range: "-1h", target: "load.fs1" });
    expect(parse("graph -6h..-1h rate(x[5m]) --by job")).toMatchObject({
      range: "-6h..-1h",
      target: "rate(x[5m])",
      by: "job",
    });
    expect(() => parse("graph -1h x --nope")).toThrow(/unknown option --nope/);
  });
});
