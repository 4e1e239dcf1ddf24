import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { DeployConfigInput } from "../src/config.js";
import { alive, deployHarness, git, history, jobIdIn, makeRepo, read, script, tempDir, until } from "./helpers.js";

describe("the command provider, with real scripts and a real git repository", () => {
  let temp: ReturnType<typeof tempDir>;
  let repo: ReturnType<typeof makeRepo>;
  beforeEach(() => {
    temp = tempDir();
    repo = makeRepo(temp.dir);
  });
  afterEach(() => temp.remove());

  const configFor = (body: string, provider: Record<string, unknown> = {}): DeployConfigInput => ({
    apps: {
      site: {
        git: repo.path,
        provider: {
          type: "command",
          command: [script(temp.dir, "deploy.sh", body)],
          env: { OUT: temp.dir },
          killGrace: "300ms",
          ...provider,
        },
        environments: { staging: { hosts: ["web1", "web2", "web3"] }, production: {} },
      },
    },
  });

  it("a repository path that does not exist is named as missing, with what to do (not git's last line)", async () => {
    const missing = join(temp.dir, "no-such-repo");
    const h = await deployHarness({
      apps: { site: { ...configFor("true").apps.site!, git: missing } },
    } as DeployConfigInput);
    const answer = (await h.as("bob").say("!deploy site/main to staging")).text;
    expect(answer).toContain(`the repository ${missing} does not exist`);
    expect(answer).toContain("sh examples/deploy/demo-setup.sh");
    expect(answer).not.toContain("and the repository exists");
    await h.close();
  });

  it("streams the output into the room while the script runs, and succeeds on exit code 0", async () => {
    const go = join(temp.dir, "go");
    const h = await deployHarness(
      configFor(
        `echo "step 1: preparing $DEPLOY_REF"\nwhile [ ! -f "$OUT/go" ]; do sleep 0.02; done\necho "step 2: done"`,
      ),
    );
    const gh13 = repo.commit("gh13", "extra.pp", "more"); // the branch tip now
    const deploying = h.as("bob").say("!deploy site/gh13 to staging");
    await h.waitFor(/step 1: preparing gh13/);
    expect(h.transcript()).not.toMatch(/step 2/);
    expect(h.transcript()).toContain(`site/gh13 is ${gh13.slice(0, 7)}; no CI contexts are required for staging`);
    writeFileSync(go, "");
    const done = await deploying;
    expect(done.text).toMatch(
      new RegExp(`✔ deployed site/gh13 \\(${gh13.slice(0, 7)}\\) to staging in \\S+ \\(job \\w{5}\\)`),
    );
    expect(h.transcript()).toMatch(/step 1: preparing gh13[\s\S]*step 2: done[\s\S]*deployed site/);
    const [record] = await history(h);
    expect(record).toMatchObject({
      app: "site",
      env: "staging",
      ref: "gh13",
      sha: gh13,
      actor: "bob",
      outcome: "succeeded",
    });
    await h.close();
  });

  it("fails on a non-zero exit code, with the output in the room and the outcome in history and audit", async () => {
    const h = await deployHarness(configFor('echo "migrating"\necho "error: disk full" >&2\nexit 3'));
    const reply = await h.as("bob").say("!deploy site to staging");
    expect(reply.text).toMatch(
      /✖ deploy of site\/main \(\w{7}\) to staging failed: exit code 3 \(see the output above\)/,
    );
    expect(h.transcript()).toMatch(/migrating\nerror: disk full/);
    expect((await history(h))[0]).toMatchObject({ outcome: "failed", detail: "exit code 3" });
    const outcome = (await h.audit()).find((e) => e.event === "outcome");
    expect(outcome).toMatchObject({ command: "deploy", outcome: "failed" });
    await h.close();
  });

  it("gives the script the deploy as environment variables, and none of the bot's own secrets", async () => {
    process.env.SECRET_TOKEN = "hunter2";
    try {
      const h = await deployHarness(
        configFor('env | grep -E "^(DEPLOY_|CUSTOM|SECRET_TOKEN|PATH=)" | sort > "$OUT/env"', {
          env: { OUT: temp.dir, CUSTOM: "from config" },
        }),
      );
      const tip = git(repo.path, "rev-parse", "gh13");
      const reply = await h.as("bob").say("!deploy site/gh13 to staging/web1,web2");
      const job = jobIdIn(reply.text);
      const sha = (await history(h))[0]!.sha;
      const env = read(join(temp.dir, "env"));
      expect(env).toContain("DEPLOY_APP=site\n");
      expect(env).toContain("DEPLOY_REF=gh13\n");
      expect(env).toContain(`DEPLOY_SHA=${sha}\n`);
      expect(env).toContain("DEPLOY_ENV=staging\n");
      expect(env).toContain("DEPLOY_HOSTS=web1,web2\n");
      expect(env).toContain("DEPLOY_ACTOR=bob\n");
      expect(env).toContain(`DEPLOY_JOB=${job}\n`);
      expect(env).toContain("DEPLOY_FORCE=0\n");
      expect(env).toContain("DEPLOY_ROLLBACK=0\n");
      expect(env).toContain("CUSTOM=from config\n");
      expect(env).toContain("PATH=");
      expect(env).not.toContain("SECRET_TOKEN");
      expect(sha).toBe(tip);
      await h.close();
    } finally {
      delete process.env.SECRET_TOKEN;
    }
  });

  it("cancel sends SIGTERM, then SIGKILL to a script that ignores it; the lock is released", async () => {
    const h = await deployHarness(
      configFor(
        `trap 'echo TERM >> "$OUT/signals"' TERM\necho $$ > "$OUT/pid"\necho started\nwhile :; do sleep 0.05; done`,
      ),
    );
    const deploying = h.as("bob").say("!deploy site/gh13 to staging");
    await h.waitFor(/started/);
    const job = h.bot.jobs.list()[0]!.id;
    expect((await h.as("dave").say(`!deploy cancel ${job}`)).text).toMatch(
      /cancelling it needs permission jobs:cancel/,
    );
    expect((await h.as("bob").say(`!deploy cancel ${job}`)).text).toBe(
      `✔ cancelling deploy job ${job} (site/gh13 to staging)`,
    );
    expect((await deploying).text).toMatch(new RegExp(`job ${job} \\(deploy\\) was cancelled by bob`));
    const record = await until(async () => (await history(h)).find((r) => r.outcome !== "running"), "the outcome");
    expect(record.outcome).toBe("cancelled");
    expect(read(join(temp.dir, "signals"))).toContain("TERM");
    expect(alive(Number(read(join(temp.dir, "pid"))))).toBe(false);
    expect((await h.as("bob").say("!deploy locks")).text).toBe("no environment is locked and no deploy is running");
    await h.close();
  });

  it("stops a script that runs past the provider's timeout", async () => {
    const h = await deployHarness(
      configFor(`echo $$ > "$OUT/pid"\necho working\nwhile :; do sleep 0.05; done`, { timeout: "300ms" }),
    );
    const reply = await h.as("bob").say("!deploy site to staging");
    expect(reply.text).toMatch(
      /✖ deploy of site\/main \(\w{7}\) to staging timed out after \S+ and was stopped \(killed by SIGTERM\)/,
    );
    expect((await history(h))[0]).toMatchObject({ outcome: "timed-out" });
    expect(alive(Number(read(join(temp.dir, "pid"))))).toBe(false);
    await h.close();
  });

  it("ships the commit resolved at the gate, even when the branch moves while approval is pending", async () => {
    const h = await deployHarness(configFor('echo "$DEPLOY_SHA" > "$OUT/shipped"'));
    const before = repo.commit("gh13", "a.pp", "one");
    const asked = await h.as("bob").say("!deploy site/gh13 to production");
    expect(asked.text).toContain(`site/gh13 is ${before.slice(0, 7)}`);
    expect(asked.text).toMatch(
      /needs 1 approval from someone with deploy:approve \(command deploy \(environment production\)\)/,
    );
    const moved = repo.commit("gh13", "a.pp", "two"); // someone pushes while the request waits
    expect(moved).not.toBe(before);
    expect((await h.as("carol").say(`!approve ${jobIdIn(asked.text)}`)).text).toMatch(/approved job/);
    await h.idle();
    expect(read(join(temp.dir, "shipped")).trim()).toBe(before);
    expect((await history(h))[0]).toMatchObject({ sha: before, approvers: ["carol"], outcome: "succeeded" });
    const decision = (await h.audit()).find((e) => e.event === "admitted" && e.command === "deploy");
    expect(decision?.detail).toMatchObject({ checked: { sha: before, ci: "not required" } });
    await h.close();
  });
});
