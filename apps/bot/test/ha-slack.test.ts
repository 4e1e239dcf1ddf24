import type { ChildProcessWithoutNullStreams } from "node:child_process";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { openPostgres, type PostgresStorage } from "@switchboard/store-postgres";
import { FakeSlack, SlackPeople, slackTeam, startPostgres, type TestPostgres } from "@switchboard/test-servers";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { assertBuilt, exited, runCli, spawnCli, tempDir } from "./cli.js";

const admin = { id: "U0ADMIN", team: slackTeam.id, name: "admin" };
const ops = "C0OPS";

/** Slack on PostgreSQL: both instances keep a Socket Mode connection (active-active). */
const config = `
bot: { name: switchboard, prefix: "!" }
store:
  postgres:
    url: \${DATABASE_URL}
    leaseTtl: 3s
    deadAfter: 5s
adapters:
  - type: slack
    name: slack
    mode: socket
    appToken: \${SLACK_APP_TOKEN}
    botToken: \${SLACK_BOT_TOKEN}
    apiUrl: \${SLACK_API_URL}
    sendInterval: 50ms
    sendBurst: 10
    reconnect: { initialDelay: 100ms, maxDelay: 1s }
roles:
  owner: { permissions: ["*"] }
  guest: { permissions: [] }
principals:
  admin:
    roles: [owner]
    identities: { slack: ${admin.id} }
rules: []
guestRole: guest
`;

/**
 * Two `switchboard start` processes on one PostgreSQL database, each with its own Socket Mode connection to the
 * local Slack (the real Slack clients inside the real CLI). Slack sends an event to one connection and, when the
 * acknowledgement is lost, retries it to any: here the same event reaches both connections, and is retried to both.
 */
describe("several instances on Slack: the same event to two instances", () => {
  let postgres: TestPostgres;
  let slack: FakeSlack;
  let people: SlackPeople;
  let db: PostgresStorage;
  const folders = [tempDir("switchboard-ha-slack-a-"), tempDir("switchboard-ha-slack-b-")];
  const children: ChildProcessWithoutNullStreams[] = [];
  const stderr = ["", ""];

  beforeAll(async () => {
    assertBuilt();
    [postgres, slack] = await Promise.all([startPostgres(), FakeSlack.start()]);
    slack.addUser(admin);
    people = new SlackPeople(slack);
    const env = {
      DATABASE_URL: await postgres.database("switchboard"),
      SLACK_APP_TOKEN: slack.tokens.app,
      SLACK_BOT_TOKEN: slack.tokens.bot,
      SLACK_API_URL: slack.apiUrl,
    };
    for (const folder of folders) writeFileSync(join(folder.dir, "switchboard.yaml"), config);
    const migrated = await runCli(["migrate", "--config", "switchboard.yaml"], { cwd: folders[0]!.dir, env });
    expect(migrated.code, migrated.stderr).toBe(0);
    db = await openPostgres({ url: env.DATABASE_URL });
    folders.forEach((folder, i) => {
      const child = spawnCli(["start", "--config", "switchboard.yaml"], folder.dir, env);
      child.stderr.on("data", (chunk: Buffer) => {
        stderr[i] += chunk.toString("utf8");
      });
      children.push(child);
    });
    await slack
      .until("both instances' Socket Mode connections", () => slack.socket.open === 2, 60_000)
      .catch((error: unknown) => {
        throw new Error(`${String(error)}\nstderr a: ${stderr[0]}\nstderr b: ${stderr[1]}`);
      });
  }, 90_000);

  afterAll(async () => {
    for (const child of children) if (child.exitCode === null) child.kill("SIGTERM");
    await Promise.all(children.map((child) => exited(child)));
    await db?.close();
    await slack?.close();
    await postgres?.stop();
    for (const folder of folders) folder.remove();
  });

  it("the same event on both connections, then retried to both: it runs once, with one reply and one claim", async () => {
    slack.socket.routing = "spread";
    // The acknowledgements are lost: Slack retries every envelope (retry_attempt 1…3), to any connection.
    slack.socket.ignoreAcks = true;
    const payload = people.eventCallback(people.messageEvent(admin, ops, "!ping"));
    const ts = (payload.event as { ts: string }).ts;
    const envelopes = slack.socket.deliverToEach("events_api", payload);
    expect(envelopes).toHaveLength(2);
    const deliveries = () => slack.socket.sent.filter((e) => e.payload.event_id === payload.event_id);
    // Two envelopes, each retried three times.
    await slack.until("every retry to be sent", () => deliveries().length === 8, 20_000);
    expect(deliveries().filter((e) => e.retry_attempt !== undefined)).toHaveLength(6);
    await slack.until(
      "every delivery acknowledged",
      () => deliveries().every((e) => slack.socket.acks.includes(e.envelope_id)),
      20_000,
    );
    slack.socket.ignoreAcks = false;
    const pongs = () => slack.messagesIn(ops).filter((m) => /pong/.test(m.text));
    await slack.until("the reply", () => pongs().length > 0, 20_000);

    // Give a second reply (which would be the bug) time to show.
    await new Promise((resolve) => setTimeout(resolve, 2000));

    expect(pongs()).toHaveLength(1);
    const claims = await db.pool.query<{ instance: string; job_id: string }>(
      "SELECT instance, job_id FROM inbound WHERE network = 'slack' AND message_id = $1",
      [ts],
    );
    expect(claims.rows).toHaveLength(1);
    const entries = await db.auditLog.query({ jobId: claims.rows[0]!.job_id, limit: 10 });
    expect(entries.map((e) => e.event).sort()).toEqual(["admitted", "outcome"]);
    expect(await db.auditLog.query({ command: "ping", event: "admitted", limit: 10 })).toHaveLength(1);
  }, 60_000);
});
