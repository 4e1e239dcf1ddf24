/**
 * What the CI gate trusts, written as attacks against a local server speaking GitHub's REST API (the real Octokit
 * talks to it): a `neutral` or `skipped` conclusion, a green report of the right name from the wrong reporter, a
 * success status next to a failing check, and a branch that is not allowed in production.
 */

import { FakeGitHub, GITHUB_ACTIONS } from "@switchboard/test-servers";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { DeployConfigInput } from "../src/config.js";
import { deployHarness } from "./helpers.js";

const sha = (c: string) => c.repeat(40);
const EVIL_APP = { id: 999, slug: "helpful-bot" };

describe("CI gate: what counts as green", () => {
  const github = new FakeGitHub();
  let baseUrl: string;
  const appConfig = (environments: Record<string, unknown>): DeployConfigInput => ({
    github: { baseUrl, token: "test-token" },
    apps: {
      api: {
        repository: "acme/api",
        provider: { type: "github", pollInterval: "10ms" },
        environments: environments as never,
      },
    },
  });

  beforeAll(async () => {
    baseUrl = await github.start();
    github.deploymentPlan = [{ state: "success" }];
    const commits: Record<string, string> = {
      neutral: sha("1"),
      skipped: sha("2"),
      impostor: sha("3"),
      mixed: sha("4"),
      genuine: sha("5"),
      main: sha("6"),
      feature: sha("7"),
    };
    for (const [ref, commit] of Object.entries(commits)) github.setRef("acme/api", ref, commit);
    github.checkRuns.set(sha("1"), [{ name: "lint", status: "completed", conclusion: "neutral" }]);
    github.checkRuns.set(sha("2"), [{ name: "lint", status: "completed", conclusion: "skipped" }]);
    // Another app (any installed GitHub App, or a token with checks:write) reports "ci/test" green; so does a person.
    github.checkRuns.set(sha("3"), [{ name: "ci/test", status: "completed", conclusion: "success", app: EVIL_APP }]);
    github.statuses.set(sha("3"), [{ context: "ci/test", state: "success", creator: "mallory" }]);
    // CI reports a failure as a status; someone adds a green check run of the same name.
    github.statuses.set(sha("4"), [{ context: "ci/test", state: "failure", creator: "github-actions[bot]" }]);
    github.checkRuns.set(sha("4"), [{ name: "ci/test", status: "completed", conclusion: "success", app: EVIL_APP }]);
    github.checkRuns.set(sha("5"), [
      { name: "ci/test", status: "completed", conclusion: "success", app: GITHUB_ACTIONS },
      { name: "lint", status: "completed", conclusion: "neutral" },
    ]);
    for (const commit of [sha("6"), sha("7")])
      github.checkRuns.set(commit, [{ name: "ci/test", status: "completed", conclusion: "success" }]);
    // A tag named like the branch, pointing elsewhere.
    github.setTag("acme/api", "release", sha("7"));
  });
  afterAll(() => github.close());

  it.each([
    ["neutral", "lint neutral"],
    ["skipped", "lint skipped"],
  ])("a check concluded %s is not green unless the context accepts it", async (ref, shown) => {
    const h = await deployHarness(
      appConfig({
        staging: { requiredContexts: ["lint"] },
        qa: { requiredContexts: [{ name: "lint", accept: ["neutral", "skipped"] }] },
      }),
    );
    const refused = await h.as("bob").say(`!deploy api/${ref} to staging`);
    expect(refused.text).toMatch(new RegExp(`✖ CI is not green for api/${ref} \\(\\w{7}\\): ${shown}\\.`));
    expect((await h.as("bob").say(`!deploy api/${ref} to qa`)).text).toMatch(/✔ deployed/);
    expect((await h.as("bob").say(`!ci status api/${ref}`)).text).toMatch(
      new RegExp(`gate staging: +closed \\(${shown}\\)`),
    );
    await h.close();
  });

  it("a context pinned to an app ignores the same name reported by another app or a person", async () => {
    const pinned = { requiredContexts: [{ name: "ci/test", app: "github-actions" }] };
    const byId = { requiredContexts: [{ name: "ci/test", app: GITHUB_ACTIONS.id }] };
    const h = await deployHarness(appConfig({ staging: pinned, qa: byId }));
    const before = github.deployments.length;
    for (const env of ["staging", "qa"]) {
      const refused = await h.as("bob").say(`!deploy api/impostor to ${env}`);
      expect(refused.text).toMatch(
        /✖ CI is not green for api\/impostor \(\w{7}\): ci\/test \(by (github-actions|15368)\) missing/,
      );
    }
    expect(github.deployments).toHaveLength(before);
    expect((await h.as("bob").say("!deploy api/genuine to staging")).text).toMatch(/✔ deployed api\/genuine/);
    expect((await h.as("bob").say("!deploy api/genuine to qa")).text).toMatch(/✔ deployed api\/genuine/);
    await h.close();
  });

  it("a success and a failure of the same name are red, whichever came from where", async () => {
    const h = await deployHarness(appConfig({ staging: { requiredContexts: ["ci/test"] } }));
    const refused = await h.as("bob").say("!deploy api/mixed to staging");
    expect(refused.text).toMatch(/✖ CI is not green for api\/mixed \(\w{7}\): ci\/test failure\./);
    await h.close();
  });

  it("production takes only its branches, resolved as branches", async () => {
    const h = await deployHarness(
      appConfig({
        staging: {},
        production: { branches: ["main", "hotfix/*"], requiredContexts: ["ci/test"], approval: false },
      }),
    );
    const before = github.deployments.length;
    for (const ref of ["feature", "release", sha("6"), "mainx"]) {
      const refused = await h.as("alice").say(`!deploy api/${ref} to production`);
      expect(refused.text, ref).toMatch(
        /^✖ denied: production of api takes only main, hotfix\/\* \(not \S+\); merge it/,
      );
    }
    expect((await h.as("alice").say("!deploy api/hotfix/x to production")).text).toMatch(/no branch "hotfix\/x"/);
    expect(github.deployments.length).toBe(before);
    expect((await h.as("alice").say("!deploy api/feature to staging")).text).toMatch(/✔ deployed/);
    const shipped = await h.as("alice").say("!deploy api/main to production");
    expect(shipped.text).toMatch(/✔ deployed api\/main \(6666666\) to production/);
    expect(github.deployments.at(-1)?.body.ref).toBe(sha("6"));
    expect(github.requests.some((r) => r.path === "/repos/acme/api/branches/main")).toBe(true);
    const denial = (await h.audit()).find((e) => e.decision === "denied");
    expect(denial?.rule).toBe("plugins.deploy.apps.api.environments.production.branches");
    await h.close();
  });
});
