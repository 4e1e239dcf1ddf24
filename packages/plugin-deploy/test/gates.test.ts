import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { DeployConfigInput } from "../src/config.js";
import { deployHarness, git, history, jobIdIn, makeRepo, read, script, tempDir } from "./helpers.js";

describe("gates, locks, approvals, rollback and hostile input", () => {
  let temp: ReturnType<typeof tempDir>;
  let repo: ReturnType<typeof makeRepo>;
  let config: DeployConfigInput;
  const ran = () => read(join(temp.dir, "ran")).split("\n").filter(Boolean);

  beforeEach(() => {
    temp = tempDir();
    repo = makeRepo(temp.dir);
    repo.commit("slow", "slow.pp", "slow");
    const gitLog = join(temp.dir, "git.log");
    config = {
      gitCommand: script(temp.dir, "git-wrapper", `echo "$*" >> '${gitLog}'\nexec git "$@"`),
      apps: {
        site: {
          git: repo.path,
          provider: {
            type: "command",
            command: [
              script(
                temp.dir,
                "deploy.sh",
                [
                  'echo "$DEPLOY_REF $DEPLOY_SHA" >> "$OUT/ran"',
                  'if [ "$DEPLOY_REF" = slow ]; then echo waiting; while [ ! -f "$OUT/go" ]; do sleep 0.02; done; fi',
                  "echo done",
                ].join("\n"),
              ),
            ],
            env: { OUT: temp.dir },
          },
          environments: {
            staging: { hosts: ["web1", "web2"] },
            production: {},
            restricted: { rooms: ["#deploys"] },
          },
        },
      },
    };
  });
  afterEach(() => temp.remove());

  it("a locked environment refuses others, naming who holds it and why; the holder may deploy and unlock", async () => {
    const h = await deployHarness(config);
    expect((await h.as("carol").say("!deploy lock site staging for 2h db migration")).text).toBe(
      '✔ locked site/staging for 2h: db migration. Only you can deploy there until "deploy unlock site staging"',
    );
    const refused = await h.as("bob").say("!deploy site/gh13 to staging");
    expect(refused.text).toMatch(
      /^✖ site\/staging is locked by carol: db migration \(for another (2h|1h59m\d*s?)\); ask carol to "deploy unlock site staging", or wait$/,
    );
    expect((await h.as("bob").say("!deploy unlock site staging")).text).toMatch(/only carol can unlock it/);
    expect((await h.as("bob").say("!deploy lock site staging")).text).toMatch(/already locked by carol/);
    expect((await h.as("bob").say("!deploy locks")).text).toMatch(/site\/staging +locked +carol +db migration/);
    expect((await h.as("bob").say("!where can I deploy site")).text).toMatch(/staging .*locked by carol: db migration/);
    expect((await h.as("carol").say("!deploy site/gh13 to staging")).text).toMatch(/✔ deployed site\/gh13/);
    expect((await h.as("carol").say("!deploy unlock site staging")).text).toBe("✔ unlocked site/staging");
    expect((await h.as("bob").say("!deploy site/gh13 to staging")).text).toMatch(/✔ deployed site\/gh13/);
    const denial = (await h.audit()).find((e) => e.event === "denied");
    expect(denial).toMatchObject({ actor: "bob", command: "deploy", rule: "deploy lock site/staging" });
    await h.close();
  });

  it("runs one deploy per environment at a time; a second request is told who deploys what", async () => {
    const h = await deployHarness(config);
    const first = h.as("bob").say("!deploy site/slow to staging");
    await h.waitFor(/waiting/);
    const slow = git(repo.path, "rev-parse", "slow").slice(0, 7);
    const second = await h.as("dave").say("!deploy site/gh13 to staging");
    expect(second.text).toMatch(
      new RegExp(`^✖ bob is deploying site/slow \\(${slow}\\) to staging \\(job \\w{5}, for \\S+ so far\\); try again`),
    );
    expect((await h.as("dave").say("!deploy locks")).text).toMatch(
      /site\/staging +deploying +bob \(job \w{5}\) +bob deploys slow/,
    );
    expect((await h.as("dave").say("!deploy site/gh13 to production")).text).toMatch(/needs 1 approval/); // other env: free
    writeFileSync(join(temp.dir, "go"), "");
    expect((await first).text).toMatch(/✔ deployed site\/slow/);
    expect((await h.as("dave").say("!deploy site/gh13 to staging")).text).toMatch(/✔ deployed site\/gh13/);
    expect(ran().map((line) => line.split(" ")[0])).toEqual(["slow", "gh13"]);
    await h.close();
  });

  it("two requests arriving together: exactly one deploys", async () => {
    const h = await deployHarness(config);
    const a = h.as("bob").say("!deploy site/slow to staging");
    const b = h.as("dave").say("!deploy site/slow to staging");
    await h.waitFor(/is deploying site\/slow/);
    writeFileSync(join(temp.dir, "go"), "");
    const texts = [(await a).text, (await b).text];
    expect(texts.filter((t) => /✔ deployed site\/slow/.test(t))).toHaveLength(1);
    expect(texts.filter((t) => /is deploying site\/slow/.test(t))).toHaveLength(1);
    expect(ran()).toHaveLength(1);
    await h.close();
  });

  it("rollback deploys the last commit that succeeded before the current one, as recorded", async () => {
    const h = await deployHarness(config);
    expect((await h.as("bob").say("!rollback site staging")).text).toMatch(/nothing to roll back to/);
    const main1 = git(repo.path, "rev-parse", "main");
    await h.as("bob").say("!deploy site/main to staging");
    const gh13 = git(repo.path, "rev-parse", "gh13");
    await h.as("dave").say("!deploy site/gh13 to staging");
    repo.commit("main", "later", "main moved on"); // the rollback still ships what was deployed
    const reply = await h.as("dave").say("!rollback site staging");
    expect(reply.text).toMatch(
      new RegExp(
        `rolling back site/staging from gh13 \\(${gh13.slice(0, 7)}, job \\w{5}\\) to main \\(${main1.slice(0, 7)}, deployed by bob`,
      ),
    );
    expect(reply.text).toMatch(new RegExp(`✔ deployed site/main \\(${main1.slice(0, 7)}\\) to staging`));
    expect(ran().at(-1)).toBe(`main ${main1}`);
    const [latest, previous] = await history(h);
    expect(latest).toMatchObject({ sha: main1, outcome: "succeeded", rollbackOf: previous!.job });
    const table = (await h.as("bob").say("!deploys site")).text;
    expect(table).toMatch(/when +where +ref +who +outcome +took +approved by +job/);
    expect(table).toMatch(/staging +main \(\w{7}\) +dave +succeeded \(rollback\)/);
    expect(table).toMatch(/staging +gh13 \(\w{7}\) +dave +succeeded/);
    expect((await h.as("bob").say("!deploys site in production")).text).toBe("no deploys of site in production yet");
    await h.close();
  });

  it("production needs a second person's approval by default; the requester cannot approve", async () => {
    const h = await deployHarness(config);
    const asked = await h.as("bob").say("!deploy site/gh13"); // production is the default environment
    const id = jobIdIn(asked.text);
    expect(asked.text).toMatch(
      /needs 1 approval from someone with deploy:approve \(command deploy \(environment production\)\), not bob/,
    );
    expect((await h.as("bob").say(`!approve ${id}`)).text).toBe(
      `✖ you requested job ${id}; someone else has to approve it`,
    );
    expect((await h.as("dave").say(`!approve ${id}`)).text).toMatch(/needs permission deploy:approve/);
    expect(ran()).toEqual([]);
    expect((await h.as("carol").say(`!approve ${id}`)).text).toBe(`✔ approved job ${id}; it is running now for bob`);
    await h.idle();
    expect(h.transcript()).toMatch(/✔ deployed site\/gh13 \(\w{7}\) to production/);
    expect((await history(h))[0]).toMatchObject({ env: "production", actor: "bob", approvers: ["carol"] });
    const trail = (await h.audit()).filter((e) => e.jobId === id).map((e) => e.event);
    // The two refused approvals are on the job's record too (typed, clicked or reacted: the same entry).
    expect(trail).toEqual(["admitted", "approval-requested", "denied", "denied", "approval", "outcome"]);
    await h.close();
  });

  it("configured rules see the default environment: a production rule applies to 'deploy site'", async () => {
    const rule = {
      name: "production-deploys",
      command: "deploy",
      when: { args: { env: "production" } },
      require: "deploy:production",
      approval: { count: 1, permission: "deploy:approve", ttl: "30m" },
    };
    const h = await deployHarness(config, { rules: [rule] });
    expect((await h.as("bob").say("!deploy site")).text).toBe(
      "✖ denied: rule production-deploys requires permission deploy:production, and your roles (deployer) do not grant it",
    );
    expect((await h.as("bob").say("!deploy! site")).text).toMatch(/requires permission deploy:force/);
    expect((await h.as("alice").say("!deploy site")).text).toMatch(
      /needs 1 approval from someone with deploy:approve \(rule production-deploys, command deploy \(environment production\)\)/,
    );
    expect((await h.as("bob").say("!why deploy site")).text).toMatch(/denied: rule production-deploys/);
    expect((await h.as("bob").say("!deploy site to staging")).text).toMatch(/✔ deployed/);
    await h.close();
  });

  it("an environment limited to rooms refuses elsewhere, before anything runs", async () => {
    const h = await deployHarness(config);
    expect((await h.as("bob").say("!deploy site to restricted")).text).toBe(
      "✖ denied: deploys of site to restricted are allowed only in #deploys (not in #ops)",
    );
    expect(read(join(temp.dir, "git.log"))).toBe("");
    expect((await h.as("bob", { room: "#deploys" }).say("!deploy site to restricted")).text).toMatch(/✔ deployed/);
    const denial = (await h.audit()).find((e) => e.decision === "denied");
    expect(denial?.rule).toBe("plugins.deploy.apps.site.environments.restricted.rooms");
    await h.close();
  });

  it.each([
    ["!deploy site/a;b to staging", /"a;b" may contain only letters/],
    ["!deploy site/a;touch pwned to staging", /does not fit the pattern/],
    ['!deploy site --ref "$(touch pwned)" --env staging', /"\$\(touch pwned\)" may contain only letters/],
    ["!deploy site/$(touch to staging", /"\$\(touch" may contain only letters/],
    ["!deploy site/`touch` to staging", /may contain only letters/],
    ["!deploy site/--upload-pack=touch to staging", /starts with "-"; a ref may not look like an option/],
    ["!ci status site/--upload-pack=touch", /starts with "-"/],
    ['!deploy site --ref "main\nrm -rf /"', /"main\\x0arm -rf \/" may contain only letters/],
    ['!deploy "site/main\nrm -rf /" to staging', /does not fit the pattern/],
    ["!deploy site/main\ntouch pwned", /does not fit the pattern/],
    ["!deploy site/main to staging/web1;reboot", /"web1;reboot" is not a host name/],
    ["!deploy site/main to staging/$(reboot)", /is not a host name/],
    ["!deploy site/main to stag`x`", /is not a valid name/],
    ["!deploy si;te/main to staging", /is not a valid name/],
    ["!deploy --upload-pack=touch", /unknown option --upload-pack/],
    ["!deploy site/a..b to staging", /contains "\.\."/],
    ["!rollback site staging;reboot", /is not a valid name/],
    ["!deploy lock site staging;reboot", /is not a valid name/],
  ])("refuses %j with the usage line, before any process runs", async (line, problem) => {
    const h = await deployHarness(config);
    const reply = await h.as("alice").say(line);
    expect(reply.text).toMatch(problem);
    expect(reply.text).toMatch(/usage: !(deploy|ci status|rollback|deploy lock) /);
    expect(read(join(temp.dir, "git.log"))).toBe(""); // not even git ran
    expect(ran()).toEqual([]);
    expect((await h.audit()).filter((e) => e.event === "admitted" || e.event === "outcome")).toEqual([]);
    // The same bot deploys a valid request, through the same git wrapper and script.
    expect((await h.as("alice").say("!deploy site/main to staging")).text).toMatch(/✔ deployed/);
    expect(read(join(temp.dir, "git.log"))).toMatch(/^ls-remote -- /);
    expect(ran()).toHaveLength(1);
    await h.close();
  });
});
