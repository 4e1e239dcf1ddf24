import { spawnSync } from "node:child_process";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { SlackAdapter } from "@switchboard/adapter-slack";
import { silentLogger } from "@switchboard/core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createAdapter } from "../src/adapter-types.js";
import { ConfigError, type ConfigIssue, parseConfig } from "../src/index.js";
import { assertBuilt, copyExample, repoRoot, runCli, tempDir } from "./cli.js";

const env = { SLACK_APP_TOKEN: "xapp-1-test", SLACK_BOT_TOKEN: "xoxb-test", SLACK_ADMIN: "U0ADMIN" };

function issuesOf(text: string): ConfigIssue[] {
  try {
    parseConfig(text, "test.yaml", { env: {} });
  } catch (error) {
    if (error instanceof ConfigError) return error.issues;
    throw error;
  }
  throw new Error("expected a ConfigError");
}

describe("type: slack in the configuration", () => {
  it("accepts examples/slack.yaml and creates the adapter with durations in ms", async () => {
    const text = readFileSync(join(repoRoot, "examples/slack.yaml"), "utf8");
    const { config } = parseConfig(text, "slack.yaml", { env });
    const entry = config.adapters[0]!;
    expect(entry).toMatchObject({ type: "slack", name: "slack", mode: "socket", apiUrl: "https://slack.com/api/" });
    const adapter = await createAdapter(entry, { logger: silentLogger() });
    // Created from the package's built entry (the app's path), so compare by name, not by class identity.
    expect(adapter.constructor.name).toBe(SlackAdapter.name);
    expect(adapter.network).toBe("slack");
    expect((adapter as SlackAdapter).options).toMatchObject({
      appToken: "xapp-1-test",
      botToken: "xoxb-test",
      sendInterval: 1000,
      slashCommand: { name: "/switchboard", reply: "response_url" },
    });
  });

  it("asks for the token of the mode", () => {
    const issues = issuesOf(
      ["adapters:", "  - type: slack", "    botToken: xoxb-1", "    mode: events", ""].join("\n"),
    );
    expect(issues.map((i) => [i.path.join("."), i.message])).toEqual([
      ["adapters.0.signingSecret", "Events API mode needs signingSecret"],
    ]);
  });

  it("names the key of every mistake", () => {
    const issues = issuesOf(
      [
        "adapters:",
        "  - type: slack",
        "    botToken: xoxp-a-user-token",
        "    channels: ['#ops']",
        "    sendInterval: soon",
        "    slashcommand: {}",
        "",
      ].join("\n"),
    );
    expect(issues.map((i) => i.path.join("."))).toEqual(
      expect.arrayContaining([
        "adapters.0.botToken",
        "adapters.0.channels.0",
        "adapters.0.sendInterval",
        "adapters.0.slashcommand",
      ]),
    );
  });
});

/** `config check` reads the slack entry from the light `./type` entry: no Slack library is loaded. */
describe("switchboard config check with examples/slack.yaml", () => {
  const temp = tempDir("switchboard-slack-light-");
  const hook = join(temp.dir, "no-slack.mjs");

  beforeAll(() => {
    assertBuilt();
    writeFileSync(
      join(temp.dir, "hooks.mjs"),
      `export async function resolve(specifier, context, next) {
  if (specifier.startsWith("@slack/") || specifier === "undici") throw new Error("loaded " + specifier);
  return next(specifier, context);
}
`,
    );
    writeFileSync(hook, `import { register } from "node:module";\nregister("./hooks.mjs", import.meta.url);\n`);
  });
  afterAll(() => temp.remove());

  it("passes without loading @slack/web-api or @slack/socket-mode", async () => {
    // A copy with the demo repositories beside it: config check also checks that the deploy repository exists.
    const setup = spawnSync("sh", [join(repoRoot, "examples/deploy/demo-setup.sh")], {
      cwd: temp.dir,
      encoding: "utf8",
    });
    expect(setup.status, setup.stderr).toBe(0);
    const result = await runCli(["config", "check", "--config", copyExample("slack.yaml", temp.dir)], {
      cwd: temp.dir,
      env: { ...env, NODE_OPTIONS: `--import ${hook}` },
    });
    expect(result.stderr).not.toContain("loaded @slack");
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/slack/);
  });

  it("control: starting the Slack adapter does load them, so the hook would notice", async () => {
    const result = await runCli(["start", "--config", copyExample("slack.yaml", temp.dir)], {
      cwd: temp.dir,
      env: { ...env, NODE_OPTIONS: `--import ${hook}` },
      timeoutMs: 20_000,
    });
    expect(`${result.stdout}${result.stderr}`).toContain("loaded @slack/");
    expect(result.code).not.toBe(0);
  });
});
