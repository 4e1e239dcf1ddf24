import { execFileSync } from "node:child_process";
import { describe, expect, it } from "vitest";

const bot = new URL("../bot.mjs", import.meta.url).pathname;

describe("embedding the core in another bot", () => {
  it("keeps the host bot's features and adds Switchboard's commands, permissions and audit", () => {
    const input = [
      "ana: hello",
      "ana: !restart web",
      "bo: !restart web",
      "ana: !restart db",
      "ana: !audit --command restart",
      "ana: opsbot: ping",
    ].join("\n");
    const output = execFileSync("node", [bot], { input, encoding: "utf8" });
    expect(output).toContain("opsbot> hello ana, I am the old bot");
    expect(output).toContain("opsbot> restarted web for ana");
    expect(output).toContain(
      "opsbot> ✖ denied: command restart requires permission service:restart, and your roles (guest) do not grant it",
    );
    expect(output).toMatch(/service must be one of web, worker, not "db"\nopsbot> usage: !restart <web\|worker>/);
    expect(output).toMatch(/opsbot> \d+ .*ana +restart +succeeded in \d+ms/);
    expect(output).toMatch(/opsbot> \d+ .*chatlog:bo +restart +denied/);
    expect(output).toContain("opsbot> pong, ana");
  });
});
