/**
 * `approvals.announce` on Slack: a request asked in one channel is posted, with its own Approve / Deny buttons, into
 * the approvers' channel; a click there starts the job, and both request messages lose their buttons and say so.
 */
import type { PostedMessage } from "@switchboard/test-servers";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { decode, ops, people, type Rig, runs, settle, startRig, waitForText } from "./rig.js";

const approvers = "C0APPROVERS";
const buttonsOf = (m: PostedMessage) =>
  m.blocks
    .filter((b) => b.type === "actions")
    .flatMap((b) => b.elements as Array<{ action_id: string; value: string }>);

describe("slack: approval requests announced into another channel", () => {
  let rig: Rig;

  beforeAll(async () => {
    rig = await startRig({ announce: [`slack:${approvers}`] });
  });
  afterAll(async () => rig?.close());

  it("a click on the announced request runs the job once; both requests are closed the same way", async () => {
    const before = runs.get("deploy") ?? 0;
    await rig.people.say(people.alice, ops, "!deploy");
    const asked = await waitForText(rig.slack, ops, /needs 1 approval/);
    const announced = await waitForText(rig.slack, approvers, /needs 1 approval/);
    const jobId = /job (\w+):/.exec(decode(announced.text))![1]!;
    expect(decode(asked.text)).toContain(`job ${jobId}:`);
    expect(buttonsOf(announced).map((b) => [b.action_id, b.value])).toEqual([
      ["switchboard.approve", jobId],
      ["switchboard.deny", jobId],
    ]);

    await rig.people.click(people.bob, announced, "switchboard.approve");
    await waitForText(rig.slack, ops, /deployed/);
    const running = `job ${jobId}: approved by bob; running deploy for alice`;
    for (const [channel, ts] of [
      [ops, asked.ts],
      [approvers, announced.ts],
    ] as const) {
      const closed = await rig.slack.until(`the closed request in ${channel}`, () => {
        const m = rig.slack.messagesIn(channel).find((x) => x.ts === ts)!;
        return buttonsOf(m).length === 0 && decode(m.text).includes(running) ? m : undefined;
      });
      expect(decode(closed.text)).toContain(running);
    }
    await settle(rig);
    expect(runs.get("deploy")).toBe(before + 1);
    // the approvers' channel got its request and nothing else from the bot
    expect(rig.slack.messagesIn(approvers)).toHaveLength(1);
  });
});
