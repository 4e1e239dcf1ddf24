import { FakeGitHub } from "@switchboard/test-servers";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { DeployConfigInput } from "../src/config.js";
import { deployHarness, history, jobIdIn } from "./helpers.js";

const GREEN = "a".repeat(40);
const RED = "b".repeat(40);
const PENDING = "c".repeat(40);
const PARTIAL = "d".repeat(40);

describe("CI gates and the github provider, against a local server speaking GitHub's REST API", () => {
  const github = new FakeGitHub();
  let config: DeployConfigInput;

  beforeAll(async () => {
    const baseUrl = await github.start();
    for (const [ref, sha] of Object.entries({
      green: GREEN,
      red: RED,
      pending: PENDING,
      partial: PARTIAL,
      main: GREEN,
    }))
      github.setRef("acme/api", ref, sha);
    github.statuses.set(GREEN, [{ context: "ci/test", state: "success" }]);
    github.checkRuns.set(GREEN, [{ name: "lint", status: "completed", conclusion: "success" }]);
    github.statuses.set(RED, [{ context: "ci/test", state: "failure", description: "3 tests failed" }]);
    github.checkRuns.set(RED, [{ name: "lint", status: "completed", conclusion: "success" }]);
    github.statuses.set(PENDING, [{ context: "ci/test", state: "success" }]);
    github.checkRuns.set(PENDING, [{ name: "lint", status: "in_progress" }]);
    github.statuses.set(PARTIAL, [{ context: "ci/test", state: "success" }]); // lint never reported
    config = {
      github: { baseUrl, token: "test-token" },
      apps: {
        api: {
          repository: "acme/api",
          provider: { type: "github", pollInterval: "10ms", payload: { region: "eu" } },
          environments: {
            staging: { requiredContexts: ["ci/test", "lint"] },
            production: { requiredContexts: ["ci/test", "lint"], approval: false },
          },
        },
      },
    };
  });
  afterAll(() => github.close());

  it("green: creates a deployment of the exact commit and follows its statuses to success", async () => {
    const h = await deployHarness(config);
    const reply = await h.as("bob").say("!deploy api/green to staging");
    expect(h.transcript()).toContain("api/green is aaaaaaa; CI is green: ci/test success, lint success");
    expect(reply.text).toMatch(/✔ deployed api\/green \(aaaaaaa\) to staging/);
    const deployment = github.deployments.at(-1)!;
    expect(deployment.body).toMatchObject({
      ref: GREEN,
      environment: "staging",
      task: "deploy",
      auto_merge: false,
      required_contexts: [],
      payload: { app: "api", ref: "green", actor: "bob", region: "eu", job: jobIdIn(reply.text) },
    });
    expect(h.transcript()).toMatch(
      /created GitHub deployment \d+ of aaaaaaa to staging[\s\S]*queued[\s\S]*in_progress: deploying \(https:\/\/ci\.example\.org\/log\/1\)[\s\S]*success: deployed/,
    );
    expect((await history(h))[0]).toMatchObject({ sha: GREEN, provider: "github", outcome: "succeeded" });
    expect(github.requests.every((r) => r.authorization === "token test-token")).toBe(true);
    await h.close();
  });

  it("a deployment that ends in failure is a failed deploy", async () => {
    github.deploymentPlan = [{ state: "in_progress" }, { state: "failure", description: "health check failed" }];
    const h = await deployHarness(config);
    const reply = await h.as("bob").say("!deploy api/green to production");
    expect(reply.text).toMatch(/✖ deploy of api\/green \(aaaaaaa\) to production failed: deployment \d+: failure/);
    expect(h.transcript()).toContain("failure: health check failed");
    expect((await history(h))[0]).toMatchObject({ outcome: "failed" });
    github.deploymentPlan = [{ state: "success" }];
    await h.close();
  });

  it.each([
    ["red", "ci/test failure, lint success"],
    ["pending", "ci/test success, lint in_progress"],
    ["partial", "ci/test success, lint missing"],
  ])("%s CI stops the deploy before anything is created, naming each required context", async (ref, states) => {
    const h = await deployHarness(config);
    const before = github.deployments.length;
    const reply = await h.as("bob").say(`!deploy api/${ref} to staging`);
    expect(reply.text).toMatch(
      new RegExp(`✖ CI is not green for api/${ref} \\(\\w{7}\\): ${states}\\. Wait for it, or force`),
    );
    expect(github.deployments.length).toBe(before);
    expect(await history(h)).toEqual([]);
    const denial = (await h.audit()).find((e) => e.event === "denied");
    expect(denial).toMatchObject({ decision: "denied", rule: "ci gate api/staging" });
    await h.close();
  });

  it("deploy! forces past red CI for someone with deploy:force, and says so", async () => {
    const h = await deployHarness(config);
    expect((await h.as("bob").say("!deploy! api/red to staging")).text).toBe(
      "✖ denied: command deploy (force) requires permission deploy:force, and your roles (deployer) do not grant it",
    );
    const reply = await h.as("alice").say("!deploy! api/red to staging");
    expect(h.transcript()).toContain(
      "api/red is bbbbbbb; CI is not green (ci/test failure, lint success); forced by alice",
    );
    expect(reply.text).toMatch(/✔ deployed api\/red \(bbbbbbb\) to staging/);
    expect(github.deployments.at(-1)!.body).toMatchObject({ ref: RED, payload: { force: true } });
    expect((await history(h))[0]).toMatchObject({ force: true, outcome: "succeeded" });
    await h.close();
  });

  it("ci status shows every context and which environments it lets through", async () => {
    const h = await deployHarness(config);
    const red = await h.as("dave").say("!ci status api/red");
    expect(red.text).toMatch(/^✖ api\/red is bbbbbbb: CI red/);
    expect(red.text).toMatch(/ci\/test +failure +3 tests failed https:\/\/ci\.example\.org\/ci\/test/);
    expect(red.text).toMatch(/lint +success/);
    expect(red.text).toMatch(/gate staging: +closed \(ci\/test failure\)/);
    const green = await h.as("dave").say("!ci status api/green");
    expect(green.text).toMatch(/^✔ api\/green is aaaaaaa: CI green/);
    expect(green.text).toMatch(/gate production: +open/);
    expect((await h.as("dave").say("!ci status api/nope")).text).toBe('✖ no branch, tag or commit "nope" in acme/api');
    await h.close();
  });
});
