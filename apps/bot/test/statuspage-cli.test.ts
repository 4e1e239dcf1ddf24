/**
 * The status plugin on Atlassian Statuspage through the built CLI, configured from STATUSPAGE_API_URL,
 * STATUSPAGE_TOKEN and STATUSPAGE_PAGE_ID as the README shows, against a local server speaking Statuspage's API v1.
 */
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { FakeStatuspage } from "@switchboard/test-servers";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { assertBuilt, runCli, tempDir } from "./cli.js";

describe("status on Statuspage from the environment", () => {
  const temp = tempDir("switchboard-statuspage-");
  let sp: FakeStatuspage;
  let env: Record<string, string>;

  beforeAll(async () => {
    assertBuilt();
    sp = await FakeStatuspage.start();
    sp.addComponent("Website");
    env = { STATUSPAGE_API_URL: sp.url, STATUSPAGE_TOKEN: sp.token, STATUSPAGE_PAGE_ID: sp.pageId };
    writeFileSync(
      join(temp.dir, "switchboard.yaml"),
      [
        "adapters:",
        "  - type: shell",
        "    user: alice",
        "    history: false",
        "plugins:",
        "  status:",
        "    provider: statuspage",
        "    components: { web: { name: Website } }",
        "    statuspage:",
        // biome-ignore lint/suspicious/noTemplateCurlyInString: the configuration file's own ${VAR} interpolation
        "      apiUrl: ${STATUSPAGE_API_URL:-https://api.statuspage.io}",
        // biome-ignore lint/suspicious/noTemplateCurlyInString: the configuration file's own ${VAR} interpolation
        "      token: ${STATUSPAGE_TOKEN}",
        // biome-ignore lint/suspicious/noTemplateCurlyInString: the configuration file's own ${VAR} interpolation
        "      pageId: ${STATUSPAGE_PAGE_ID}",
        "roles:",
        "  comms: { permissions: ['status:*'] }",
        "principals:",
        "  alice: { roles: [comms], identities: { shell: alice } }",
      ].join("\n"),
    );
  });
  afterAll(async () => {
    await sp?.stop();
    temp.remove();
  });

  it("config check names a missing variable", async () => {
    const missing = await runCli(["config", "check"], { cwd: temp.dir, env: { ...env, STATUSPAGE_TOKEN: undefined } });
    expect(missing.code).toBe(1);
    expect(missing.stderr).toMatch(/STATUSPAGE_TOKEN is not set/);
  });

  it("status set and an incident change the page; the key appears in no output", async () => {
    const run = await runCli(["shell"], {
      cwd: temp.dir,
      env,
      input:
        '!status set web degraded\n!status incident "Checkout errors" --component web --impact critical\n!status\n',
    });
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/web: degraded \(set by alice\)/);
    expect(run.stdout).toMatch(/Opened #\w+ Checkout errors \[critical\] — investigating \(web\)/);
    expect(run.stdout).toMatch(/web +major/);
    expect(sp.components[0]!.status).toBe("major_outage");
    expect(sp.incidents).toHaveLength(1);
    expect(run.stdout + run.stderr).not.toContain(sp.token);
    const log = join(temp.dir, ".switchboard/switchboard.log");
    expect(readFileSync(log, "utf8")).not.toContain(sp.token);
  });
});
