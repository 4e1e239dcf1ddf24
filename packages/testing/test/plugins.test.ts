import { arg, defineCommand, definePlugin } from "@switchboard/core";
import { describe, expect, it } from "vitest";
import { z } from "zod";
import { createHarness } from "../src/index.js";

const counter = definePlugin({
  name: "counter",
  description: "counts things",
  configSchema: z.object({ step: z.number().int().positive().default(1), label: z.string() }).strict(),
  commands: (config) => [
    defineCommand({
      name: "count",
      summary: "adds the configured step to a named counter",
      args: { name: arg.string({ positional: true, required: true }) },
      handler: async ({ args, store }) => {
        const value = ((await store.get<number>("counters", args.name)) ?? 0) + config.step;
        await store.set("counters", args.name, value);
        return `${config.label} ${args.name} = ${value}`;
      },
    }),
  ],
  setup: async ({ store, config }) => {
    await store.set("counters", "seeded", 100 * config.step);
  },
});

describe("plugins", () => {
  it("get their validated config, their own store namespace and a setup step", async () => {
    const h = await createHarness({ plugins: [[counter, { step: 5, label: "total" }]] });
    expect((await h.as("alice").say("!count apples")).text).toBe("total apples = 5");
    expect((await h.as("alice").say("!count apples")).text).toBe("total apples = 10");
    expect((await h.as("alice").say("!count seeded")).text).toBe("total seeded = 505");
    expect(await h.bot.store.get("counter/counters", "apples")).toBe(10);
    expect(await h.bot.store.get("counters", "apples")).toBeUndefined();
    expect(h.bot.commands().find((command) => command.name === "count")?.plugin).toBe("counter");
    await h.close();
  });

  it("refuse bad configuration naming the plugin and the key", async () => {
    await expect(createHarness({ plugins: [[counter, { step: -1, label: "x" }]] })).rejects.toThrow(
      /plugins\.counter\.step: Too small/,
    );
    await expect(createHarness({ plugins: [[counter, { step: 1 }]] })).rejects.toThrow(/plugins\.counter\.label/);
  });

  it("cannot take a name another plugin or the core already uses", async () => {
    const clash = definePlugin({
      name: "clash",
      commands: [defineCommand({ name: "help", summary: "x", handler: () => "x" })],
    });
    await expect(createHarness({ plugins: [clash] })).rejects.toThrow(
      /command "help" \(plugin clash\) clashes with command "help"/,
    );
  });
});
