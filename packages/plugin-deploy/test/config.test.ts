import { describe, expect, it } from "vitest";
import { deployConfigSchema } from "../src/config.js";
import { deployHarness } from "./helpers.js";

const provider = { type: "command", command: ["./deploy.sh"] };
const problems = (config: unknown) => {
  const parsed = deployConfigSchema.safeParse(config);
  return parsed.success ? [] : parsed.error.issues.map((i) => `${i.path.join(".")}: ${i.message}`);
};

describe("configuration", () => {
  it("fills defaults", () => {
    const config = deployConfigSchema.parse({ apps: { web: { git: ".", provider, environments: { staging: {} } } } });
    expect(config.gitCommand).toBe("git");
    expect(config.lockDuration).toBe(3_600_000);
    expect(config.apps.web?.defaultRef).toBe("main");
    expect(config.apps.web?.provider).toMatchObject({ timeout: 1_800_000, killGrace: 10_000, env: {} });
  });

  it("names the key of every problem", () => {
    expect(
      problems({
        apps: {
          lock: { git: ".", provider, environments: { x: {} } },
          web: {
            defaultRef: "-bad",
            defaultEnvironment: "prod",
            provider: { type: "command", command: "./deploy.sh --all", timeout: "10 minutes" },
            environments: { staging: { requiredContexts: ["ci"] }, Production: {} },
          },
          api: { repository: "acme/api", environments: { staging: { provider: { type: "github" } } } },
        },
      }),
    ).toEqual([
      'apps.web.defaultRef: "-bad" starts with "-"; a ref may not look like an option',
      "apps.web.provider.command: Invalid input: expected array, received string",
      "apps.web.provider.timeout: not a duration: use a number with a unit, e.g. 30s, 15m, 2h, 1h30m",
    ]);
    expect(
      problems({
        apps: {
          lock: { git: ".", provider, environments: { x: {} } },
          web: {
            defaultEnvironment: "prod",
            environments: { staging: { requiredContexts: ["ci"] }, Production: { provider } },
          },
          api: { repository: "acme/api", environments: { staging: { provider: { type: "github" } } } },
        },
      }),
    ).toEqual([
      'apps.lock: "lock" is a deploy subcommand; pick another name',
      'apps.web.environments.Production: "Production" is not a valid name (lower-case letters, digits, - and _; at most 63 characters)',
      'apps.web.defaultEnvironment: "prod" is not one of its environments (staging, Production)',
      "apps.web: set git (a repository path or URL), or repository together with github, to resolve refs",
      "apps.web.environments.staging.provider: no provider: set one here or for the app",
      "apps.web.environments.staging.requiredContexts: CI contexts are read from GitHub: set the app's repository and the plugin's github settings",
      "apps.api: set git (a repository path or URL), or repository together with github, to resolve refs",
      "apps.api.environments.staging.provider: the github provider needs the app's repository and the plugin's github settings",
    ]);
  });

  it("is checked when the plugin is enabled, naming the plugin", async () => {
    await expect(deployHarness({ apps: { web: { git: ".", environments: { staging: {} } } } })).rejects.toThrow(
      "plugins.deploy.apps.web.environments.staging.provider: no provider: set one here or for the app",
    );
  });
});
