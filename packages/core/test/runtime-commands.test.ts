import { describe, expect, it } from "vitest";
import { CommandRegistry } from "../src/commands/registry.js";
import { type RuntimeCommands, runtimeCommands } from "../src/commands/runtime-commands.js";
import {
  createBot,
  defineCommand,
  definePlugin,
  type IncomingMessage,
  renderText,
  silentLogger,
} from "../src/index.js";

const noop = () => "ran";

describe("commands added and removed at runtime", () => {
  it("registers and unregisters a command with its alias; a removed group word is free again", () => {
    const registry = new CommandRegistry();
    registry.register(defineCommand({ name: "deploy", summary: "d", handler: noop }));
    const mine = runtimeCommands(registry, "rpc");
    mine.add(
      defineCommand({ name: "ops restart", aliases: ["ops bounce"], summary: "r", guests: false, handler: noop }),
    );
    expect(registry.get("ops restart")?.command.plugin).toBe("rpc");
    expect(registry.lookup(["ops", "bounce"])).toMatchObject({ found: true, name: "ops bounce" });
    expect(registry.lookup(["ops", "restrat"])).toMatchObject({ found: false, suggestions: ["restart"] });
    expect(mine.remove("ops restart")).toBe(true);
    expect(registry.lookup(["ops", "bounce"])).toMatchObject({ found: false });
    expect(registry.lookup(["ops"])).toMatchObject({ found: false, prefix: [] });
    expect(registry.all().map((e) => e.command.name)).toEqual(["deploy"]);
    expect(mine.taken("ops")).toBeUndefined();
  });

  it("refuses names that are taken or that would shadow another command, naming it", () => {
    const registry = new CommandRegistry();
    registry.register(defineCommand({ name: "deploy", summary: "d", handler: noop }));
    registry.register({ ...defineCommand({ name: "pager ack", summary: "a", handler: noop }), plugin: "paging" });
    const mine = runtimeCommands(registry, "rpc");
    expect(() =>
      mine.add(defineCommand({ name: "deploy options", summary: "o", guests: false, handler: noop })),
    ).toThrow('command "deploy options" (plugin rpc) would clash with command "deploy" (built in)');
    expect(mine.taken("pager")).toBe('"pager ack" (plugin paging)');
    expect(() =>
      mine.add(defineCommand({ name: "x", aliases: ["pager"], summary: "x", guests: false, handler: noop })),
    ).toThrow(/would clash with command "pager ack" \(plugin paging\)/);
    expect(registry.get("x")).toBeUndefined();
  });

  it("refuses a command added at runtime that says neither a permission nor who may run it (closed by default)", () => {
    const mine = runtimeCommands(new CommandRegistry(), "rpc");
    expect(() => mine.add(defineCommand({ name: "open", summary: "o", handler: noop }))).toThrow(
      /declares neither a permission nor who may run it/,
    );
  });

  it("removes only its own plugin's commands", () => {
    const registry = new CommandRegistry();
    registry.register({ ...defineCommand({ name: "pager ack", summary: "a", handler: noop }), plugin: "paging" });
    expect(runtimeCommands(registry, "rpc").remove("pager ack")).toBe(false);
    expect(runtimeCommands(registry, "rpc").remove("help")).toBe(false);
    expect(registry.get("pager ack")).toBeDefined();
  });

  it("gives plugins the API in setup: an added command is dispatched, in help, and gone once removed", async () => {
    let api: RuntimeCommands | undefined;
    const plugin = definePlugin({
      name: "dyn",
      commands: [],
      setup: (context) => {
        api = context.commands;
      },
    });
    const bot = createBot({ logger: silentLogger() }).use(plugin);
    await bot.start();
    let n = 0;
    const say = async (text: string) => {
      const replies: string[] = [];
      const message: IncomingMessage = {
        id: `m${++n}`,
        network: "test",
        room: { id: "#ops", direct: false },
        sender: { id: "alice", name: "alice", verified: true },
        text,
        time: new Date(),
      };
      await bot.handle(message, {
        respond: async (m) => {
          replies.push(renderText(m.blocks));
        },
      });
      return replies.join("\n");
    };
    api!.add(
      defineCommand({
        name: "late hello",
        summary: "Say hello, added late",
        guests: true,
        handler: () => "hello there",
      }),
    );
    expect(await say("!late hello")).toContain("hello there");
    expect(await say("!help")).toContain("Say hello, added late");
    api!.remove("late hello");
    expect(await say("!late hello")).toMatch(/unknown command/i);
    await bot.stop();
  });
});
