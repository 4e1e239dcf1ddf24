/**
 * Strict defaults, each written as the attack: who sends what, and what must happen. Reads need `deploy:read`,
 * names of `Object.prototype` are unknown apps, rules see normalised arguments, production is protected without a
 * rule, locks are bounded and can be broken only with `deploy:unlock-force`.
 */
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { DeployConfigInput } from "../src/config.js";
import { deployHarness, makeRepo, read, script, tempDir } from "./helpers.js";

describe("strict defaults of the deploy plugin", () => {
  let temp: ReturnType<typeof tempDir>;
  let config: DeployConfigInput;
  const gitLog = () => read(join(temp.dir, "git.log"));
  const ran = () => read(join(temp.dir, "ran")).split("\n").filter(Boolean);

  beforeEach(() => {
    temp = tempDir();
    const repo = makeRepo(temp.dir);
    config = {
      gitCommand: script(temp.dir, "git-wrapper", `echo "$*" >> '${join(temp.dir, "git.log")}'\nexec git "$@"`),
      apps: {
        site: {
          git: repo.path,
          defaultEnvironment: "staging",
          provider: {
            type: "command",
            command: [script(temp.dir, "deploy.sh", 'echo "$DEPLOY_ENV $DEPLOY_SHA" >> "$OUT/ran"')],
            env: { OUT: temp.dir },
          },
          environments: {
            staging: {},
            production: {},
            prod: {},
            live: { protected: true },
            sandbox: { protected: true, approval: false },
          },
        },
      },
    };
  });
  afterEach(() => temp.remove());

  it.each([
    ["an unidentified nick", { verified: false }],
    ["a verified identity linked to no principal", {}],
  ])("%s reads nothing: deploys, environments, locks and CI status need deploy:read", async (_who, speaker) => {
    const h = await deployHarness(config);
    const mallory = h.as("mallory", speaker);
    for (const line of ["!deploys site", "!where can I deploy site", "!environments site", "!deploy locks"]) {
      expect((await mallory.say(line)).text).toMatch(/^✖ denied: command .* requires permission deploy:read/);
    }
    // ci status would use the bot's GitHub token and start git ls-remote: neither happens for a guest.
    expect((await mallory.say("!ci status site/main")).text).toMatch(/requires permission deploy:read/);
    expect(gitLog()).toBe("");
    // Staff hold deploy:read through their roles.
    expect((await h.as("bob").say("!deploys site")).text).toBe("no deploys of site yet");
    expect((await h.as("bob").say("!deploy locks")).text).toBe("no environment is locked and no deploy is running");
    await h.close();
  });

  it("names of Object.prototype are unknown apps and environments, never an internal error", async () => {
    const h = await deployHarness(config);
    const alice = h.as("alice");
    const own = Object.getOwnPropertyNames(Object.prototype);
    const names = [...new Set([...own, ...own.map((n) => n.toLowerCase())])];
    expect(names).toContain("constructor");
    for (const name of names) {
      for (const line of [
        `!deploy ${name}`,
        `!deploy ${name}/main to staging`,
        `!ci status ${name}`,
        `!deploys ${name}`,
        `!where can I deploy ${name}`,
        `!rollback ${name} production`,
        `!deploy lock ${name} production`,
        `!deploy unlock ${name} production`,
      ]) {
        const reply = (await alice.say(line)).text;
        expect(reply, line).not.toMatch(/internal error/);
        expect(reply, line).toMatch(/unknown app|is not a valid name/);
      }
      for (const line of [
        `!deploy site to ${name}`,
        `!rollback site ${name}`,
        `!deploys site in ${name}`,
        `!deploy lock site ${name}`,
      ]) {
        const reply = (await alice.say(line)).text;
        expect(reply, line).not.toMatch(/internal error/);
        expect(reply, line).toMatch(/has no environment|is not a valid name/);
      }
    }
    expect(ran()).toEqual([]);
    await h.close();
  });

  it("a rule on env: production sees 'deploy lock site Production' normalised", async () => {
    const rule = { name: "production-locks", command: "deploy lock", when: { args: { env: "production" } } };
    const h = await deployHarness(config, { rules: [{ ...rule, require: "deploy:production" }] });
    expect((await h.as("bob").say("!deploy lock site Production")).text).toBe(
      "✖ denied: rule production-locks requires permission deploy:production, and your roles (deployer) do not grant it",
    );
    expect((await h.as("bob").say("!deploy unlock SITE Production")).text).toBe("✖ site/production is not locked");
    expect((await h.as("alice").say("!deploy lock SITE Production")).text).toMatch(/^✔ locked site\/production/);
    const admitted = (await h.audit()).find((e) => e.event === "admitted" && e.command === "deploy lock");
    expect(admitted?.args).toMatchObject({ app: "site", env: "production" });
    await h.close();
  });

  it.each([
    ["production", "by its name"],
    ["prod", "by its name"],
    ["live", "marked protected: true"],
  ])("a deploy to %s (protected %s) waits for approval without any rule", async (env) => {
    const h = await deployHarness(config);
    const reply = await h.as("bob").say(`!deploy site/gh13 to ${env}`);
    expect(reply.text).toMatch(
      new RegExp(`needs 1 approval from someone with deploy:approve \\(command deploy \\(environment ${env}\\)\\)`),
    );
    expect((await h.as("bob").say(`!rollback site ${env}`)).text).not.toMatch(/✔ deployed/);
    expect(ran()).toEqual([]);
    await h.close();
  });

  it("a protected environment with approval: false, and an unprotected one, deploy at once", async () => {
    const h = await deployHarness(config);
    expect((await h.as("bob").say("!deploy site/gh13 to sandbox")).text).toMatch(/✔ deployed site\/gh13/);
    expect((await h.as("bob").say("!deploy site/gh13 to staging")).text).toMatch(/✔ deployed site\/gh13/);
    const rows = (await h.as("bob").say("!where can I deploy site")).text;
    expect(rows).toMatch(/live .* 1 × deploy:approve/);
    expect(rows).toMatch(/sandbox .* none/);
    await h.close();
  });

  it("a lock longer than the maximum is refused with the maximum named; the default maximum is 24h", async () => {
    const h = await deployHarness(config);
    expect((await h.as("bob").say("!deploy lock site staging for 25h release freeze")).text).toBe(
      "✖ a deploy lock lasts at most 1d (maxLockDuration); ask for 1d or less",
    );
    expect((await h.as("bob").say("!deploy lock site staging for 1w")).text).toMatch(/at most 1d/);
    expect(await h.bot.store.listLocks()).toEqual([]);
    expect((await h.as("bob").say("!deploy lock site staging for 24h freeze")).text).toMatch(/^✔ locked .* for 1d:/);
    await h.close();
    const shorter = await deployHarness({ ...config, maxLockDuration: "2h" });
    expect((await shorter.as("bob").say("!deploy lock site staging for 3h")).text).toMatch(/at most 2h/);
    await shorter.close();
  });

  it("a lock held by someone else is broken only with --force and deploy:unlock-force, audited with the holder", async () => {
    const h = await deployHarness(config);
    await h.as("carol").say("!deploy lock site staging for 2h db migration");
    expect((await h.as("bob").say("!deploy unlock site staging --force")).text).toMatch(
      /denied: command deploy unlock \(force\) requires permission deploy:unlock-force/,
    );
    expect((await h.as("bob").say("!deploy unlock site staging")).text).toMatch(/only carol can unlock it/);
    const broken = await h.as("alice").say("!deploy unlock site staging --force");
    expect(broken.text).toMatch(/^✔ unlocked site\/staging: broke carol's lock \(db migration, \S+ left\)/);
    expect(await h.bot.store.listLocks()).toEqual([]);
    const audit = await h.audit();
    const admitted = audit.find((e) => e.event === "admitted" && e.command === "deploy unlock" && e.actor === "alice");
    expect(admitted).toMatchObject({ actor: "alice", args: { app: "site", env: "staging", force: true } });
    expect(JSON.stringify(admitted)).toMatch(/"holder":"carol"/);
    expect(JSON.stringify(admitted)).toMatch(/db migration/);
    // Breaking a lock that is not there is an answer, not an error.
    expect((await h.as("alice").say("!deploy unlock site staging --force")).text).toBe("✖ site/staging is not locked");
    await h.close();
  });
});

describe("identities handed to deploy scripts", () => {
  let temp: ReturnType<typeof tempDir>;
  beforeEach(() => {
    temp = tempDir();
  });
  afterEach(() => temp.remove());

  it("a network identity full of shell syntax reaches DEPLOY_ACTOR and DEPLOY_APPROVERS as safe characters", async () => {
    const repo = makeRepo(temp.dir);
    // A script that trusts its variables (unquoted, through eval): what a deploy script in the wild might do.
    const body = [
      'echo "$DEPLOY_ACTOR" > "$OUT/actor"',
      'echo "$DEPLOY_APPROVERS" > "$OUT/approvers"',
      'eval "echo deployed by $DEPLOY_ACTOR, approved by $DEPLOY_APPROVERS"',
    ].join("\n");
    const h = await deployHarness(
      {
        apps: {
          site: {
            git: repo.path,
            provider: {
              type: "command",
              command: [script(temp.dir, "deploy.sh", body)],
              cwd: temp.dir,
              env: { OUT: temp.dir },
            },
            environments: { production: {} },
          },
        },
      },
      {
        roles: { admin: { permissions: ["role:*", "deploy:*"] } },
        principals: { root: { roles: ["admin"], identities: { test: "root" } } },
      },
    );
    // Verified by the network (a Matrix user id, an IRC account), linked to no principal: their id is the network's.
    const mallory = "mal$(touch pwned)`touch pwned2`;x y'\"%";
    const eve = "eve$(touch pwned3),z";
    for (const [id, role] of [
      [mallory, "deployer"],
      [eve, "approver"],
    ] as const) {
      const granted = await h.as("root").say(`!role grant ${JSON.stringify(`test:${id}`)} ${role}`);
      expect(granted.text).toMatch(/now has role/);
    }
    const asked = await h.as("mallory", { id: mallory }).say("!deploy site/main to production");
    const job = /job ([a-z0-9]{5})/.exec(asked.text)?.[1];
    expect(asked.text).toMatch(/needs 1 approval/);
    expect((await h.as("eve", { id: eve }).say(`!approve ${job}`)).text).toMatch(/approved job/);
    await h.idle();
    expect(h.transcript()).toMatch(/✔ deployed site\/main/);
    const actor = read(join(temp.dir, "actor")).trim();
    const approvers = read(join(temp.dir, "approvers")).trim();
    expect(actor).toBe("test:mal%24%28touch%20pwned%29%60touch%20pwned2%60%3Bx%20y%27%22%25");
    expect(approvers).toBe("test:eve%24%28touch%20pwned3%29%2Cz");
    expect(decodeURIComponent(actor)).toBe(`test:${mallory}`);
    for (const value of [actor, approvers]) expect(value).toMatch(/^[A-Za-z0-9._@:+%,-]+$/);
    for (const file of ["pwned", "pwned2", "pwned3"]) expect(read(join(temp.dir, file))).toBe("");
    expect(h.transcript()).toMatch(/deployed by test:mal%24/);
    await h.close();
  });
});
