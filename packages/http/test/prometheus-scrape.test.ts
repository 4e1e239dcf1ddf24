/** Real Prometheus scrapes the bot's /metrics; a query returns the command counter after commands were run. */
import { defineCommand } from "@switchboard/core";
import { type Prometheus, startPrometheus, until } from "@switchboard/test-servers";
import { createHarness, type Harness } from "@switchboard/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type HttpServer, httpConfigSchema, startHttpServer } from "../src/index.js";

const hello = defineCommand({ name: "hello", summary: "Says hello", guests: true, handler: () => "hello" });

describe("Prometheus scrapes /metrics (real server)", () => {
  let h: Harness;
  let server: HttpServer;
  let prometheus: Prometheus | undefined;

  beforeAll(async () => {
    h = await createHarness({ commands: [hello] });
    server = await startHttpServer({ bot: h.bot, config: httpConfigSchema.parse({ listen: "127.0.0.1:0" }) });
    prometheus = await startPrometheus({ scrape: { switchboard: [server.url.replace("http://", "")] } });
  }, 60_000);
  afterAll(async () => {
    await prometheus?.stop();
    await server?.close();
    await h?.close();
  });

  it("the command counter is queryable once scraped", async () => {
    for (let i = 0; i < 3; i++) expect((await h.as("alice").say("!hello")).text).toBe("hello");
    // Prometheus batches target discovery every ~5 s: the first sample shows up after about 6 s; poll for it.
    let value: string | undefined;
    await until(
      async () => {
        const [result] = await prometheus!.query('switchboard_commands_total{command="hello",outcome="succeeded"}');
        value = result?.value[1];
        return value === "3";
      },
      "Prometheus to have scraped the counter",
      45_000,
    ).catch((error: Error) => {
      throw new Error(`${error.message} (last value ${value})\n${prometheus?.log()}`);
    });
    const [up] = await prometheus!.query('up{job="switchboard"}');
    expect(up?.value[1]).toBe("1");
    const [connected] = await prometheus!.query('switchboard_adapter_connected{network="test"}');
    expect(connected?.value[1]).toBe("1");
  }, 60_000);
});
