/**
 * Rollback takes its commit from the deploy history, which lives in the store (the same file as the audit log, so
 * whoever can write it can edit the history), and CI can turn red for a commit after it shipped. Written as the
 * attacks, against a local server speaking GitHub's REST API (the real Octokit talks to it).
 */

import { FakeGitHub, GITHUB_ACTIONS } from "@switchboard/test-servers";
import type { Harness } from "@switchboard/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { DeployRecord } from "../src/history.js";
import { deployHarness, history } from "./helpers.js";

const sha = (c: string) => c.repeat(40);
const green = [{ name: "ci/test", status: "completed" as const, conclusion: "success" as const, app: GITHUB_ACTIONS }];
const red = [{ name: "ci/test", status: "completed" as const, conclusion: "failure" as const, app: GITHUB_ACTIONS }];

describe("rollback re-checks CI for the commit it takes from the history", () => {
  const github = new FakeGitHub();
  let baseUrl: string;

  beforeAll(async () => {
    baseUrl = await github.start();
    github.deploymentPlan = [{ state: "success" }];
  });
  afterAll(() => github.close());

  /** api deployed to staging twice: `first` (then green) and `second`; the rollback target is `first`. */
  async function twoDeploys(first: string, second: string): Promise<Harness> {
    const h = await deployHarness({
      github: { baseUrl, token: "test-token" },
      apps: {
        api: {
          repository: "acme/api",
          provider: { type: "github", pollInterval: "10ms" },
          environments: { staging: { requiredContexts: ["ci/test"] } },
        },
      },
    });
    github.checkRuns.set(first, green);
    github.checkRuns.set(second, green);
    github.setRef("acme/api", "main", first);
    expect((await h.as("bob").say("!deploy api/main to staging")).text).toMatch(/✔ deployed api\/main/);
    github.setRef("acme/api", "main", second);
    expect((await h.as("bob").say("!deploy api/main to staging")).text).toMatch(/✔ deployed api\/main/);
    return h;
  }

  it("rolls back to a commit whose CI is still green, and says so", async () => {
    const h = await twoDeploys(sha("a"), sha("b"));
    const reply = await h.as("bob").say("!rollback api staging");
    expect(reply.text).toMatch(/api\/main is aaaaaaa; CI is green: ci\/test success/);
    expect(reply.text).toMatch(/✔ deployed api\/main \(aaaaaaa\) to staging/);
    await h.close();
  });

  it("attack: the commit's CI turned red after it shipped — the rollback is refused", async () => {
    const h = await twoDeploys(sha("c"), sha("d"));
    github.checkRuns.set(sha("c"), red); // a re-run failed, or the check was found to be wrong
    const deploysBefore = github.deployments.length;
    const reply = await h.as("bob").say("!rollback api staging");
    expect(reply.text).toMatch(/✖ not rolling back: CI is not green for api\/main \(ccccccc\): ci\/test failure/);
    expect(reply.text).not.toMatch(/deploy!/);
    expect(github.deployments.length).toBe(deploysBefore);
    const denied = (await h.audit()).find((e) => e.event === "denied" && e.command === "rollback");
    expect(denied?.rule).toBe("ci gate api/staging");
    await h.close();
  });

  it("attack: the history in the store was edited to name a commit that never passed CI — refused", async () => {
    const h = await twoDeploys(sha("e"), sha("f"));
    github.checkRuns.set(sha("9"), red);
    // Someone with the database file points the earlier deploy at another commit.
    const entries = await h.bot.store.list<DeployRecord>("deploy/history");
    const [key, record] = entries.find(([, r]) => r.sha === sha("e"))!;
    await h.bot.store.set("deploy/history", key, { ...record, sha: sha("9") });
    const deploysBefore = github.deployments.length;
    const reply = await h.as("bob").say("!rollback api staging");
    expect(reply.text).toMatch(/✖ not rolling back: CI is not green for api\/main \(9999999\)/);
    expect(github.deployments.length).toBe(deploysBefore);

    // A history record that names no commit at all is refused before anything is asked of GitHub.
    await h.bot.store.set("deploy/history", key, { ...record, sha: "main; reboot" });
    expect((await h.as("bob").say("!rollback api staging")).text).toMatch(/names no valid commit/);
    expect((await history(h))[0]!.sha).toBe(sha("f"));
    await h.close();
  });
});
