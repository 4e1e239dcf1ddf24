/**
 * Against a real Synapse: a numbered reaction to a message with actions runs that action's command as the person
 * who reacted (the same permission check as typing it), and approval requests announced into another room are
 * edited in place (`m.replace`) on both rooms as people decide.
 */
import { arg, createBot, defineCommand, MemoryAuditLog, out, silentLogger } from "@switchboard/core";
import { bodyOf, Homeserver, type Seen, TestUser } from "@switchboard/test-servers";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { MatrixAdapter } from "../src/index.js";
import { dataDir } from "./rig.js";

const acked: string[] = [];

/** An incident notice with Acknowledge / Resolve actions, like the paging plugin's. */
const commands = [
  defineCommand({
    name: "incident",
    summary: "shows an incident",
    guests: true,
    handler: () => [
      out.status("fail", "incident PX1: api is down"),
      out.actions(
        { label: "Acknowledge", command: "ack PX1", style: "primary" },
        { label: "Resolve", command: "resolve PX1" },
      ),
    ],
  }),
  defineCommand({
    name: "ack",
    summary: "acknowledges an incident",
    pattern: "{id}",
    args: { id: arg.string({ required: true, match: /^[A-Z0-9]+$/ }) },
    permission: "pager:ack",
    handler: ({ args, actor }) => {
      acked.push(`${args.id} by ${actor.id}`);
      return out.status("ok", `acknowledged ${args.id} as ${actor.id}`);
    },
  }),
  defineCommand({
    name: "deploy",
    summary: "needs approval",
    permission: "deploy:run",
    sideEffect: true,
    handler: () => "deployed",
  }),
];

const newBody = (seen: Seen) => {
  const fresh = seen.content["m.new_content"] as { body?: unknown } | undefined;
  return typeof fresh?.body === "string" ? fresh.body : "";
};
const isEditOf = (seen: Seen, eventId: string) =>
  (seen.content["m.relates_to"] as { rel_type?: string; event_id?: string } | undefined)?.event_id === eventId;

describe("matrix reactions on actions, and announced approval requests", () => {
  let hs: Homeserver;
  let alice: TestUser;
  let bob: TestUser;
  let carol: TestUser;
  let botId: string;
  let ops: string;
  let approvals: string;
  let stop: () => Promise<void>;
  const auditLog = new MemoryAuditLog();

  beforeAll(async () => {
    hs = await Homeserver.start();
    botId = await hs.register("bot", "bot-password");
    [alice, bob, carol] = await Promise.all([
      TestUser.create(hs, "alice"),
      TestUser.create(hs, "bob"),
      TestUser.create(hs, "carol"),
    ]);
    const adapter = new MatrixAdapter({
      homeserver: hs.url,
      userId: botId,
      password: "bot-password",
      dataDir: dataDir(),
      encryption: false,
      invites: { users: [alice.userId] },
    });
    ops = await alice.createRoom([botId, bob.userId, carol.userId], { waitJoin: false });
    approvals = await alice.createRoom([botId, bob.userId], { waitJoin: false });
    const bot = createBot({
      logger: silentLogger(),
      adapters: [adapter],
      commands,
      auditLog,
      approvals: { announce: [`matrix:${approvals}`] },
      policy: {
        roles: {
          oncall: { permissions: ["pager:ack", "deploy:approve"] },
          deployer: { permissions: ["deploy:run"] },
        },
        principals: {
          alice: { roles: ["deployer"], identities: { matrix: alice.userId } },
          bob: { roles: ["oncall"], identities: { matrix: bob.userId } },
        },
        rules: [{ name: "deploys", command: "deploy", approval: { count: 1, permission: "deploy:approve" } }],
      },
    });
    await bot.start();
    stop = () => bot.stop();
    await alice.waitMembership(ops, botId, "join");
    await alice.waitMembership(approvals, botId, "join");
    await Promise.all([bob.client.joinRoom(ops), carol.client.joinRoom(ops), bob.client.joinRoom(approvals)]);
  });

  afterAll(async () => {
    await stop?.();
    await Promise.all([alice?.close(), bob?.close(), carol?.close()]);
    await hs?.close();
  });

  it("1️⃣ on an incident acknowledges it as the person who reacted; a guest's reaction is refused", async () => {
    await alice.say(ops, "!incident");
    const incident = await bob.waitFrom(botId, ops, (s) => bodyOf(s).includes("incident PX1"));
    expect(bodyOf(incident)).toContain("1️⃣ Acknowledge: ack PX1");
    expect(bodyOf(incident)).toContain("2️⃣ Resolve: resolve PX1");

    await carol.react(ops, incident.eventId, "1️⃣");
    await carol.waitFrom(botId, ops, (s) =>
      bodyOf(s).includes("denied: command ack requires permission pager:ack, and your roles (guest) do not grant it"),
    );
    expect(acked).toEqual([]);

    await bob.react(ops, incident.eventId, "1️⃣");
    await bob.waitFrom(botId, ops, (s) => bodyOf(s).includes(`acknowledged PX1 as bob`));
    expect(acked).toEqual(["PX1 by bob"]);
    const entries = await auditLog.query({ event: "admitted" });
    expect(entries.filter((e) => e.command === "ack").map((e) => [e.actor, e.network])).toEqual([["bob", "matrix"]]);
    // a reaction that is not a number of the message's actions does nothing (a reaction from another room, which the
    // adapter also ignores, is refused by Synapse itself: "Relations must be in the same room")
    await bob.react(ops, incident.eventId, "3️⃣");
    await alice.say(ops, "!incident");
    await bob.waitFrom(botId, ops, (s) => s.eventId !== incident.eventId && bodyOf(s).includes("incident PX1"));
    expect(acked).toEqual(["PX1 by bob"]);
  });

  it("an approval request announced into another room is approved by a reaction there; both requests are edited", async () => {
    await alice.say(ops, "!deploy");
    const asked = await bob.waitFrom(botId, ops, (s) => bodyOf(s).includes("needs 1 approval"));
    const announced = await bob.waitFrom(botId, approvals, (s) => bodyOf(s).includes("needs 1 approval"));
    const jobId = /job (\w+):/.exec(bodyOf(announced))![1]!;
    expect(bodyOf(asked)).toContain(`job ${jobId}:`);

    await bob.react(approvals, announced.eventId, "👍");
    const running = `job ${jobId}: approved by bob; running deploy for alice`;
    const editedThere = await bob.waitFrom(botId, approvals, (s) => isEditOf(s, announced.eventId));
    const editedHere = await bob.waitFrom(botId, ops, (s) => isEditOf(s, asked.eventId));
    expect(newBody(editedThere)).toContain(running);
    expect(newBody(editedHere)).toContain(running);
    await bob.waitFrom(botId, ops, (s) => bodyOf(s) === "deployed" || bodyOf(s).includes("deployed"));
  });
});
