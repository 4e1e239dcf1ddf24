import type { ChildProcessWithoutNullStreams } from "node:child_process";
import { spawnSync } from "node:child_process";
import { FakeSlack, type PostedMessage, SlackPeople, slackBot, slackTeam } from "@switchboard/test-servers";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { assertBuilt, copyExample, exited, spawnCli, tempDir } from "./cli.js";

const admin = { id: "U0ADMIN", team: slackTeam.id, name: "admin" };
const approver = { id: "U0APPROVER", team: slackTeam.id, name: "approver" };
const ops = "C0OPS";

const decode = (text: string) => text.replace(/&lt;/g, "<").replace(/&gt;/g, ">").replace(/&amp;/g, "&");

/**
 * A new user's path with examples/slack.yaml, against the local Slack (the real Slack clients inside the real CLI):
 * the demo repositories, `switchboard start`, `@switchboard help`, `!deploy web/feature to production`, the
 * requester's own Approve click refused, the second person's click approving; the deploy runs and says so.
 */
describe("switchboard start with examples/slack.yaml", () => {
  let slack: FakeSlack;
  let people: SlackPeople;
  let child: ChildProcessWithoutNullStreams | undefined;
  const temp = tempDir("switchboard-slack-");
  let stderr = "";

  beforeAll(async () => {
    assertBuilt();
    slack = await FakeSlack.start();
    slack.addUser(admin);
    slack.addUser(approver);
    people = new SlackPeople(slack);
    // A copy of the example: its relative paths (./deploy/…, ../.switchboard/…) resolve against its own folder.
    copyExample("slack.yaml", temp.dir);
    const setup = spawnSync("sh", ["examples/deploy/demo-setup.sh"], { cwd: temp.dir, encoding: "utf8" });
    expect(setup.status, setup.stderr).toBe(0);
    child = spawnCli(["start", "--config", "examples/slack.yaml"], temp.dir, {
      SLACK_APP_TOKEN: slack.tokens.app,
      SLACK_BOT_TOKEN: slack.tokens.bot,
      SLACK_API_URL: slack.apiUrl,
      SLACK_ADMIN: admin.id,
      SLACK_APPROVER: approver.id,
    });
    child.stderr.on("data", (chunk: Buffer) => {
      stderr += chunk.toString("utf8");
    });
    await slack.until(`the bot's Socket Mode connection (stderr: ${stderr})`, () => slack.socket.open === 1, 30_000);
  }, 60_000);

  afterAll(async () => {
    if (child && child.exitCode === null) {
      child.kill("SIGTERM");
      await exited(child);
    }
    await slack?.close();
    temp.remove();
  });

  const find = (what: string, test: (m: PostedMessage) => boolean) =>
    slack.until(what, () => slack.messagesIn(ops).find(test), 20_000);

  it("answers a mention, asks for approval with buttons, refuses the requester's click and deploys on the second person's", async () => {
    await people.mention(admin, ops, `<@${slackBot.userId}> help`);
    const help = await find("help", (m) => /deploy/.test(m.text) && /ping/.test(m.text));
    expect(help.text).toContain(`<@${admin.id}>`);

    await people.say(admin, ops, "!deploy web/feature to production");
    const request = await find("the approval request", (m) => /needs 1 approval/.test(decode(m.text)));
    const jobId = /job (\w+):/.exec(decode(request.text))![1]!;
    await people.click(admin, request, "switchboard.approve");
    const refused = await slack.until("the requester's refusal", () =>
      slack.ephemerals.find((e) => e.user === admin.id && e.text.includes(jobId)),
    );
    expect(refused.text).toContain(`you requested job ${jobId}`);

    await people.click(approver, request, "switchboard.approve");
    // The deploy script's output, streamed into one message that is edited as lines arrive.
    const progress = await find("the deploy's output", (m) => /production now serves/.test(decode(m.text)));
    expect(decode(progress.text)).toContain("deploying web/feature");
    const updated = await slack.until("the request updated", () => {
      const m = slack.messagesIn(ops).find((x) => x.ts === request.ts)!;
      return m.text.includes(`approved by <@${approver.id}>`) ? m : undefined;
    });
    expect(updated.blocks.some((b) => b.type === "actions")).toBe(false);
  }, 60_000);
});
