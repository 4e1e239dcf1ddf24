/**
 * hubot-deploy's task form, `deploy:<task> <app>[/<ref>] to <env>`: tasks allowed per app in the configuration,
 * passed to the provider (`DEPLOY_TASK` for a real script, the GitHub deployment's `task` on the local GitHub),
 * shown in history, and matched by rules like any argument.
 */
import { FakeGitHub } from "@switchboard/test-servers";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { deployHarness, history, makeRepo, read, script, tempDir } from "./helpers.js";

describe("deploy:<task>", () => {
  let temp: ReturnType<typeof tempDir>;
  let repo: ReturnType<typeof makeRepo>;
  const github = new FakeGitHub();
  let baseUrl: string;
  beforeAll(async () => {
    baseUrl = await github.start();
    github.setRef("acme/api", "main", "a".repeat(40));
    github.deploymentPlan = [{ state: "success" }];
  });
  afterAll(() => github.close());
  beforeEach(() => {
    temp = tempDir();
    repo = makeRepo(temp.dir);
  });
  afterEach(() => temp.remove());

  const config = () => ({
    github: { baseUrl, token: "t" },
    apps: {
      site: {
        git: repo.path,
        tasks: ["migrate"],
        provider: {
          type: "command" as const,
          command: [script(temp.dir, "deploy.sh", `echo "task=$DEPLOY_TASK ref=$DEPLOY_REF" >> "${temp.dir}/ran"`)],
        },
        environments: { staging: {}, production: { approval: false as const } },
      },
      api: {
        repository: "acme/api",
        tasks: ["migrate"],
        provider: { type: "github" as const, pollInterval: "10ms" },
        environments: { production: { approval: false as const } },
      },
    },
  });

  it("runs an allowed task: DEPLOY_TASK for the script, recorded and shown in history", async () => {
    const h = await deployHarness(config());
    const reply = await h.as("bob").say("!deploy:migrate site to staging");
    expect(reply.text).toMatch(/✔ deployed the migrate task of site\/main \(\w{7}\) to staging/);
    await h.as("bob").say("!deploy site to staging");
    expect(read(`${temp.dir}/ran`)).toBe("task=migrate ref=main\ntask=deploy ref=main\n");
    const [plain, task] = await history(h);
    expect(task).toMatchObject({ task: "migrate", outcome: "succeeded" });
    expect(plain!.task).toBeUndefined();
    expect((await h.as("bob").say("!deploys site")).text).toMatch(/staging +migrate: main \(\w{7}\) +bob +succeeded/);
    await h.close();
  });

  it("refuses a task the app does not allow, naming the allowed ones; nothing runs", async () => {
    const h = await deployHarness(config());
    expect((await h.as("bob").say("!deploy site to staging --task drop-db")).text).toMatch(
      /site has no task drop-db.*its tasks: migrate/s,
    );
    expect((await h.as("bob").say("!deploy:constructor site to staging")).text).toMatch(
      /unknown command|did you mean/i,
    );
    expect(read(`${temp.dir}/ran`)).toBe("");
    await h.close();
  });

  it("rules match the task like any argument", async () => {
    const h = await deployHarness(config(), {
      rules: [
        {
          name: "migrations-need-a-dba",
          command: "deploy",
          when: { args: { task: "migrate" } },
          require: "db:migrate",
        },
      ],
    });
    expect((await h.as("bob").say("!deploy:migrate site to staging")).text).toMatch(/migrations-need-a-dba|db:migrate/);
    expect((await h.as("bob").say("!deploy site to staging")).text).toMatch(/✔ deployed site\/main/);
    expect(read(`${temp.dir}/ran`)).toBe("task=deploy ref=main\n");
    await h.close();
  });

  it("the GitHub provider creates the deployment with the task", async () => {
    const h = await deployHarness(config());
    const reply = await h.as("bob").say("!deploy:migrate api to production");
    expect(reply.text).toMatch(/✔ deployed the migrate task of api\/main/);
    expect(github.deployments.at(-1)!.body).toMatchObject({ task: "migrate", environment: "production" });
    await h.close();
  });
});
