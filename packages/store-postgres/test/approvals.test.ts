// Approvals as rows, on real processes: two bot instances (test/approvals/instance.mjs, separate Node processes)
// on one real PostgreSQL 15 cluster, both reading the same chat network (as two Slack Socket Mode connections do).
// A job asked through one instance is approved or refused through the other; it runs once, on the instance that
// holds it, and the shared chain has the same entries as a local approval.
import { fileURLToPath } from "node:url";
import { verifyChain } from "@switchboard/core/audit";
import { eventually } from "@switchboard/test-servers";
import { describe, expect, it } from "vitest";
import { freshDatabase, open, usePostgres } from "./helpers.js";
import { type InstanceEvent, InstanceProcess } from "./processes.js";

usePostgres();

const script = fileURLToPath(new URL("./approvals/instance.mjs", import.meta.url));

async function instances(names: string[], env: Record<string, string> = {}) {
  const url = await freshDatabase();
  const all = names.map((name) => new InstanceProcess(name, { DATABASE_URL: url, ...env }, script));
  await Promise.all(all.map((p) => p.waitFor("started")));
  return { url, all };
}

let messages = 0;

/** Sends `text` from `from` to instance `p`; resolves when it was handled. */
async function say(p: InstanceProcess, from: string, text: string): Promise<void> {
  const id = `M${++messages}`;
  p.say("say", `${id} ${from} ${text}`);
  await p.waitFor("handled", (e) => e.id === id);
}

/** Asks for a deploy through `p` as `from`; resolves to the id of the job waiting for approval. */
async function request(p: InstanceProcess, from: string, env: string): Promise<string> {
  const before = p.events.length;
  await say(p, from, `!deploy ${env}`);
  const asked = await p.waitFor(
    "sent",
    (e) => p.events.indexOf(e) >= before && /needs 1 approval|needs \d approvals/.test(String(e.text)),
  );
  return String(asked.jobId);
}

/** What `p` sent after event index `from`, as text. */
const sentSince = (p: InstanceProcess, from = 0) =>
  p.events
    .slice(from)
    .filter((e) => e.ev === "sent")
    .map((e) => String(e.text));

const runs = (all: InstanceProcess[], job: string) =>
  all.flatMap((p) => p.events.filter((e: InstanceEvent) => e.ev === "running" && e.job === job));

async function chainOf(url: string) {
  const { auditLog } = await open(url);
  const entries = [];
  for await (const entry of auditLog.entries()) entries.push(entry);
  return { auditLog, entries, verified: await verifyChain(auditLog.entries()) };
}

describe("approvals as rows (two instances, one PostgreSQL)", () => {
  it("an approval asked through instance A and given through instance B runs once", async () => {
    const { url, all } = await instances(["a", "b"]);
    const [a, b] = all as [InstanceProcess, InstanceProcess];
    const job = await request(a, "alice", "prod");
    const mark = b.events.length;
    await say(b, "bob", `!approve ${job}`);
    expect(sentSince(b, mark).join("\n")).toContain(
      `approved job ${job}; instance a, which holds it, starts it now for alice`,
    );
    const ran = await a.waitFor("running", (e) => e.job === job);
    expect(ran.approvers).toEqual(["bob"]);
    await a.waitFor("sent", (e) => String(e.text).includes("deployed prod"));
    // Told in the room it was asked in, by the instance that holds it.
    expect(sentSince(a).join("\n")).toContain(`job ${job}: approved by bob; running deploy for alice`);
    expect(runs(all, job)).toHaveLength(1);

    const { entries, verified } = await chainOf(url);
    expect(verified.ok).toBe(true);
    const ofJob = entries.filter((e) => e.jobId === job).map((e) => [e.event, e.actor, e.outcome ?? null]);
    expect(ofJob).toEqual([
      ["admitted", "alice", null],
      ["approval-requested", "alice", null],
      ["approval", "bob", null],
      ["outcome", "alice", "succeeded"],
    ]);
    const approval = entries.find((e) => e.event === "approval")!;
    expect(approval.detail).toMatchObject({ requester: "alice", starts: true, approvers: ["bob"] });
  }, 60_000);

  it("two approvals given at once through A and B: the job runs once", async () => {
    const { url, all } = await instances(["a", "b"]);
    const [a, b] = all as [InstanceProcess, InstanceProcess];
    const jobs: string[] = [];
    for (let round = 0; round < 4; round++) {
      const job = await request(round % 2 ? b : a, "alice", `env${round}`);
      jobs.push(job);
      // bob through A and carol through B, written to both processes in the same tick.
      await Promise.all([say(a, "bob", `!approve ${job}`), say(b, "carol", `!approve ${job}`)]);
      await (round % 2 ? b : a).waitFor("sent", (e) => String(e.text).includes(`deployed env${round}`));
    }
    const { entries, verified } = await chainOf(url);
    expect(verified.ok).toBe(true);
    for (const job of jobs) {
      expect(runs(all, job)).toHaveLength(1);
      const ofJob = entries.filter((e) => e.jobId === job);
      expect(ofJob.filter((e) => e.event === "approval")).toHaveLength(1);
      expect(ofJob.filter((e) => e.event === "outcome")).toEqual([expect.objectContaining({ outcome: "succeeded" })]);
      // The other approver was told it was no longer waiting, and that refusal is on record.
      expect(ofJob.filter((e) => e.event === "denied")).toEqual([
        expect.objectContaining({ detail: { reason: expect.stringMatching(/is not waiting for approval/) } }),
      ]);
    }
  }, 90_000);

  it("the same person approving through A and B at once counts once (two needed: it keeps waiting)", async () => {
    const { url, all } = await instances(["a", "b"], { APPROVALS: "2" });
    const [a, b] = all as [InstanceProcess, InstanceProcess];
    const job = await request(a, "alice", "prod");
    await Promise.all([say(a, "bob", `!approve ${job}`), say(b, "bob", `!approve ${job}`)]);
    const texts = [...sentSince(a), ...sentSince(b)].join("\n");
    expect(texts).toContain(`approved job ${job} (1/2); waiting for more approvals`);
    expect(texts).toContain(`you already approved job ${job} (1/2)`);
    // The holder tells its room about the approval given through B (or A) once.
    await a.waitFor("sent", (e) => String(e.text).includes(`job ${job}: approved by bob (1/2)`));
    const mark = a.events.length;
    await say(b, "carol", `!approve ${job}`);
    const ran = await a.waitFor("running", (e) => e.job === job);
    expect(ran.approvers).toEqual(["bob", "carol"]);
    expect(sentSince(a, mark).filter((t) => t.includes("approved by bob (1/2)"))).toEqual([]);
    expect(runs(all, job)).toHaveLength(1);
    const { entries, verified } = await chainOf(url);
    expect(verified.ok).toBe(true);
    expect(entries.filter((e) => e.jobId === job && e.event === "approval").map((e) => e.actor)).toEqual([
      "bob",
      "carol",
    ]);
  }, 60_000);

  it("the requester approving through B is refused (typed or by button), and the job still waits", async () => {
    const { url, all } = await instances(["a", "b"]);
    const [a, b] = all as [InstanceProcess, InstanceProcess];
    const job = await request(a, "alice", "prod");
    const mark = b.events.length;
    await say(b, "alice", `!approve ${job}`);
    expect(sentSince(b, mark).join("\n")).toContain(`you requested job ${job}; someone else has to approve it`);
    b.say("click", `alice ${job} approve`);
    const clicked = await b.waitFor("clicked", (e) => e.jobId === job);
    expect(clicked).toMatchObject({ ok: false, text: expect.stringContaining("someone else has to approve it") });
    // dave can deploy but not approve: refused, naming the permission.
    await say(b, "dave", `!approve ${job}`);
    expect(sentSince(b, mark).join("\n")).toMatch(/approving job \w+ needs permission deploy:approve/);
    expect(runs(all, job)).toEqual([]);

    // The database refuses a requester's vote too, whoever writes it.
    const { pool } = await open(url);
    await expect(
      pool.query("INSERT INTO approval_votes (job_id, approver, name, roles) VALUES ($1, 'alice', 'alice', '[]')", [
        job,
      ]),
    ).rejects.toThrow(/the requester of job \w+ cannot approve it/);

    await say(b, "bob", `!approve ${job}`);
    await a.waitFor("running", (e) => e.job === job);
    const { entries, verified } = await chainOf(url);
    expect(verified.ok).toBe(true);
    const refused = entries.filter((e) => e.jobId === job && e.event === "denied");
    expect(refused.map((e) => e.actor)).toEqual(["alice", "alice", "dave"]);
    expect(entries.filter((e) => e.jobId === job && e.event === "approval").map((e) => e.actor)).toEqual(["bob"]);
  }, 60_000);

  it("refused through B: the holder closes it in its room; it never runs", async () => {
    const { url, all } = await instances(["a", "b"]);
    const [a, b] = all as [InstanceProcess, InstanceProcess];
    const job = await request(a, "alice", "prod");
    await say(b, "bob", `!deny ${job}`);
    await a.waitFor("sent", (e) => String(e.text).includes(`job ${job} (deploy) was refused by bob`));
    const mark = b.events.length;
    await say(b, "carol", `!approve ${job}`);
    expect(sentSince(b, mark).join("\n")).toContain(`job ${job} is not waiting for approval (it is refused)`);
    expect(runs(all, job)).toEqual([]);
    const { entries, verified } = await chainOf(url);
    expect(verified.ok).toBe(true);
    expect(entries.filter((e) => e.jobId === job && e.event === "outcome")).toEqual([
      expect.objectContaining({ outcome: "rejected", decision: "rejected", detail: { by: "bob" } }),
    ]);
  }, 60_000);

  it("SIGTERM of the holder closes its waiting job (audited); approving it through B is refused", async () => {
    const { url, all } = await instances(["a", "b"]);
    const [a, b] = all as [InstanceProcess, InstanceProcess];
    const job = await request(a, "alice", "prod");
    a.signal("SIGTERM");
    await a.waitFor("stopped");
    expect(sentSince(a).join("\n")).toContain(`job ${job} (deploy) was closed: the bot is shutting down`);
    const mark = b.events.length;
    await say(b, "bob", `!approve ${job}`);
    expect(sentSince(b, mark).join("\n")).toContain(`job ${job} is not waiting for approval (it is cancelled)`);
    expect(runs(all, job)).toEqual([]);
    const { entries, verified } = await chainOf(url);
    expect(verified.ok).toBe(true);
    expect(entries.filter((e) => e.jobId === job && e.event === "outcome")).toEqual([
      expect.objectContaining({ outcome: "cancelled", detail: { cancelledBy: "shutting down" } }),
    ]);
  }, 60_000);

  it("approving a job whose instance was killed: told it was abandoned, nothing runs", async () => {
    const { url, all } = await instances(["a", "b"], { DEAD_AFTER_MS: "1500" });
    const [a, b] = all as [InstanceProcess, InstanceProcess];
    const job = await request(a, "alice", "prod");
    a.signal("SIGKILL");
    await a.exited;
    // Within the dead-after time the approval would still be taken (the instance may only be slow); after it, not.
    const abandoned = await b.waitFor("abandoned");
    expect(abandoned.jobs).toEqual([expect.objectContaining({ jobId: job, instance: "a" })]);
    const mark = b.events.length;
    await say(b, "bob", `!approve ${job}`);
    expect(sentSince(b, mark).join("\n")).toContain(
      `job ${job} was abandoned: instance a, which held it, stopped; it will not run`,
    );
    expect(runs(all, job)).toEqual([]);
    const { entries, verified, auditLog } = await chainOf(url);
    expect(verified.ok).toBe(true);
    expect(entries.filter((e) => e.jobId === job && e.event === "approval")).toEqual([]);
    expect(entries.filter((e) => e.jobId === job && e.event === "outcome")).toEqual([
      expect.objectContaining({ detail: expect.objectContaining({ status: "abandoned", instance: "a" }) }),
    ]);
    expect(await auditLog.query({ event: "denied" })).toEqual([
      expect.objectContaining({ jobId: job, actor: "bob", detail: { reason: expect.stringMatching(/abandoned/) } }),
    ]);
  }, 60_000);
});

describe("cancel through any instance (two instances, one PostgreSQL)", () => {
  const outcomes = (entries: Awaited<ReturnType<typeof chainOf>>["entries"], job: string) =>
    entries.filter((e) => e.jobId === job && e.event === "outcome");

  it("the requester cancels through B a job waiting on A: withdrawn once, the holder closes it, it never runs", async () => {
    const { url, all } = await instances(["a", "b"]);
    const [a, b] = all as [InstanceProcess, InstanceProcess];
    const job = await request(a, "alice", "prod");
    const mark = b.events.length;
    await say(b, "alice", `!cancel ${job}`);
    expect(sentSince(b, mark).join("\n")).toContain(`cancelling job ${job} (deploy)`);
    // The holder answers in the room as for a withdrawal typed to it.
    await a.waitFor("sent", (e) => String(e.text).includes(`job ${job} (deploy) was withdrawn by alice`));
    const again = b.events.length;
    await say(b, "bob", `!approve ${job}`);
    expect(sentSince(b, again).join("\n")).toContain(`job ${job} is not waiting for approval (it is cancelled)`);
    await say(a, "bob", `!approve ${job}`);
    expect(runs(all, job)).toEqual([]);
    // An id no instance knows: the answer it always was.
    const unknown = b.events.length;
    await say(b, "alice", "!cancel zzzzz");
    expect(sentSince(b, unknown).join("\n")).toContain("no job zzzzz is running");
    const { entries, verified } = await chainOf(url);
    expect(verified.ok).toBe(true);
    // One outcome entry, the shape a local withdrawal writes.
    expect(outcomes(entries, job)).toEqual([
      expect.objectContaining({
        actor: "alice",
        command: "deploy",
        outcome: "cancelled",
        detail: { cancelledBy: "alice" },
      }),
    ]);
  }, 60_000);

  it("others cancelling through B: without jobs:cancel and as a guest refused (it still waits); with it withdrawn", async () => {
    const { url, all } = await instances(["a", "b"]);
    const [a, b] = all as [InstanceProcess, InstanceProcess];
    const job = await request(a, "alice", "prod");
    const mark = b.events.length;
    await say(b, "dave", `!cancel ${job}`);
    expect(sentSince(b, mark).join("\n")).toContain(
      `job ${job} belongs to alice; cancelling it needs permission jobs:cancel`,
    );
    // bob may approve it, but approving is not cancelling.
    await say(b, "bob", `!cancel ${job}`);
    await say(b, "mallet", `!cancel ${job}`);
    const texts = sentSince(b, mark).join("\n");
    expect(texts.match(/cancelling it needs permission jobs:cancel/g)).toHaveLength(2);
    expect(texts).not.toContain(`cancelling job ${job}`);
    const { pool } = await open(url);
    const status = async () =>
      (await pool.query<{ status: string }>("SELECT status FROM approval_jobs WHERE job_id = $1", [job])).rows[0]
        ?.status;
    expect(await status()).toBe("waiting");

    const before = b.events.length;
    await say(b, "oscar", `!cancel ${job}`);
    expect(sentSince(b, before).join("\n")).toContain(`cancelling job ${job} (deploy)`);
    await a.waitFor("sent", (e) => String(e.text).includes(`job ${job} (deploy) was withdrawn by oscar`));
    expect(await status()).toBe("closed");
    const { entries, verified } = await chainOf(url);
    expect(verified.ok).toBe(true);
    expect(outcomes(entries, job)).toEqual([
      expect.objectContaining({ actor: "alice", outcome: "cancelled", detail: { cancelledBy: "oscar" } }),
    ]);
    // The refusals are on record as a local refusal writes them: dave's and bob's cancel ended denied by the rule
    // of the cancel command; the one of someone with no principal was refused before any handler ran.
    const refusedCancels = entries.filter((e) => e.command === "cancel" && e.outcome === "denied");
    expect(refusedCancels.filter((e) => e.event === "outcome").map((e) => [e.actor, e.rule])).toEqual([
      ["dave", "command cancel"],
      ["bob", "command cancel"],
    ]);
    expect(refusedCancels.filter((e) => e.event === "denied").map((e) => e.actor)).toEqual(["slack:mallet"]);
  }, 60_000);

  it("a cancel through B racing an approval through A: the job either runs or is withdrawn, never both", async () => {
    const { url, all } = await instances(["a", "b"]);
    const [a, b] = all as [InstanceProcess, InstanceProcess];
    const results: Array<{ job: string; cancelled: boolean }> = [];
    for (let round = 0; round < 6; round++) {
      const job = await request(a, "alice", `env${round}`);
      const markA = a.events.length;
      const markB = b.events.length;
      await Promise.all([say(a, "bob", `!approve ${job}`), say(b, "alice", `!cancel ${job}`)]);
      const cancel = sentSince(b, markB).join("\n");
      const cancelled = cancel.includes(`cancelling job ${job} (deploy)`);
      if (cancelled) {
        await a.waitFor("sent", (e) => String(e.text).includes(`job ${job} (deploy) was withdrawn by alice`));
        expect(sentSince(a, markA).join("\n")).toContain(`job ${job} is not waiting for approval (it is cancelled)`);
      } else {
        // The approval came first: the cancel is told where the job is, never "no such job".
        expect(cancel).toMatch(
          new RegExp(
            `job ${job} (was approved just now and is starting|runs) on instance a|job ${job} is not waiting for approval \\(it is finished\\)`,
          ),
        );
        await a.waitFor("sent", (e) => String(e.text).includes(`deployed env${round}`));
      }
      results.push({ job, cancelled });
    }
    const { entries, verified } = await chainOf(url);
    expect(verified.ok).toBe(true);
    for (const { job, cancelled } of results) {
      expect(runs(all, job)).toHaveLength(cancelled ? 0 : 1);
      expect(outcomes(entries, job)).toEqual([
        expect.objectContaining({ outcome: cancelled ? "cancelled" : "succeeded" }),
      ]);
    }
  }, 120_000);

  it("a running job of A cancelled through B: told it runs on instance a (with or without an approval row)", async () => {
    const { url, all } = await instances(["a", "b"]);
    const [a, b] = all as [InstanceProcess, InstanceProcess];
    // One that needed approval (approved through B), one that did not.
    const approved = await request(a, "alice", "hold-prod");
    await say(b, "bob", `!approve ${approved}`);
    await a.waitFor("running", (e) => e.job === approved);
    const started = a.events.length;
    // Handled only once it ends: sent without waiting.
    a.say("say", `M${++messages} alice !hold`);
    const plain = String((await a.waitFor("running", (e) => a.events.indexOf(e) >= started)).job);
    for (const job of [approved, plain]) {
      const mark = b.events.length;
      await say(b, "alice", `!cancel ${job}`);
      expect(sentSince(b, mark).join("\n")).toContain(
        `job ${job} runs on instance a, which alone can stop it; it cannot be cancelled from this one`,
      );
    }
    // Still running on A, where the cancel works.
    const { auditLog } = await open(url);
    const ends = async () =>
      (await auditLog.query({ event: "outcome" })).filter((e) => [approved, plain].includes(String(e.jobId)));
    expect(await ends()).toEqual([]);
    for (const job of [approved, plain]) await say(a, "alice", `!cancel ${job}`);
    await eventually("both outcomes", async () => ((await ends()).length === 2 ? true : undefined));
    const { entries, verified } = await chainOf(url);
    expect(verified.ok).toBe(true);
    for (const job of [approved, plain])
      expect(outcomes(entries, job)).toEqual([expect.objectContaining({ outcome: "cancelled" })]);
  }, 60_000);
});

describe("job ids of two instances (two instances, one PostgreSQL)", () => {
  it("a request whose id is taken by a live job of another instance gets a new id, not an internal error", async () => {
    const { url, all } = await instances(["a", "b"]);
    const [a, b] = all as [InstanceProcess, InstanceProcess];
    const taken = await request(b, "alice", "one");
    // Force the collision: A's next approval row is written under the id of B's live job (once; a sequence is not
    // rolled back with the failed transaction).
    const { pool } = await open(url);
    await pool.query(`
      CREATE SEQUENCE force_collision;
      CREATE FUNCTION force_collision() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        IF NEW.instance = 'a' AND nextval('force_collision') = 1 THEN NEW.job_id := '${taken}'; END IF;
        RETURN NEW;
      END $$;
      CREATE TRIGGER force_collision BEFORE INSERT ON approval_jobs FOR EACH ROW EXECUTE FUNCTION force_collision();`);
    const job = await request(a, "alice", "two");
    expect(job).not.toBe(taken);
    expect((await pool.query("SELECT last_value FROM force_collision")).rows[0].last_value).toBe("2");
    // The message's claim follows the new id.
    const claims = await pool.query("SELECT instance, status FROM inbound WHERE job_id = $1", [job]);
    expect(claims.rows).toEqual([{ instance: "a", status: "running" }]);
    // Both jobs wait, each on its own instance, and run there once approved through the other.
    await say(b, "bob", `!approve ${job}`);
    await say(a, "bob", `!approve ${taken}`);
    await a.waitFor("sent", (e) => String(e.text).includes("deployed two"));
    await b.waitFor("sent", (e) => String(e.text).includes("deployed one"));
    expect(runs([a], job)).toHaveLength(1);
    expect(runs([b], taken)).toHaveLength(1);
    const { entries, verified } = await chainOf(url);
    expect(verified.ok).toBe(true);
    expect(entries.filter((e) => e.jobId === job).map((e) => e.event)).toEqual([
      "admitted",
      "approval-requested",
      "approval",
      "outcome",
    ]);
    for (const id of [job, taken])
      expect(entries.filter((e) => e.jobId === id && e.event === "outcome").map((e) => e.outcome)).toEqual([
        "succeeded",
      ]);
  }, 60_000);
});
