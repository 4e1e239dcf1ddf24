import { describe, expect, it } from "vitest";
import { adapterTypes } from "../src/adapter-types.js";
import { ConfigError, type ConfigIssue, defaultConfigText, parseConfig } from "../src/index.js";

/** The issues parseConfig throws for `text`. */
function issuesOf(text: string, env: Record<string, string> = {}): ConfigIssue[] {
  try {
    parseConfig(text, "test.yaml", { env });
  } catch (error) {
    if (error instanceof ConfigError) return error.issues;
    throw error;
  }
  throw new Error("expected a ConfigError");
}

describe("parseConfig", () => {
  it("fills in every default for an empty file", () => {
    const { config } = parseConfig("", "empty.yaml", { env: {} });
    expect(config.bot).toEqual({
      name: "switchboard",
      prefix: "!",
      aliases: [],
      defaultTimeout: 300_000,
      approvalTtl: 900_000,
      progressInterval: 1000,
      staleAfter: 120_000,
    });
    expect(config.store).toEqual({ path: "./.switchboard/switchboard.db", synchronous: "NORMAL" });
    expect(config.log).toEqual({ file: "./.switchboard/switchboard.log" });
    expect(config.adapters).toEqual([{ type: "shell" }]);
    expect(config.plugins).toEqual({});
    expect(config.guestRole).toBe("guest");
  });

  it("parses durations", () => {
    const { config } = parseConfig(
      "bot:\n  defaultTimeout: 1h30m\n  approvalTtl: 90s\n  progressInterval: 250ms\n",
      "d.yaml",
      { env: {} },
    );
    expect(config.bot.defaultTimeout).toBe(5_400_000);
    expect(config.bot.approvalTtl).toBe(90_000);
    expect(config.bot.progressInterval).toBe(250);
  });

  it("names the key path and the line of every problem, in file order", () => {
    const issues = issuesOf(
      [
        "bot:", // 1
        "  prefx: '?'", // 2
        "  defaultTimeout: soon", // 3
        "adapters:", // 4
        "  - type: shell", // 5
        "  - type: telex", // 6
        "principals:", // 7
        "  alice:", // 8
        "    roles: [admn]", // 9
        "",
      ].join("\n"),
    );
    expect(issues.map((i) => [i.path.join("."), i.line, i.message])).toEqual([
      ["bot.prefx", 2, 'unknown key "prefx"; did you mean "prefix"?'],
      ["bot.defaultTimeout", 3, "not a duration: use a number with a unit, e.g. 30s, 15m, 2h, 1h30m"],
      ["adapters.1.type", 6, `unknown adapter type "telex"; known types: ${[...adapterTypes.keys()].join(", ")}`],
      // References are checked in the same run, on what can be read (every stage at once).
      ["principals.alice.roles.0", 9, 'no role "admn" is defined (roles: none are defined)'],
    ]);
  });

  it("checks references between sections", () => {
    const issues = issuesOf("roles:\n  admin: {}\nprincipals:\n  alice:\n    roles: [admn]\nguestRole: visitor\n");
    expect(issues.map((i) => [i.path.join("."), i.line, i.message])).toEqual([
      ["principals.alice.roles.0", 5, 'no role "admn" is defined (roles: admin)'],
      ["guestRole", 6, 'no role "visitor" is defined (roles: admin)'],
    ]);
  });

  it("refuses two adapters with the same network name", () => {
    const issues = issuesOf("adapters:\n  - type: shell\n  - type: shell\n    user: bob\n");
    expect(issues).toEqual([
      expect.objectContaining({
        path: ["adapters", 1],
        line: 3,
        message: expect.stringContaining('network name "shell" is already used'),
      }),
    ]);
  });

  it("refuses a Matrix network on PostgreSQL without store.postgres.stateKey", () => {
    const matrix =
      "adapters:\n  - type: matrix\n    homeserver: https://m.example.org\n    userId: '@bot:example.org'\n    accessToken: t\n";
    const issues = issuesOf(`store:\n  postgres:\n    url: postgres://db/sb\n${matrix}`);
    expect(issues).toEqual([
      expect.objectContaining({
        path: ["store", "postgres"],
        line: 2,
        message: expect.stringMatching(/^adapters\[0\] is Matrix: .* sealed with store\.postgres\.stateKey; set it/),
      }),
    ]);
    const key = "q0JqSS0z8zmz4lR5yW1c7nZbJQ2cE5Cq9c7nZbJQ2cE=";
    const withKey = parseConfig(
      `store:\n  postgres:\n    url: postgres://db/sb\n    stateKey: \${STATE_KEY}\n${matrix}`,
      "k.yaml",
      { env: { STATE_KEY: key } },
    );
    expect(withKey.config.store.postgres?.stateKey).toBe(key);
    // An SQLite store keeps the keys in the Matrix adapter's folder: no key needed.
    expect(parseConfig(matrix, "m.yaml", { env: {} }).config.store.postgres).toBeUndefined();
  });

  it("reports YAML syntax errors with their line", () => {
    const issues = issuesOf("bot:\n  name: [unclosed\nstore: {}\n");
    expect(issues[0]?.message).toMatch(/^YAML: /);
    expect(issues[0]?.line).toBeGreaterThanOrEqual(2);
  });

  it(`interpolates \${VAR} in string values, with defaults and $\${ escapes`, () => {
    const { config } = parseConfig(
      `bot:\n  name: \${BOT_NAME}\n  aliases: ['\${ALIAS:-sb}', '$\${literal}']\nstore:\n  path: \${DIR}/db.sqlite\n`,
      "i.yaml",
      { env: { BOT_NAME: "opsbot", DIR: "/var/lib/sb" } },
    );
    expect(config.bot.name).toBe("opsbot");
    expect(config.bot.aliases).toEqual(["sb", `\${literal}`]);
    expect(config.store.path).toBe("/var/lib/sb/db.sqlite");
  });

  it("reports a missing variable by name and line", () => {
    const issues = issuesOf(`store:\n  path: \${SB_MISSING_DIR}/x.db\n`);
    expect(issues).toEqual([
      { path: ["store", "path"], line: 2, column: 3, message: "environment variable SB_MISSING_DIR is not set" },
    ]);
  });

  it("never shows a value that came from the environment", () => {
    const issues = issuesOf(
      `rules:\n  - name: r\n    command: deploy\n    approval: { permission: p, ttl: '\${TTL}' }\nstore:\n  synchronous: \${SYNC}\n`,
      { TTL: "hunter2", SYNC: "sekrit" },
    );
    const text = JSON.stringify(issues);
    expect(text).not.toContain("hunter2");
    expect(text).not.toContain("sekrit");
    expect(issues.find((i) => i.path.join(".") === "rules.0.approval.ttl")?.message).toBe(
      "not a duration: use a number with a unit, e.g. 30s, 15m, 2h, 1h30m",
    );
  });

  it("never shows a secret that a YAML alias put under another key (from the environment or written out)", () => {
    const fromEnv = issuesOf(
      `http:\n  github:\n    secret: &tok \${GITHUB_WEBHOOK_SECRET}\n    repos: {}\n  listen: *tok\n`,
      { GITHUB_WEBHOOK_SECRET: "gh-secret-value-0123456789abcdef" },
    );
    expect(fromEnv.map((i) => i.path.join("."))).toContain("http.listen");
    expect(JSON.stringify(fromEnv)).not.toContain("gh-secret-value");
    expect(fromEnv.find((i) => i.path.join(".") === "http.listen")?.message).toContain(`\${GITHUB_WEBHOOK_SECRET}`);
    const written = issuesOf(
      "http:\n  hooks:\n    ci:\n      secret: &s written-secret-0123456789\n      rooms: [shell:terminal]\n      template: x\n      deliveryField: id\n  listen: *s\n",
    );
    expect(written.map((i) => i.path.join("."))).toContain("http.listen");
    expect(JSON.stringify(written)).not.toContain("written-secret");
  });

  it("turns the built-in default into an owner for the login and a guest role", () => {
    const { config, source } = parseConfig(defaultConfigText("carol.x"), "(built-in default)", { env: {} });
    expect(source).toBe("(built-in default)");
    expect(config.roles.owner?.permissions).toEqual(["*"]);
    expect(config.roles.guest?.permissions).toEqual([]);
    expect(config.principals["carol.x"]).toEqual({ roles: ["owner"], identities: { shell: "carol.x" } });
    expect(config.adapters).toEqual([{ type: "shell" }]);
    const odd = parseConfig(defaultConfigText("who: #me"), "(built-in default)", { env: {} });
    expect(odd.config.principals["who: #me"]?.identities).toEqual({ shell: "who: #me" });
  });
});
