/**
 * The laundering chain of issue 25 on the shell adapter, as it was reproduced through the CLI: the owner grants a
 * second account their role, that account grants a third the approver role, and the third approves the owner's
 * production deploy. The approval must not count; an approver from the configuration's does.
 */
import { arg, defineCommand, type PolicyConfigInput } from "@switchboard/core";
import { describe, expect, it } from "vitest";
import { startSession } from "./helpers.js";

const deploy = defineCommand({
  name: "deploy",
  summary: "Deploy an app",
  pattern: "{app} [to {env}]",
  permission: "deploy:run",
  sideEffect: true,
  args: {
    app: arg.string({ required: true }),
    env: arg.enum(["staging", "production"], { default: "staging" }),
  },
  handler: ({ args, actor, approvers }) =>
    `deployed ${args.app} to ${args.env} for ${actor.id} approved by ${approvers.join(",")}`,
});

const policy: PolicyConfigInput = {
  roles: {
    owner: { permissions: ["*"] },
    approver: { permissions: ["deploy:approve"] },
    guest: { permissions: [] },
  },
  principals: {
    me: { roles: ["owner"], identities: { shell: "me" } },
    carol: { roles: ["approver"], identities: { shell: "carol" } },
  },
  rules: [
    {
      name: "production-deploys",
      command: "deploy",
      when: { args: { env: "production" } },
      approval: { permission: "deploy:approve", count: 1 },
    },
  ],
};

describe("laundering a grant through a chain of shell accounts", () => {
  it("me → sock1 (owner) → sock2 (approver): sock2 cannot approve me's production deploy; carol can", async () => {
    const session = await startSession({ user: "me" }, [deploy], policy);
    const say = (line: string) => session.input.write(`${line}\n`);
    say("role grant shell:sock1 owner");
    await session.waitFor(/shell:sock1 now has role owner/);
    say("/as sock1");
    say("role grant shell:sock2 approver");
    await session.waitFor(/shell:sock2 now has role approver/);
    say("/as me");
    say("deploy web to production");
    const id = /job ([a-z0-9]{5}): deploy needs 1 approval/.exec(await session.waitFor(/needs 1 approval/))![1]!;
    say("/as sock2");
    say(`approve ${id}`);
    await session.waitFor(/whose power to grant it does not come from the configuration/);
    say("/as carol");
    say(`approve ${id}`);
    await session.waitFor(/deployed web to production for me approved by carol/);
    await session.bot.stop();
    expect(session.output()).not.toMatch(/approved by shell:sock2/);
  });
});
