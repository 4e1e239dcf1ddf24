import { verifyChain } from "@switchboard/core/audit";
import { describe, expect, it } from "vitest";
import { createHarness } from "../src/index.js";
import { deploy, policy } from "./fixtures.js";

const jobIdIn = (text: string) => /job ([a-z0-9]{5})/.exec(text)?.[1] ?? "";

/** Attacks on the two-person rule, written as the attack: who says what, and what must happen. */
describe("what people approve is exactly what runs", () => {
  it("the request shows the prepared invocation as the handler gets it, not the raw text", async () => {
    const h = await createHarness({ policy, commands: [deploy] });
    const request = await h.as("bob").say("!deploy api to production --token s3cr3t");
    expect(request.text).toMatch(/command: +deploy/);
    expect(request.text).toMatch(/app: +api/);
    expect(request.text).toMatch(/ref: +main/);
    expect(request.text).toMatch(/env: +production/);
    expect(request.text).toMatch(/token: +\[redacted\]/);
    expect(request.text).not.toContain("s3cr3t");
    const digest = (await h.audit()).find((e) => e.event === "approval-requested")?.detail?.digest;
    expect(digest).toMatch(/^[0-9a-f]{64}$/);
    await h.close();
  });

  it("bob cannot make his second account an approver with a runtime grant", async () => {
    const lead = {
      ...policy,
      roles: { ...policy.roles, lead: { permissions: ["deploy:run", "role:grant", "deploy:approve", "audit:read"] } },
      principals: { ...policy.principals, bob: { roles: ["lead"], identities: { test: "bob" } } },
    };
    const h = await createHarness({ policy: lead, commands: [deploy] });
    // bob-alt: a second account the network verified, not linked to any principal.
    expect((await h.as("bob").say("!role grant test:bob-alt approver")).text).toMatch(/now has role approver/);
    const id = jobIdIn((await h.as("bob").say("!deploy api to production")).text);
    const attempt = await h.as("bob-alt").say(`!approve ${id}`);
    expect(attempt.text).toMatch(/comes from a role bob granted, which does not count/);
    expect(h.transcript()).not.toMatch(/deployed api/);
    // The same grant made by someone else counts.
    expect((await h.as("alice").say("!role revoke test:bob-alt approver")).text).toMatch(/no longer has/);
    expect((await h.as("alice").say("!role grant test:bob-alt approver")).text).toMatch(/now has role approver/);
    expect((await h.as("bob-alt").say(`!approve ${id}`)).text).toMatch(/it is running now for bob/);
    await h.idle();
    expect(h.transcript()).toMatch(/deployed api\/main to production for bob approved by test:bob-alt/);
    await h.close();
  });

  it("granting a role that denies something needs role:grant-deny", async () => {
    const denying = {
      ...policy,
      roles: {
        ...policy.roles,
        granter: { permissions: ["role:grant", "deploy:run"] },
        nodeploy: { permissions: ["!deploy:run"] },
      },
      principals: { ...policy.principals, erin: { roles: ["granter"], identities: { test: "erin" } } },
    };
    const h = await createHarness({ policy: denying, commands: [deploy] });
    expect((await h.as("erin").say("!role grant dave nodeploy")).text).toMatch(
      /it denies deploy:run, and changing deny roles needs permission role:grant-deny/,
    );
    expect((await h.as("alice").say("!role grant dave nodeploy")).text).toMatch(/now has role nodeploy/);
    await h.close();
  });

  it("every matching approval applies: a generic rule listed first never weakens a stricter one", async () => {
    const strict = {
      ...policy,
      roles: { ...policy.roles, sre: { permissions: ["deploy:sre-approve"] } },
      principals: {
        ...policy.principals,
        sam: { roles: ["sre"], identities: { test: "sam" } },
        sue: { roles: ["sre"], identities: { test: "sue" } },
      },
      rules: [
        { name: "anything-needs-one", command: "deploy", approval: { permission: "deploy:approve", count: 1 } },
        {
          name: "production-needs-two-sres",
          command: "deploy",
          when: { args: { env: "production" } },
          approval: { permission: "deploy:sre-approve", count: 2 },
        },
      ],
    };
    const h = await createHarness({ policy: strict, commands: [deploy] });
    const request = (await h.as("bob").say("!deploy api to production")).text;
    expect(request).toMatch(/needs 2 approvals from someone with deploy:approve and deploy:sre-approve/);
    const id = jobIdIn(request);
    expect((await h.as("carol").say(`!approve ${id}`)).text).toMatch(/waiting for more approvals/);
    expect((await h.as("sam").say(`!approve ${id}`)).text).toMatch(/waiting for more approvals/);
    expect(h.transcript()).not.toMatch(/deployed api/);
    expect((await h.as("sue").say(`!approve ${id}`)).text).toMatch(/it is running now/);
    await h.idle();
    expect(h.transcript()).toMatch(/deployed api\/main to production for bob approved by carol,sam,sue/);
    await h.close();
  });

  it("a button or reaction approval is refused for the requester and for someone without the permission", async () => {
    const h = await createHarness({ policy, commands: [deploy] });
    const id = jobIdIn((await h.as("bob").say("!deploy api to production")).text);
    const adapter = h.adapter();
    const asSender = (name: string) => ({ sender: { id: name, name, verified: true }, jobId: id });
    expect(await adapter.decide({ ...asSender("bob"), decision: "approve" })).toEqual({
      ok: false,
      text: `you requested job ${id}; someone else has to approve it`,
    });
    const zed = await adapter.decide({ ...asSender("zed"), decision: "approve" });
    expect(zed.ok).toBe(false);
    expect(zed.text).toMatch(/command approve is not for guests/);
    const refusals = (await h.audit()).filter((e) => e.event === "denied" && e.jobId === id);
    expect(refusals.map((e) => e.actor)).toEqual(["bob"]);
    expect(h.transcript()).not.toMatch(/deployed api/);
    expect(await adapter.decide({ ...asSender("carol"), decision: "approve" })).toMatchObject({ ok: true });
    await h.idle();
    expect(h.transcript()).toMatch(/deployed api\/main to production for bob approved by carol/);
    await h.close();
  });

  it("a refused approval leaves the same audit records whether typed, clicked or reacted", async () => {
    const h = await createHarness({ policy, commands: [deploy] });
    const id = jobIdIn((await h.as("bob").say("!deploy api to production")).text);
    const seen = (await h.audit()).length;
    // Typed: bob approves his own job.
    expect((await h.as("bob").say(`!approve ${id}`)).text).toMatch(/someone else has to approve it/);
    const typed = (await h.audit()).slice(seen);
    // A button or a reaction: adapters hand both to core as the same action.
    expect(
      await h.adapter().decide({ sender: { id: "bob", name: "bob", verified: true }, jobId: id, decision: "approve" }),
    ).toMatchObject({ ok: false });
    const clicked = (await h.audit()).slice(seen + typed.length);
    const shape = (entries: typeof typed) =>
      entries.map(({ event, actor, command, args, decision, outcome, rule, detail, jobId }) => ({
        event,
        actor,
        command,
        args,
        decision,
        outcome,
        rule,
        detail,
        forWaitingJob: jobId === id,
      }));
    expect(typed.length).toBeGreaterThan(0);
    expect(shape(clicked)).toEqual(shape(typed));
    expect(typed.filter((e) => e.event === "denied" && e.jobId === id)).toHaveLength(1);
    await h.close();
  });

  it("someone unlinked who calls themselves Alice is named by their network id, never by the display name", async () => {
    const h = await createHarness({ policy, commands: [deploy] });
    expect((await h.as("alice").say("!role grant test:u123 approver")).text).toMatch(/now has role approver/);
    const id = jobIdIn((await h.as("bob").say("!deploy api to production")).text);
    const answer = await h.as("Alice", { id: "u123" }).say(`!approve ${id}`);
    expect(answer.text).toMatch(/it is running now for bob/);
    await h.idle();
    expect(h.transcript()).toMatch(new RegExp(`job ${id}: approved by test:u123; running deploy for bob`));
    expect(h.transcript()).not.toMatch(/approved by Alice/);
    await h.close();
  });

  it("shutting down with a job waiting for approval closes it in the audit log, and the chain verifies", async () => {
    const h = await createHarness({ policy, commands: [deploy] });
    const id = jobIdIn((await h.as("bob").say("!deploy api to production")).text);
    await h.bot.stop();
    const entries = await h.audit();
    expect(entries.filter((e) => e.jobId === id).map((e) => [e.event, e.outcome ?? ""])).toEqual([
      ["admitted", ""],
      ["approval-requested", ""],
      ["outcome", "cancelled"],
    ]);
    expect(await verifyChain(entries)).toMatchObject({ ok: true });
    expect(h.transcript()).toMatch(new RegExp(`job ${id} \\(deploy\\) was closed: the bot is shutting down`));
  });
});

describe("rules that need a verified device", () => {
  const devicePolicy = {
    ...policy,
    rules: [
      ...policy.rules,
      {
        name: "prod-from-verified-devices",
        command: "deploy",
        when: { args: { env: "production" } },
        requireVerifiedDevice: true,
      },
    ],
  };
  const say = (h: Awaited<ReturnType<typeof createHarness>>, name: string, text: string, deviceVerified?: boolean) =>
    h.adapter().inject({
      id: `m-${name}-${text}`,
      network: "test",
      room: { id: "#ops", direct: false },
      sender: { id: name, name, verified: true, ...(deviceVerified === undefined ? {} : { deviceVerified }) },
      text,
      time: new Date(),
    });

  it("refuse a command from an unverified device (or a network without devices), and approvals from one", async () => {
    const h = await createHarness({ policy: devicePolicy, commands: [deploy] });
    await say(h, "bob", "!deploy api to production", false);
    expect(h.transcript()).toMatch(/denied: rule "prod-from-verified-devices" needs a message from a verified device/);
    await say(h, "bob", "!deploy api to production");
    expect(h.transcript().match(/needs a message from a verified device/g)).toHaveLength(2);
    await say(h, "bob", "!deploy api to production", true);
    const id = jobIdIn(
      h
        .transcript()
        .split("\n")
        .filter((l) => l.includes("needs 1 approval"))
        .at(-1) ?? "",
    );
    expect(id).not.toBe("");
    await say(h, "carol", `!approve ${id}`, false);
    expect(h.transcript()).toMatch(new RegExp(`approving job ${id} needs a verified device`));
    await say(h, "carol", `!approve ${id}`, true);
    await h.idle();
    expect(h.transcript()).toMatch(/deployed api\/main to production for bob approved by carol/);
    await h.close();
  });
});
