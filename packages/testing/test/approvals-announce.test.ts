/**
 * `approvals.announce` across three networks: a request asked on an IRC-like network (no edits), announced into a
 * Slack-like and a Matrix-like room (edits), decided from any of them; every request message ends in the same state.
 */
import { type Bot, createBot, type IncomingMessage } from "@switchboard/core";
import { afterEach, describe, expect, it } from "vitest";
import { MemoryAdapter } from "../src/index.js";
import { deploy } from "./fixtures.js";

const policy = {
  roles: {
    deployer: { permissions: ["deploy:run"] },
    approver: { permissions: ["deploy:approve"] },
    sre: { permissions: ["deploy:approve", "deploy:sre"] },
  },
  principals: {
    bob: { roles: ["deployer"], identities: { irc: "bob" } },
    alice: { roles: ["approver"], identities: { slack: "U_ALICE", irc: "alice" } },
    sam: { roles: ["sre"], identities: { matrix: "@sam:example.org" } },
  },
  rules: [
    {
      name: "production",
      command: "deploy",
      when: { args: { env: "production" } },
      approval: { permission: "deploy:approve", count: 2 },
    },
    {
      name: "production-sre",
      command: "deploy",
      when: { args: { env: "production" } },
      approval: { permission: "deploy:sre", count: 1 },
    },
  ],
};

const rooms = { irc: "#ops", slack: "C_APPROVALS", matrix: "!approvals:example.org" };
let bot: Bot | undefined;

async function setup(
  announce: string[] = ["slack:C_APPROVALS", "matrix:!approvals:example.org"],
  approvalTtlMs = 60_000,
) {
  const irc = new MemoryAdapter("irc");
  const slack = new MemoryAdapter("slack", { edits: true, threads: true });
  const matrix = new MemoryAdapter("matrix", { edits: true });
  bot = createBot({
    policy,
    commands: [deploy],
    adapters: [irc, slack, matrix],
    approvals: { announce },
    approvalTtlMs,
    rateLimit: false,
  });
  await bot.start();
  return { irc, slack, matrix, bot };
}

function said(network: string, room: string, sender: string, text: string): IncomingMessage {
  return {
    id: `${network}-${Math.random()}`,
    network,
    room: { id: room, direct: false },
    sender: { id: sender, name: sender, verified: true },
    text,
    time: new Date(),
  };
}

/** Asks for a production deploy as bob on IRC; returns the job id. */
async function ask(irc: MemoryAdapter): Promise<string> {
  await irc.inject(said("irc", rooms.irc, "bob", "!deploy api to production"));
  const request = irc.sent.find((s) => s.message.approvalRequest);
  expect(request).toBeDefined();
  return request!.message.jobId!;
}

const statusOf = (blocks: { type: string; text?: string }[]) =>
  blocks.filter((b) => b.type === "status").map((b) => b.text);

/**
 * What a room shows of the request of `jobId` now: where it was edited, the request's current status lines and
 * whether it still offers Approve/Deny; elsewhere, the last line about the job posted after it.
 */
function requestState(adapter: MemoryAdapter, room: string, jobId: string) {
  const inRoom = adapter.sent.filter((s) => s.target.room.id === room && s.message.jobId === jobId);
  const request = inRoom.find((s) => s.message.approvalRequest || s.edits);
  if (!request) return undefined;
  if (request.edits)
    return { open: request.message.approvalRequest === true, last: statusOf(request.message.blocks).at(-1) };
  const after = inRoom.slice(inRoom.indexOf(request) + 1).filter((s) => s.message.kind === "notice");
  const last = after.at(-1);
  return {
    open: !last || /waiting for|approved by [^;]*\(/.test(statusOf(last.message.blocks).join("")),
    last: last ? statusOf(last.message.blocks).at(-1) : undefined,
  };
}

afterEach(async () => {
  await bot?.stop(0);
  bot = undefined;
});

describe("approvals.announce", () => {
  it("asked on IRC, approved by a Slack button and from Matrix, announced into both: every request ends the same", async () => {
    const { irc, slack, matrix, bot } = await setup();
    const id = await ask(irc);

    // The same request, as an approval request (native buttons/reactions), in both announced rooms.
    for (const [adapter, room] of [
      [slack, rooms.slack],
      [matrix, rooms.matrix],
    ] as const) {
      const posted = adapter.sent.filter((s) => s.target.room.id === room);
      expect(posted).toHaveLength(1);
      expect(posted[0]!.message).toMatchObject({ jobId: id, approvalRequest: true });
      expect(statusOf(posted[0]!.message.blocks)[0]).toMatch(/needs 2 approvals .* not bob/);
    }

    // alice clicks Approve on the Slack announcement: 1 of 2, still waiting for the SRE.
    const first = await slack.decide({
      jobId: id,
      decision: "approve",
      sender: { id: "U_ALICE", name: "alice", verified: true },
      room: { id: rooms.slack, direct: false },
    });
    expect(first).toMatchObject({ ok: true });
    const waiting = `1 of 2: alice approved; waiting for 1 more with deploy:approve and 1 more with deploy:sre`;
    await bot.idle();
    expect(requestState(slack, rooms.slack, id)).toEqual({ open: true, last: waiting });
    expect(requestState(matrix, rooms.matrix, id)).toEqual({ open: true, last: waiting });
    expect(requestState(irc, rooms.irc, id)?.open).toBe(true);
    expect(slack.sent.filter((s) => s.target.room.id === rooms.slack)).toHaveLength(1);

    // sam approves by typing in the Matrix room: enough, the job runs.
    await matrix.inject(said("matrix", rooms.matrix, "@sam:example.org", `!approve ${id}`));
    await bot.idle();
    const running = `job ${id}: approved by alice, sam; running deploy for bob`;
    for (const [adapter, room] of [
      [irc, rooms.irc],
      [slack, rooms.slack],
      [matrix, rooms.matrix],
    ] as const)
      expect(requestState(adapter, room, id)).toEqual({ open: false, last: running });
    expect(irc.sent.map((s) => statusOf(s.message.blocks).join(""))).toContainEqual(
      expect.stringMatching(/deployed api\/main to production for bob approved by alice,sam/),
    );
    // The announced rooms got nothing but their (edited) request and the answer to sam.
    expect(slack.sent.filter((s) => s.target.room.id === rooms.slack)).toHaveLength(1);
  });

  it("a refusal from an announced room closes the request everywhere; a non-editing room gets a follow-up line", async () => {
    const { irc, slack, matrix, bot } = await setup(["irc:#approvals", "matrix:!approvals:example.org"]);
    const id = await ask(irc);
    expect(irc.sent.filter((s) => s.target.room.id === "#approvals" && s.message.approvalRequest)).toHaveLength(1);
    await irc.inject(said("irc", "#approvals", "alice", `!approve ${id}`));
    await bot.idle();
    // IRC cannot edit: the announced room gets a short follow-up line.
    expect(requestState(irc, "#approvals", id)).toEqual({
      open: true,
      last: "1 of 2: alice approved; waiting for 1 more with deploy:approve and 1 more with deploy:sre",
    });
    const result = await matrix.decide({
      jobId: id,
      decision: "deny",
      sender: { id: "@sam:example.org", name: "sam", verified: true },
      room: { id: rooms.matrix, direct: false },
    });
    expect(result.ok).toBe(true);
    await bot.idle();
    const refused = `job ${id} (deploy) was refused by sam`;
    expect(requestState(irc, "#approvals", id)).toEqual({ open: false, last: refused });
    expect(requestState(irc, rooms.irc, id)).toEqual({ open: false, last: refused });
    expect(requestState(matrix, rooms.matrix, id)).toEqual({ open: false, last: refused });
    expect(slack.sent).toHaveLength(0);
    expect(irc.sent.some((s) => statusOf(s.message.blocks).join("").includes("deployed api"))).toBe(false);
  });

  it("expiry closes every request, on every network, without running the job", async () => {
    const { irc, slack, matrix } = await setup(undefined, 200);
    const id = await ask(irc);
    const expired = `job ${id} (deploy) expired without enough approvals`;
    // polls the rooms, not the clock: the assertion is on the state they end in
    const closed = () =>
      [
        requestState(irc, rooms.irc, id),
        requestState(slack, rooms.slack, id),
        requestState(matrix, rooms.matrix, id),
      ].every((state) => state?.open === false);
    for (let i = 0; i < 200 && !closed(); i++) await new Promise((r) => setTimeout(r, 25));
    expect(requestState(irc, rooms.irc, id)).toEqual({ open: false, last: expired });
    expect(requestState(slack, rooms.slack, id)).toEqual({ open: false, last: expired });
    expect(requestState(matrix, rooms.matrix, id)).toEqual({ open: false, last: expired });
    expect(irc.sent.some((s) => statusOf(s.message.blocks).join("").includes("deployed api"))).toBe(false);
  });

  it("a wider audience decides nothing more: a stranger's click in an announced room is refused and changes nothing", async () => {
    const { irc, slack, bot } = await setup();
    const id = await ask(irc);
    const stranger = await slack.decide({
      jobId: id,
      decision: "approve",
      sender: { id: "U_MALLORY", name: "alice", verified: true },
      room: { id: rooms.slack, direct: false },
    });
    expect(stranger.ok).toBe(false);
    // the requester's own account on another network cannot approve either
    const own = await slack.decide({
      jobId: id,
      decision: "deny",
      sender: { id: "U_EVE", name: "bob", verified: false },
      room: { id: rooms.slack, direct: false },
    });
    expect(own.ok).toBe(false);
    await bot.idle();
    const request = slack.sent.find((s) => s.target.room.id === rooms.slack)!;
    expect(request.edits).toBeUndefined();
    expect(request.message.approvalRequest).toBe(true);
    expect(bot.jobs.get(id)?.state).toBe("awaiting-approval");
  });

  it("the asker's own room is not announced twice, and a room on a network without an adapter is refused up front", async () => {
    const { irc, bot: first } = await setup(["irc:#ops"]);
    const id = await ask(irc);
    expect(irc.sent.filter((s) => s.message.approvalRequest && s.message.jobId === id)).toHaveLength(1);
    await first.stop(0);
    bot = undefined;
    expect(() => createBot({ approvals: { announce: ["no-colon"] } })).toThrow(/is not a room/);
    const typo = createBot({ adapters: [new MemoryAdapter("irc")], approvals: { announce: ["slak:C1"] } });
    await expect(typo.start()).rejects.toThrow(/no adapter has the network name "slak"/);
  });
});
