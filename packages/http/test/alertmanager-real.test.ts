/**
 * Real Prometheus scrapes the bot's /metrics; a rule fires when the bot's "irc" network reports disconnected; real
 * Alertmanager delivers the group to /hooks/alertmanager; the bot posts it, then edits it to resolved.
 */
import {
  type Alertmanager,
  type Prometheus,
  startAlertmanager,
  startPrometheus,
  until,
} from "@switchboard/test-servers";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type HttpServer, httpConfigSchema, startHttpServer } from "../src/index.js";
import { sentText, type TestBot, testBot } from "./bot.js";

const TOKEN = "am-token-0123456789abcdef";

/** The alert rule: fires while the bot reports its irc network disconnected (read from the bot's own /metrics). */
const RULES = {
  groups: [
    {
      name: "switchboard",
      interval: "1s",
      rules: [
        {
          alert: "BotNetworkDown",
          expr: 'switchboard_adapter_connected{network="irc"} == 0',
          labels: { severity: "page", team: "ops" },
          annotations: {
            summary: "the bot lost {{ $labels.network }}",
            runbook_url: "https://runbooks.example.com/bot-network",
          },
        },
      ],
    },
  ],
};

describe("Prometheus → Alertmanager → POST /hooks/alertmanager → rooms (real servers)", () => {
  let t: TestBot;
  let server: HttpServer;
  let alertmanager: Alertmanager | undefined;
  let prometheus: Prometheus | undefined;

  beforeAll(async () => {
    t = await testBot({ networks: ["chat", "irc"], editing: ["matrix"] });
    const config = httpConfigSchema.parse({
      listen: "127.0.0.1:0",
      alertmanager: {
        token: TOKEN,
        routes: [
          { matchers: ['severity="page"', 'team=~"ops|sre"'], rooms: ["matrix:!ops:example.org", "chat:#ops"] },
          { rooms: ["chat:#alerts"] },
        ],
      },
    });
    server = await startHttpServer({ bot: t.bot, config });
    alertmanager = await startAlertmanager({ webhook: `${server.url}/hooks/alertmanager`, token: TOKEN });
    prometheus = await startPrometheus({
      scrape: { switchboard: [server.url.replace("http://", "")] },
      rules: RULES,
      alertmanagers: [`127.0.0.1:${alertmanager.port}`],
    });
  }, 60_000);

  afterAll(async () => {
    await prometheus?.stop();
    await alertmanager?.stop();
    await server?.close();
    await t?.close();
  });

  it("fires into the routed rooms, then the same message turns resolved where the network can edit", async () => {
    t.adapter("irc").reportStatus({ connected: false, detail: "connection reset" });
    const matrix = t.adapter("matrix");
    const firing = () => sentText(matrix, "!ops:example.org").some((text) => text.includes("FIRING"));
    await until(firing, "the firing alert in the Matrix room", 60_000).catch((error: Error) => {
      throw new Error(
        `${error.message}\nalertmanager log:\n${alertmanager?.log()}\nprometheus log:\n${prometheus?.log()}`,
      );
    });
    const [first] = sentText(matrix, "!ops:example.org");
    expect(first).toBe(
      "✖ FIRING: BotNetworkDown\n- the bot lost irc\nrunbook: https://runbooks.example.com/bot-network",
    );
    expect(sentText(t.adapter("chat"), "#ops").at(-1)).toMatch(/^✖ FIRING: BotNetworkDown/);
    expect(sentText(t.adapter("chat"), "#alerts")).toEqual([]); // the first route matched and does not continue

    t.adapter("irc").reportStatus({ connected: true, detail: "127.0.0.1:6667" });
    await until(
      () => sentText(matrix, "!ops:example.org").some((text) => text.startsWith("✔ RESOLVED: BotNetworkDown")),
      "the resolved alert in the Matrix room",
      60_000,
    );
    expect(sentText(matrix, "!ops:example.org")).toHaveLength(1); // edited in place, not a second message
    expect(sentText(t.adapter("chat"), "#ops").at(-1)).toMatch(/^✔ RESOLVED: BotNetworkDown/); // no edits: a new line

    const audited = [];
    for await (const entry of t.bot.auditLog.entries()) if (entry.actor === "webhook:alertmanager") audited.push(entry);
    expect(audited.map((e) => e.detail?.event)).toContain("alerts firing");
    expect(audited.map((e) => e.detail?.event)).toContain("alerts resolved");
    expect(audited[0]?.detail?.rooms).toEqual(["matrix:!ops:example.org", "chat:#ops"]);
  }, 150_000);
});
