/**
 * `switchboard config check` as a real preflight: each case is a configuration that used to pass (or failed only
 * in stages) and now is rejected in one run, each problem with its line and a hint in plain words.
 */
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterEach, beforeAll, describe, expect, it } from "vitest";
import { assertBuilt, runCli, tempDir } from "./cli.js";

const temps: Array<{ remove(): void }> = [];
afterEach(() => {
  for (const temp of temps.splice(0)) temp.remove();
});
beforeAll(() => assertBuilt());

const OWNER = [
  "roles: { owner: { permissions: ['*'] } }",
  "principals: { alice: { roles: [owner], identities: { shell: alice } } }",
];

/** `config check` on `lines` as switchboard.yaml in a fresh folder. */
async function check(lines: string[], env: Record<string, string | undefined> = {}) {
  const temp = tempDir("switchboard-preflight-");
  temps.push(temp);
  writeFileSync(join(temp.dir, "switchboard.yaml"), `${lines.join("\n")}\n`);
  const result = await runCli(["config", "check"], { cwd: temp.dir, env });
  return { ...result, dir: temp.dir };
}

describe("config check reports every problem of every stage in one run", () => {
  it("schema, references, plugins and start checks together, each with its line", async () => {
    const result = await check([
      "adapters:", // 1
      "  type: shell", // 2: a map where a list belongs
      "roles: { owner: { permissions: ['*'] } }", // 3
      "principals: { alice: { roles: [ownr], identities: { shell: alice } } }", // 4
      "audit: { keyFile: ./.switchboard/audit-key }", // 5: inside the data folder
      "plugins:", // 6
      "  pagin: {}", // 7: a plugin name with a typo
      "  deploy:", // 8
      "    aps: {}", // 9: a plugin key with a typo
    ]);
    expect(result.code).toBe(1);
    const lines = result.stderr.trim().split("\n").slice(1);
    expect(lines).toEqual(
      expect.arrayContaining([
        expect.stringMatching(
          /switchboard\.yaml:1:1: adapters: adapters is a list: start each entry with "- " on its own line/,
        ),
        expect.stringMatching(
          /switchboard\.yaml:4:\d+: principals\.alice\.roles\[0\]: no role "ownr" is defined \(roles: owner\)/,
        ),
        expect.stringMatching(
          /switchboard\.yaml:5:\d+: audit\.keyFile: audit\.keyFile \(.*\) is inside the database's folder/,
        ),
        expect.stringMatching(/switchboard\.yaml:7:\d+: plugins\.pagin: no plugin "pagin"; did you mean "paging"\?/),
        expect.stringMatching(
          /switchboard\.yaml:9:\d+: plugins\.deploy\.aps: unknown key "aps"; did you mean "apps"\?/,
        ),
      ]),
    );
  });
});

describe("config check rejects what start or the first command would trip over", () => {
  it("an audit key inside the data folder", async () => {
    const result = await check([...OWNER, "audit: { keyFile: ./.switchboard/keys/audit-key }"]);
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/audit\.keyFile: .* is inside the database's folder .*: put it elsewhere/);
  });

  it("a rota starting 2026-13-01", async () => {
    const result = await check([
      ...OWNER,
      "plugins:",
      "  paging:",
      "    local:",
      "      schedules:",
      "        ops: { people: [alice], start: 2026-13-01T09:00 }",
    ]);
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(
      /:7:\d+: plugins\.paging\.local\.schedules\.ops\.start: 2026-13-01T09:00 is not a real date and time/,
    );
  });

  it("a rota naming someone who is not a principal", async () => {
    const result = await check([
      ...OWNER,
      "plugins:",
      "  paging:",
      "    local:",
      "      schedules:",
      "        ops: { people: [alice, bobby], start: 2026-11-23T09:00 }",
    ]);
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(
      /plugins\.paging\.local\.schedules\.ops\.people\[1\]: "bobby" is not a principal \(principals: alice\)/,
    );
  });

  it("a PagerDuty service whose routing key came out empty", async () => {
    const result = await check(
      [
        ...OWNER,
        "plugins:",
        "  paging:",
        "    provider: pagerduty",
        "    pagerduty:",
        "      token: ${PAGERDUTY_TOKEN}",
        "      services:",
        "        web: { routingKey: '${PAGERDUTY_WEB_KEY:-}' }",
      ],
      { PAGERDUTY_TOKEN: "t0ken-value" },
    );
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(
      /plugins\.paging\.pagerduty\.services\.web\.routingKey: routingKey is empty \(is the variable it names set\?\): "pager trigger web" would have no integration/,
    );
  });

  it("a deploy repository that does not exist, with the demo's setup command when it is the demo's", async () => {
    const result = await check([
      ...OWNER,
      "plugins:",
      "  deploy:",
      "    apps:",
      "      web:",
      "        git: ./.switchboard/demo/web",
      "        provider: { type: command, command: [./deploy.sh] }",
      "        environments: { staging: {} }",
    ]);
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(
      /plugins\.deploy\.apps\.web\.git: the repository \S+\/\.switchboard\/demo\/web does not exist — the demo's repositories: run sh examples\/deploy\/demo-setup\.sh/,
    );
    expect(result.stderr).toMatch(
      /plugins\.deploy\.apps\.web\.provider\.command\[0\]: the script \S+\/deploy\.sh does not exist/,
    );
  });

  it("a policy in which nobody holds a role", async () => {
    const result = await check(["roles: { owner: { permissions: ['*'] } }", "principals: {}"]);
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(
      /principals: no principal holds a role: everyone is a guest and nobody can administer the bot/,
    );
  });

  it("values of the wrong kind, in plain words", async () => {
    const result = await check([...OWNER, "bot: { prefix: 1, aliases: sb }", "store: { synchronous: OFF }"]);
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/bot\.prefix: prefix is text: put the value in quotes, e.g\. "1"/);
    expect(result.stderr).toMatch(/bot\.aliases: aliases is a list: start each entry with "- "/);
    expect(result.stderr).toMatch(/store\.synchronous: synchronous must be one of: NORMAL, FULL \(it is "OFF"\)/);
    expect(result.stderr).not.toMatch(/Invalid input|Invalid option/);
  });

  it("control: a sound configuration passes, with its repositories in place", async () => {
    const temp = tempDir("switchboard-preflight-");
    temps.push(temp);
    mkdirSync(join(temp.dir, "repo"));
    writeFileSync(
      join(temp.dir, "switchboard.yaml"),
      [
        ...OWNER,
        "plugins:",
        "  deploy:",
        "    apps:",
        "      web: { git: ./repo, provider: { type: command, command: [/bin/true] }, environments: { staging: {} } }",
        "  paging:",
        "    local: { schedules: { ops: { people: [alice], start: 2026-11-23T09:00 } } }",
        "",
      ].join("\n"),
    );
    const result = await runCli(["config", "check"], { cwd: temp.dir });
    expect(result.stderr).toBe("");
    expect(result.code).toBe(0);
  });
});
