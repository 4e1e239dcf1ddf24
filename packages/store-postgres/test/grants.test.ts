// Runtime role grants with several instances, on real processes: two bot instances (test/approvals/instance.mjs) on
// one real PostgreSQL 15 cluster. A `role grant` or `role revoke` through one instance is followed by the other at
// once (a NOTIFY sent in the write's transaction, LISTENed for by every instance); and an approval never counts a
// role from a stale view: the approver's grants are read in the vote's own transaction, so even an instance that
// hears nothing (NO_CHANGES=1: every notice missed) refuses a revoked approver. Each grant is its own `kv` row
// (grant = INSERT … ON CONFLICT DO NOTHING, revoke = DELETE), so a revoke and a grant of another role through two
// instances at the same moment never undo each other; grants in the v1 layout are moved at start.
import { fileURLToPath } from "node:url";
import { eventually } from "@switchboard/test-servers";
import { describe, expect, it } from "vitest";
import { freshDatabase, open, usePostgres } from "./helpers.js";
import { InstanceProcess } from "./processes.js";

usePostgres();

const script = fileURLToPath(new URL("./approvals/instance.mjs", import.meta.url));

let messages = 0;

/** Starts instance `name` on `url`; resolves once it started (its grants loaded). */
async function start(name: string, url: string, env: Record<string, string> = {}) {
  const p = new InstanceProcess(name, { DATABASE_URL: url, ...env }, script);
  await p.waitFor("started");
  return p;
}

/** Two instances a and b on a fresh database; `env` per instance. */
async function twoInstances(envA: Record<string, string> = {}, envB: Record<string, string> = {}) {
  const url = await freshDatabase();
  const [a, b] = await Promise.all([start("a", url, envA), start("b", url, envB)]);
  return { url, a, b };
}

/** Sends `text` from `from` to instance `p`; resolves to what it answered (every message sent meanwhile). */
async function say(p: InstanceProcess, from: string, text: string): Promise<string> {
  const id = `M${++messages}`;
  const before = p.events.length;
  p.say("say", `${id} ${from} ${text}`);
  await p.waitFor("handled", (e) => e.id === id);
  return p.events
    .slice(before)
    .filter((e) => e.ev === "sent")
    .map((e) => String(e.text))
    .join("\n");
}

/** Asks for a deploy through `p` as `from`; resolves to the id of the job waiting for approval. */
async function request(p: InstanceProcess, from: string, env: string): Promise<string> {
  const before = p.events.length;
  await say(p, from, `!deploy ${env}`);
  const asked = await p.waitFor(
    "sent",
    (e) => p.events.indexOf(e) >= before && /needs \d approvals?/.test(String(e.text)),
  );
  return String(asked.jobId);
}

const runs = (all: InstanceProcess[], job: string) =>
  all.flatMap((p) => p.events.filter((e) => e.ev === "running" && e.job === job));

/** Polls until `from`'s `!deploy` through `p` is taken (true) or refused for want of the permission (false). */
const deployTaken = async (p: InstanceProcess, from: string, want: boolean) =>
  eventually(`${from}'s deploy through ${p.name} to be ${want ? "taken" : "refused"}`, async () => {
    const answer = await say(p, from, "!deploy probe");
    const taken = /needs \d approvals?/.test(answer);
    const refused = /permission deploy\b|not for guests/.test(answer);
    if (!taken && !refused) throw new Error(`unexpected answer: ${answer}`);
    return taken === want;
  });

describe("runtime role grants on several instances (one PostgreSQL)", () => {
  it("a grant through A is honoured by B, and a revoke through A makes B refuse", async () => {
    const { a, b } = await twoInstances();
    // erin is no principal: through B, a deploy is refused.
    expect(await say(b, "erin", "!deploy probe")).toMatch(/command deploy is not for guests/);
    expect(await say(a, "root", "!role grant slack:erin approver")).toContain("slack:erin now has role approver");
    // B was told (NOTIFY in the grant's transaction) and reads the grants again: erin may deploy through B.
    await deployTaken(b, "erin", true);

    // The approval through B counts erin at once: her grant is read in the vote's transaction.
    const job = await request(a, "alice", "prod");
    expect(await say(b, "erin", `!approve ${job}`)).toContain(`approved job ${job}; instance a, which holds it`);
    await a.waitFor("running", (e) => e.job === job);

    expect(await say(a, "root", "!role revoke slack:erin approver")).toContain(
      "slack:erin no longer has role approver",
    );
    await deployTaken(b, "erin", false);
    // B revoking again sees the revoke made through A (read from the store, not from memory).
    expect(await say(b, "root", "!role revoke slack:erin approver")).toContain(
      "slack:erin does not have role approver",
    );
  }, 90_000);

  it("a revoke through A: B refuses the approver at once, even when it hears no notice at all", async () => {
    const url = await freshDatabase();
    const a = await start("a", url);
    expect(await say(a, "root", "!role grant slack:erin approver")).toContain("now has role approver");
    // B loads erin's grant at start and then hears of no change (NO_CHANGES=1: every notice missed).
    const b = await start("b", url, { NO_CHANGES: "1" });
    expect(await say(a, "root", "!role revoke slack:erin approver")).toContain("no longer has role approver");
    const job = await request(a, "alice", "prod");
    // B's copy still lists erin as an approver (the command is open to her there), but the vote reads the grants
    // in its transaction: refused, and her roles are named as they are now.
    const refused = await say(b, "erin", `!approve ${job}`);
    expect(refused).toContain(
      `approving job ${job} needs permission deploy:approve, which your roles (guest) do not grant`,
    );
    expect(runs([a, b], job)).toEqual([]);
    // A grant through B reads erin's grants from the store first: the revoke through A is not undone.
    expect(await say(b, "root", "!role grant slack:erin dev")).toContain("slack:erin now has role dev");
    const refusedAgain = await say(b, "erin", `!approve ${job}`);
    expect(refusedAgain).toContain("which your roles (guest, dev) do not grant");
  }, 90_000);

  it("an approver revoked through A between the first and the last approval loses the vote on B", async () => {
    const url = await freshDatabase();
    const a = await start("a", url, { APPROVALS: "2" });
    expect(await say(a, "root", "!role grant slack:erin approver")).toContain("now has role approver");
    // B knows erin's grant from its start and then misses every notice.
    const b = await start("b", url, { APPROVALS: "2", NO_CHANGES: "1" });
    const job = await request(a, "alice", "prod");
    expect(await say(b, "erin", `!approve ${job}`)).toContain(`approved job ${job} (1/2)`);
    expect(await say(a, "root", "!role revoke slack:erin approver")).toContain("no longer has role approver");
    // The last approval arrives through B, which has not heard of the revoke.
    const last = await say(b, "carol", `!approve ${job}`);
    expect(last).toContain(`approved job ${job} (1/2); slack:erin no longer holds deploy:approve`);
    expect(last).toContain("waiting for more approvals");
    expect(runs([a, b], job)).toEqual([]);
    // The holder mirrors the row: erin's vote is gone there too.
    await a.waitFor("sent", (e) => String(e.text).includes(`job ${job}: approved by carol (1/2)`));

    const { pool } = await open(url);
    const votes = await pool.query<{ approver: string }>(
      "SELECT approver FROM approval_votes WHERE job_id = $1 ORDER BY n",
      [job],
    );
    expect(votes.rows.map((r) => r.approver)).toEqual(["carol"]);
  }, 90_000);

  it("a grant laundered across instances does not count: A to sock2, sock2 through B to sock3, sock3 approves", async () => {
    const { a, b } = await twoInstances();
    // mallory (admin) grants her second account admin through A …
    expect(await say(a, "mallory", "!role grant slack:sock2 admin")).toContain("slack:sock2 now has role admin");
    // … which, once B has heard of it, grants a third account approver through B.
    const laundered = await eventually("sock2 to hold admin on B", async () => {
      const answer = await say(b, "sock2", "!role grant slack:sock3 approver");
      return answer.includes("slack:sock3 now has role approver") ? answer : undefined;
    });
    expect(laundered).toContain("slack:sock3 now has role approver");

    const job = await request(a, "mallory", "prod");
    const direct = await say(b, "sock2", `!approve ${job}`);
    expect(direct).toContain("yours comes from a role mallory granted");
    const third = await say(b, "sock3", `!approve ${job}`);
    expect(third).toContain(
      "yours comes from role approver granted by slack:sock2, whose power to grant it does not come from the configuration",
    );
    // The same through A.
    expect(await say(a, "sock3", `!approve ${job}`)).toContain("does not come from the configuration");
    expect(runs([a, b], job)).toEqual([]);
  }, 90_000);

  it("attack: a revoke through A racing a grant of another role through B is never undone (50 rounds)", async () => {
    const { a, b } = await twoInstances();
    for (let round = 0; round < 50; round++) {
      const who = `slack:m${round}`;
      expect(await say(a, "root", `!role grant ${who} approver`)).toContain(`${who} now has role approver`);
      // Both sent in the same tick: the two instances handle them at the same moment.
      const [revoked, granted] = await Promise.all([
        say(a, "root", `!role revoke ${who} approver`),
        say(b, "mallory", `!role grant ${who} dev`),
      ]);
      expect(revoked).toContain(`${who} no longer has role approver`);
      expect(granted).toContain(`${who} now has role dev`);
      // Read from the store by either instance: the revoke holds (it was not written back), and so does the grant.
      expect(await say(b, "root", `!role revoke ${who} approver`)).toContain(`${who} does not have role approver`);
      expect(await say(a, "root", `!role grant ${who} dev`)).toContain(`${who} already has role dev`);
    }
  }, 180_000);

  it("grants kept in the v1 layout (a list per person) are moved once by two instances starting at once, and still count", async () => {
    const url = await freshDatabase();
    const storage = await open(url);
    // What v1 wrote for `role grant slack:erin approver` and `role grant slack:erin dev` by root: the audit entries,
    // erin's list and the grantors (keys and namespaces JSON-encoded, as PostgresStore keeps them).
    await storage.auditLog.append(
      ["approver", "dev"].map((role) => ({
        event: "role" as const,
        actor: "root",
        command: "role grant",
        detail: { change: "grant", role, target: "slack:erin" },
      })),
    );
    await storage.pool.query(
      `INSERT INTO kv (namespace, key, value) VALUES
         ('"role-grants"', '"slack:erin"', '["approver","dev"]'),
         ('"role-grantors"', $1, '"root"'), ('"role-grantors"', $2, '"root"')`,
      [JSON.stringify("slack:erin\u0000approver"), JSON.stringify("slack:erin\u0000dev")],
    );
    const [a, b] = await Promise.all([start("a", url), start("b", url)]);
    const rows = await storage.pool.query<{ namespace: string; key: string; value: string }>(
      "SELECT namespace, key, value FROM kv WHERE namespace LIKE '%role%' ORDER BY key",
    );
    expect(rows.rows).toEqual([
      { namespace: '"granted-roles"', key: JSON.stringify("slack:erin\u0000approver"), value: '{"by":"root"}' },
      { namespace: '"granted-roles"', key: JSON.stringify("slack:erin\u0000dev"), value: '{"by":"root"}' },
    ]);
    const refused = await storage.pool.query("SELECT 1 FROM audit WHERE command = 'role check'");
    expect(refused.rowCount).toBe(0);
    // The moved grant counts for an approval through B (its grantor, root, holds the power from the configuration).
    const job = await request(a, "alice", "prod");
    expect(await say(b, "erin", `!approve ${job}`)).toContain(`approved job ${job}; instance a, which holds it`);
    await a.waitFor("running", (e) => e.job === job);
    // And a revoke through B is followed by A.
    expect(await say(b, "root", "!role revoke slack:erin approver")).toContain("no longer has role approver");
    expect(await say(a, "root", "!role revoke slack:erin approver")).toContain("does not have role approver");
    expect(await say(a, "root", "!role grant slack:erin dev")).toContain("already has role dev");
  }, 90_000);

  it("after B's LISTEN connection is cut, B reads every grant again (a notice sent meanwhile is not needed)", async () => {
    const { url, a, b } = await twoInstances();
    const { pool } = await open(url);
    // Cut B's (and A's) notice connections; grant through A while they reconnect.
    await pool.query("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE query = 'LISTEN switchboard_kv'");
    expect(await say(a, "root", "!role grant slack:erin approver")).toContain("now has role approver");
    await deployTaken(b, "erin", true);
  }, 90_000);
});
