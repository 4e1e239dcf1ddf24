import { describe, expect, it } from "vitest";
import { createHarness } from "../src/index.js";
import { deploy, policy } from "./fixtures.js";

const jobIdIn = (text: string) => /job ([a-z0-9]{5})/.exec(text)?.[1] ?? "";

describe("approvals", () => {
  it("a production deploy waits for a second person, then runs as the requester with the approver recorded", async () => {
    const h = await createHarness({ policy, commands: [deploy] });
    const request = await h.as("bob").say("!deploy api to production");
    expect(request.text).toMatch(
      /needs 1 approval from someone with deploy:approve \(rule production-needs-approval\), not bob/,
    );
    const id = jobIdIn(request.text);
    expect((await h.as("bob").say(`!approve ${id}`)).text).toBe(
      `✖ you requested job ${id}; someone else has to approve it`,
    );
    expect((await h.as("mallory", { verified: false }).say(`!approve ${id}`)).text).toMatch(
      /command approve is not for guests, and you are not identified with the network/,
    );
    expect((await h.as("zed").say(`!approve ${id}`)).text).toMatch(/command approve is not for guests/);

    expect((await h.as("carol").say(`!approve ${id}`)).text).toBe(`✔ approved job ${id}; it is running now for bob`);
    await h.idle();
    expect(h.transcript()).toMatch(new RegExp(`job ${id}: approved by carol; running deploy for bob`));
    expect(h.transcript()).toMatch(/deployed api\/main to production for bob approved by carol/);

    const trail = (await h.audit())
      .filter((e) => e.jobId === id)
      .map((e) => [e.event, e.actor, e.decision ?? e.outcome ?? ""]);
    expect(trail).toEqual([
      ["admitted", "bob", "needs-approval"],
      ["approval-requested", "bob", ""],
      ["denied", "bob", "denied"],
      ["approval", "carol", "approved"],
      ["outcome", "bob", "succeeded"],
    ]);
    await h.close();
  });

  it("counts a quorum of distinct people; the same person twice counts once", async () => {
    const twoPeople = {
      ...policy,
      rules: [
        {
          name: "two-approvers",
          command: "deploy",
          when: { args: { env: "production" } },
          approval: { permission: "deploy:approve", count: 2 },
        },
      ],
    };
    const h = await createHarness({ policy: twoPeople, commands: [deploy] });
    const id = jobIdIn((await h.as("bob").say("!deploy api to production")).text);
    expect((await h.as("carol").say(`!approve ${id}`)).text).toBe(
      `✔ approved job ${id} (1/2); waiting for more approvals`,
    );
    expect((await h.as("carol").say(`!approve ${id}`)).text).toBe(`✔ you already approved job ${id} (1/2)`);
    expect((await h.as("alice").say("!jobs")).text).toMatch(new RegExp(`${id} +deploy +bob +awaiting 1/2 approvals`));
    expect(h.transcript()).not.toMatch(/deployed api/);
    expect((await h.as("dave").say(`!approve ${id}`)).text).toBe(`✔ approved job ${id}; it is running now for bob`);
    await h.idle();
    expect(h.transcript()).toMatch(/deployed api\/main to production for bob approved by carol,dave/);
    await h.close();
  });

  it("works across networks: the same principal linked on another network can approve", async () => {
    const h = await createHarness({ policy, commands: [deploy], networks: ["test", "matrix"] });
    const id = jobIdIn((await h.as("bob").say("!deploy api to production")).text);
    const approval = await h
      .as("@carol:example.org", { network: "matrix", room: "!room:example.org" })
      .say(`!approve ${id}`);
    expect(approval.text).toBe(`✔ approved job ${id}; it is running now for bob`);
    await h.idle();
    // The result goes to the room where bob asked, on bob's network.
    expect(h.transcript("#ops", "test")).toMatch(/deployed api\/main to production for bob approved by carol/);
    const entry = (await h.audit()).find((e) => e.event === "approval");
    expect(entry).toMatchObject({ actor: "carol", network: "matrix" });
    await h.close();
  });

  it("expires after its TTL, audited and announced", async () => {
    const h = await createHarness({ policy, commands: [deploy], approvalTtlMs: 50 });
    const id = jobIdIn((await h.as("bob").say("!deploy api to production")).text);
    await h.waitFor(/expired without enough approvals/);
    expect((await h.as("carol").say(`!approve ${id}`)).text).toMatch(`no job ${id} is waiting for approval`);
    expect((await h.audit()).filter((e) => e.jobId === id).at(-1)).toMatchObject({
      event: "outcome",
      outcome: "expired",
    });
    await h.close();
  });

  it("can be refused by an approver, or withdrawn by the requester", async () => {
    const h = await createHarness({ policy, commands: [deploy] });
    const first = jobIdIn((await h.as("bob").say("!deploy api to production")).text);
    expect((await h.as("zed").say(`!deny ${first}`)).text).toMatch(/command deny is not for guests/);
    expect((await h.as("carol").say(`!deny ${first}`)).text).toBe(`✔ job ${first} refused`);
    expect(h.transcript()).toMatch(`job ${first} (deploy) was refused by carol`);
    const second = jobIdIn((await h.as("bob").say("!deploy api to production")).text);
    expect((await h.as("bob").say(`!cancel ${second}`)).text).toMatch(/cancelling job/);
    const outcomes = (await h.audit()).filter((e) => e.event === "outcome").map((e) => [e.jobId, e.outcome]);
    expect(outcomes).toEqual(
      expect.arrayContaining([
        [first, "rejected"],
        [second, "cancelled"],
      ]),
    );
    expect(h.transcript()).not.toMatch(/deployed api/);
    await h.close();
  });
});

describe("approvals arriving together", () => {
  it("start the job exactly once", async () => {
    const h = await createHarness({ policy, commands: [deploy] });
    const id = jobIdIn((await h.as("bob").say("!deploy api to production")).text);
    const answers = await Promise.all([h.as("carol").say(`!approve ${id}`), h.as("alice").say(`!approve ${id}`)]);
    await h.idle();
    expect(answers.map((a) => a.text).filter((t) => t.includes("it is running now")).length).toBe(1);
    expect(answers.map((a) => a.text).join("\n")).toMatch(`job ${id} is not waiting for approval (it is running)`);
    expect(h.transcript().match(/deployed api\/main to production/g)?.length).toBe(1);
    const starts = (await h.audit()).filter((e) => e.jobId === id && e.event === "approval" && e.detail?.starts);
    expect(starts).toHaveLength(1);
    await h.close();
  });
});
