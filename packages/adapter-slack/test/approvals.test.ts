import type { PostedMessage } from "@switchboard/test-servers";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { decode, ops, people, type Rig, runs, settle, startRig, waitForText } from "./rig.js";

const approve = "switchboard.approve";
const deny = "switchboard.deny";

/** Approval requests with Approve / Deny buttons, and buttons that run commands. */
describe("slack approval buttons", () => {
  let rig: Rig;

  beforeAll(async () => {
    rig = await startRig();
  });
  afterAll(async () => rig?.close());

  async function request(): Promise<{ jobId: string; message: PostedMessage }> {
    const before = rig.slack.messagesIn(ops).length;
    await rig.people.say(people.alice, ops, "!deploy");
    const message = await rig.slack.until("the approval request", () =>
      rig.slack
        .messagesIn(ops)
        .slice(before)
        .find((m) => /needs 1 approval/.test(decode(m.text))),
    );
    return { jobId: /job (\w+):/.exec(decode(message.text))![1]!, message };
  }

  const buttonsOf = (m: PostedMessage) =>
    m.blocks
      .filter((b) => b.type === "actions")
      .flatMap((b) => b.elements as Array<{ action_id: string; value: string }>);

  it("asks with a header and Approve / Deny buttons carrying the job id", async () => {
    const { jobId, message } = await request();
    expect(message.blocks[0]).toMatchObject({ type: "header" });
    expect(buttonsOf(message).map((b) => [b.action_id, b.value])).toEqual([
      [approve, jobId],
      [deny, jobId],
    ]);
    expect(decode(message.text)).toContain(`approve ${jobId}`);
  });

  it("refuses the requester's own click and a click without the permission, each with an ephemeral note", async () => {
    const before = runs.get("deploy") ?? 0;
    const { jobId, message } = await request();
    await rig.people.click(people.alice, message, approve);
    const own = await rig.slack.until("alice's note", () =>
      rig.slack.ephemerals.find((e) => e.user === people.alice.id && e.text.includes(jobId)),
    );
    expect(own.text).toContain(`you requested job ${jobId}`);
    expect(own.channel).toBe(ops);
    await rig.people.click(people.carol, message, approve);
    const carol = await rig.slack.until("carol's note", () =>
      rig.slack.ephemerals.find((e) => e.user === people.carol.id && e.text.includes(jobId)),
    );
    // carol holds no role: approving is not for guests (the same answer as typing !approve).
    expect(carol.text).toMatch(/needs permission deploy:approve|command approve is not for guests/);
    await rig.people.click(people.mallory, message, approve);
    const mallory = await rig.slack.until("mallory's note", () =>
      rig.slack.ephemerals.find((e) => e.user === people.mallory.id && e.text.includes("identified")),
    );
    expect(mallory.text).toMatch(/not identified with the network/);
    await settle(rig);
    expect(runs.get("deploy") ?? 0).toBe(before);
    // Refused clicks leave the request as it was: buttons still there, no decision line.
    const current = rig.slack.messagesIn(ops).find((m) => m.ts === message.ts)!;
    expect(current.history).toHaveLength(0);
    const denied = await rig.auditLog.query({ jobId, event: "denied" });
    expect(denied.map((e) => e.actor).sort()).toEqual(expect.arrayContaining(["alice"]));
  });

  it("runs the job once when someone allowed clicks Approve, and updates the request with who approved", async () => {
    const before = runs.get("deploy") ?? 0;
    const { jobId, message } = await request();
    await rig.people.click(people.bob, message, approve);
    await waitForText(rig.slack, ops, /deployed/);
    const updated = await rig.slack.until("the updated request", () => {
      const m = rig.slack.messagesIn(ops).find((x) => x.ts === message.ts)!;
      return buttonsOf(m).length === 0 && /approved by <@U0BOB>/.test(m.text) ? m : undefined;
    });
    expect(JSON.stringify(updated.blocks)).toContain(`approved by <@${people.bob.id}>`);
    expect(decode(updated.text)).toMatch(/running|it ran/);
    await settle(rig);
    expect(runs.get("deploy")).toBe(before + 1);
    const approvals = await rig.auditLog.query({ jobId, event: "approval" });
    expect(approvals.map((e) => [e.actor, e.network])).toEqual([["bob", "slack"]]);
  });

  it("counts a click Slack delivers twice once", async () => {
    const before = runs.get("deploy") ?? 0;
    const { jobId, message } = await request();
    const click = await rig.people.click(people.bob, message, approve);
    rig.slack.socket.resend(click.envelope!);
    await waitForText(rig.slack, ops, /deployed/);
    await settle(rig);
    expect(runs.get("deploy")).toBe(before + 1);
    expect(await rig.auditLog.query({ jobId, event: "approval" })).toHaveLength(1);
  });

  it("closes the job when someone allowed clicks Deny, and says who refused", async () => {
    const before = runs.get("deploy") ?? 0;
    const { jobId, message } = await request();
    await rig.people.click(people.bob, message, deny);
    const updated = await rig.slack.until("the refused request", () => {
      const m = rig.slack.messagesIn(ops).find((x) => x.ts === message.ts)!;
      return buttonsOf(m).length === 0 && /refused by <@U0BOB>/.test(m.text) ? m : undefined;
    });
    expect(decode(updated.text)).toContain(`job ${jobId} refused`);
    await settle(rig);
    expect(runs.get("deploy") ?? 0).toBe(before);
  });

  it("removes the buttons when the job is approved another way", async () => {
    const { jobId, message } = await request();
    await rig.people.say(people.bob, ops, `!approve ${jobId}`);
    await rig.slack.until("the closed request", () => {
      const m = rig.slack.messagesIn(ops).find((x) => x.ts === message.ts)!;
      return buttonsOf(m).length === 0 && /running|it ran/.test(m.text);
    });
  });

  it("runs an actions button's command as the person who clicked it", async () => {
    const before = runs.get("count") ?? 0;
    await rig.people.say(people.alice, ops, "!menu");
    const menu = await waitForText(rig.slack, ops, /pick one/);
    await rig.people.click(people.carol, menu, "switchboard.run.0");
    const reply = await waitForText(rig.slack, ops, new RegExp(`counted ${before + 1}`));
    expect(reply.text).toContain(`<@${people.carol.id}>`);
    const [admitted] = await rig.auditLog.query({ event: "admitted", command: "count", limit: 1 });
    expect(admitted?.actor).toBe(`slack:${people.carol.id}`);
  });
});
