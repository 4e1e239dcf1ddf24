import { describe, expect, it } from "vitest";
import { z } from "zod";
import { createBot, defineCommand, definePlugin, silentLogger } from "../src/index.js";
import { PluginConfigError, validatePluginConfig } from "../src/plugins/plugin-config.js";

/** A plugin whose schema counts how often it ran and turns `every` ("5s") into milliseconds. */
function countingPlugin() {
  const runs = { count: 0 };
  const plugin = definePlugin<{ every: number }, { every: number }>({
    name: "tick",
    configSchema: z.object({
      every: z
        .string()
        .regex(/^\d+s$/, "a number of seconds, like 5s")
        .transform((text) => {
          runs.count += 1;
          return Number.parseInt(text, 10) * 1000;
        }),
    }),
    commands: (config, plugin) => [
      defineCommand({ name: "tick", summary: "t", handler: () => `${config.every} ${plugin.state.every}` }),
    ],
    setup: ({ config }) => ({ state: { every: config.every } }),
  });
  return { plugin, runs };
}

describe("plugin configuration, validated once by core", () => {
  it("bot.use takes validatePluginConfig's result as is: the schema runs once", () => {
    const { plugin, runs } = countingPlugin();
    const valid = validatePluginConfig(plugin, { every: "5s" });
    expect(valid.value).toEqual({ every: 5000 });
    createBot({ logger: silentLogger() }).use(plugin, valid);
    expect(runs.count).toBe(1);
  });

  it("a raw configuration is validated by bot.use itself", () => {
    const { plugin, runs } = countingPlugin();
    createBot({ logger: silentLogger() }).use(plugin, { every: "2s" });
    expect(runs.count).toBe(1);
  });

  it("a validated configuration of another plugin is validated again, not trusted", () => {
    const first = countingPlugin();
    const second = countingPlugin();
    const valid = validatePluginConfig(first.plugin, { every: "5s" });
    // The value (already a number) is not a valid raw configuration: nothing slips past the second schema.
    expect(() => createBot({ logger: silentLogger() }).use(second.plugin, valid)).toThrow(PluginConfigError);
  });

  it("a bad configuration names every key under plugins.<name>", () => {
    const { plugin } = countingPlugin();
    let error: unknown;
    try {
      createBot({ logger: silentLogger() }).use(plugin, { every: "soon" });
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(PluginConfigError);
    expect((error as PluginConfigError).issues).toEqual([
      { path: ["plugins", "tick", "every"], message: "a number of seconds, like 5s" },
    ]);
    expect((error as Error).message).toContain("plugins.tick.every: a number of seconds, like 5s");
  });
});
