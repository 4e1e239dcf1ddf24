import { describe, expect, it } from "vitest";
import { createHarness } from "../src/index.js";
import { deploy, policy } from "./fixtures.js";

const jobIdIn = (text: string) => /job ([a-z0-9]{5})/.exec(text)?.[1] ?? "";

/**
 * Laundered grants, written as the attack: the requester's approval power must never come back to approve the
 * requester's own job, however many accounts it passes through.
 */
describe("grants cannot be laundered through more accounts", () => {
  it("alice grants owner to sock1, sock1 grants approver to sock2: sock2's approval of alice's job does not count", async () => {
    const h = await createHarness({ policy, commands: [deploy] });
    expect((await h.as("alice").say("!role grant test:sock1 owner")).text).toMatch(/now has role owner/);
    expect((await h.as("sock1").say("!role grant test:sock2 approver")).text).toMatch(/now has role approver/);
    const id = jobIdIn((await h.as("alice").say("!deploy api to production")).text);
    const attempt = await h.as("sock2").say(`!approve ${id}`);
    expect(attempt.text).toMatch(/granted by test:sock1, whose power to grant it does not come from the configuration/);
    await h.idle();
    expect(h.transcript()).not.toMatch(/deployed api/);
    // Neither does sock1's (alice granted its role directly).
    expect((await h.as("sock1").say(`!approve ${id}`)).text).toMatch(/alice granted, which does not count/);
    expect(h.transcript()).not.toMatch(/deployed api/);
    // carol's approver role is from the configuration: her approval counts.
    expect((await h.as("carol").say(`!approve ${id}`)).text).toMatch(/it is running now for alice/);
    await h.idle();
    expect(h.transcript()).toMatch(/deployed api\/main to production for alice approved by carol/);
    await h.close();
  });

  it("a grant by someone whose configured roles allow it counts, for anyone's job but the grantor's", async () => {
    const h = await createHarness({ policy, commands: [deploy] });
    expect((await h.as("alice").say("!role grant test:erin approver")).text).toMatch(/now has role approver/);
    const id = jobIdIn((await h.as("bob").say("!deploy api to production")).text);
    expect((await h.as("erin").say(`!approve ${id}`)).text).toMatch(/it is running now for bob/);
    await h.idle();
    expect(h.transcript()).toMatch(/deployed api\/main to production for bob approved by test:erin/);
    await h.close();
  });

  it("an approver whose role is revoked before the last approval no longer counts", async () => {
    const two = {
      ...policy,
      rules: [
        {
          name: "production-needs-two",
          command: "deploy",
          when: { args: { env: "production" } },
          approval: { permission: "deploy:approve", count: 2 },
        },
      ],
    };
    const h = await createHarness({ policy: two, commands: [deploy] });
    expect((await h.as("alice").say("!role grant test:erin approver")).text).toMatch(/now has role approver/);
    const id = jobIdIn((await h.as("bob").say("!deploy api to production")).text);
    expect((await h.as("erin").say(`!approve ${id}`)).text).toMatch(/\(1\/2\)/);
    expect((await h.as("alice").say("!role revoke test:erin approver")).text).toMatch(/no longer has role approver/);
    const last = await h.as("carol").say(`!approve ${id}`);
    expect(last.text).toMatch(/test:erin no longer holds deploy:approve/);
    expect(last.text).toMatch(/\(1\/2\)/);
    await h.idle();
    expect(h.transcript()).not.toMatch(/deployed api/);
    expect((await h.as("dave").say(`!approve ${id}`)).text).toMatch(/it is running now for bob/);
    await h.idle();
    expect(h.transcript()).toMatch(/deployed api\/main to production for bob approved by carol,dave/);
    await h.close();
  });
});
