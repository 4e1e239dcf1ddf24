/**
 * The web view without a browser: closed by default, signed links (tamper, expiry, wrong kind or job), permissions
 * checked again at view time (a revoked role), escaping of what came from chat, the security headers, and the live
 * event stream of a running job.
 */
import { afterEach, describe, expect, it } from "vitest";
import { CSP } from "../src/web/html.js";
import { signLink, verifyLink } from "../src/web/link-token.js";
import { WEB_KEY, type WebBot, webBot } from "./web-setup.js";

let t: WebBot | undefined;
afterEach(async () => {
  await t?.close();
  t = undefined;
});

/** Swaps the link's token for another one. */
const withToken = (link: string, token: string) => link.replace(/t=[^&]+/, `t=${token}`);
const tokenOf = (link: string) => /t=([^&]+)/.exec(link)![1]!;

describe("link tokens", () => {
  const request = { kind: "job", jobId: "abcde" } as const;

  it("verify for the key, principal and target they were made for, until they expire", () => {
    const token = signLink(WEB_KEY, request, "alice", 2_000);
    expect(verifyLink(WEB_KEY, token, 1_999)).toEqual({
      ok: true,
      grant: { request, principal: "alice", expiresAt: 2_000 },
    });
    expect(verifyLink(WEB_KEY, token, 2_000)).toEqual({ ok: false, problem: "expired" });
    expect(verifyLink(`${WEB_KEY}x`, token, 1_000)).toEqual({ ok: false, problem: "bad-signature" });
  });

  it("refuse a payload changed to another principal, and a changed signature", () => {
    const token = signLink(WEB_KEY, request, "bob", 2_000);
    const [payload, signature] = token.split(".") as [string, string];
    const forged = Buffer.from(
      Buffer.from(payload, "base64url").toString("utf8").replace('"p":"bob"', '"p":"alice"'),
    ).toString("base64url");
    expect(verifyLink(WEB_KEY, `${forged}.${signature}`, 1_000)).toEqual({ ok: false, problem: "bad-signature" });
    const flipped = `${signature.slice(0, -2)}${signature.endsWith("AA") ? "AB" : "AA"}`;
    expect(verifyLink(WEB_KEY, `${payload}.${flipped}`, 1_000)).toEqual({ ok: false, problem: "bad-signature" });
    expect(verifyLink(WEB_KEY, "nonsense", 1_000)).toEqual({ ok: false, problem: "malformed" });
    expect(verifyLink(WEB_KEY, undefined, 1_000)).toEqual({ ok: false, problem: "malformed" });
  });
});

describe("web view over HTTP", () => {
  it("is closed by default: no pages, and no links in chat", async () => {
    t = await webBot({ web: false });
    for (const path of ["/web/audit", "/web/approvals", "/web/job/abcde", "/web/assets/web.css"])
      expect((await fetch(`${t.server.url}${path}?t=x.y`)).status).toBe(404);
    const { text } = await t.h.as("alice", { direct: true }).say("audit --link");
    expect(text).toContain("web links are not configured");
  });

  it("gives links only in a direct message", async () => {
    t = await webBot();
    const { text } = await t.h.as("alice").say("!audit --link");
    expect(text).toContain("only in a direct message");
    expect(text).not.toMatch(/https?:\/\//);
  });

  it("shows a finished job: as typed and as resolved, who, where, transcript, outcome; a <script> stays text", async () => {
    t = await webBot();
    await t.h.as("bob", { direct: true }).say("work <script>alert(1)</script> two");
    const [entry] = await t.h.bot.auditLog.query({ command: "work", event: "outcome" });
    const link = await t.linkFrom("bob", `job ${entry!.jobId} --link`);
    expect(link).toMatch(new RegExp(`^https://bot\\.example\\.com/web/job/${entry!.jobId}\\?t=`));
    const response = await fetch(t.local(link));
    expect(response.status).toBe(200);
    expect(response.headers.get("content-security-policy")).toBe(CSP);
    expect(response.headers.get("referrer-policy")).toBe("no-referrer");
    expect(response.headers.get("cache-control")).toBe("no-store");
    const html = await response.text();
    expect(html).not.toContain("<script>alert");
    expect(html).toContain("&lt;script&gt;alert(1)&lt;/script&gt;");
    expect(html).toContain("work &lt;script&gt;alert(1)&lt;/script&gt; two"); // as typed
    expect(html).toContain("words=&quot;&lt;script&gt;alert(1)&lt;/script&gt; two&quot;"); // as resolved
    expect(html).toContain("<li>starting: &lt;script&gt;alert(1)&lt;/script&gt; two</li>");
    expect(html).toContain("<li>done</li>");
    expect(html).toMatch(/id="job-status"[^>]*>succeeded</);
    expect(html).toMatch(/<dt>Requested by<\/dt><dd>bob<\/dd>/);
    expect(html).not.toContain("/web/assets/live.js"); // finished: no script at all
  });

  it("refuses tampered, expired, other-kind and other-job links with a plain 403", async () => {
    t = await webBot();
    await t.h.as("bob", { direct: true }).say("work hello");
    const [entry] = await t.h.bot.auditLog.query({ command: "work", event: "outcome" });
    const jobId = entry!.jobId!;
    const link = await t.linkFrom("bob", `job ${jobId} --link`);
    expect((await fetch(t.local(link))).status).toBe(200);
    const token = tokenOf(link);
    const tampered = `${token.slice(0, 10)}${token[10] === "A" ? "B" : "A"}${token.slice(11)}`;
    const expired = signLink(WEB_KEY, { kind: "job", jobId }, "bob", Date.now() - 1);
    const audit = signLink(WEB_KEY, { kind: "audit", filters: {} }, "bob", Date.now() + 60_000);
    const otherJob = signLink(WEB_KEY, { kind: "job", jobId: "zzzzz" }, "bob", Date.now() + 60_000);
    for (const bad of [tampered, expired, audit, otherJob]) {
      const response = await fetch(t.local(withToken(link, bad)));
      expect(response.status).toBe(403);
      const body = await response.text();
      expect(body).toContain("This link is not valid");
      expect(body).not.toContain("hello");
    }
    expect((await fetch(t.local(link.replace(/\?.*/, "")))).status).toBe(403);
  });

  it("checks permissions again at view time: a revoked role shows nothing", async () => {
    t = await webBot();
    await t.h.as("alice", { direct: true }).say("work secret-plan");
    await t.h.as("alice", { direct: true }).say("role grant bob auditor");
    const link = await t.linkFrom("bob", "audit --link");
    const before = await (await fetch(t.local(link))).text();
    expect(before).toContain("secret-plan");
    await t.h.as("alice", { direct: true }).say("role revoke bob auditor");
    const after = await fetch(t.local(link));
    expect(after.status).toBe(403);
    expect(await after.text()).not.toContain("secret-plan");
    // A job of someone else needs audit:read too: bob (jobs:read only) cannot read alice's job with a link made for him.
    const [entry] = await t.h.bot.auditLog.query({ command: "work", event: "outcome" });
    const forBob = signLink(WEB_KEY, { kind: "job", jobId: entry!.jobId! }, "bob", Date.now() + 60_000);
    expect((await fetch(`${t.server.url}/web/job/${entry!.jobId}?t=${forBob}`)).status).toBe(403);
    expect((await t.h.as("bob", { direct: true }).say(`job ${entry!.jobId} --link`)).text).toContain(
      "needs audit:read",
    );
  });

  it("filters the audit log by the link's filters and, narrower, by the URL's; shows the chain verified", async () => {
    t = await webBot();
    await t.h.as("alice", { direct: true }).say("work from-alice");
    await t.h.as("bob", { direct: true }).say("work from-bob");
    const link = await t.linkFrom("alice", "audit --command work --link");
    const all = await (await fetch(t.local(link))).text();
    expect(all).toContain("from-alice");
    expect(all).toContain("from-bob");
    expect(all).toMatch(/Chain verified: all \d+ entries/);
    const onlyBob = await (await fetch(`${t.local(link)}&person=bob`)).text();
    expect(onlyBob).toContain("from-bob");
    expect(onlyBob).not.toContain("from-alice");
    expect(onlyBob).toContain('value="bob"');
    // The URL cannot widen the link: a link for bob's entries shows none of alice's whatever the URL says.
    const bobsOnly = await t.linkFrom("alice", "audit --user bob --link");
    const widened = await (await fetch(`${t.local(bobsOnly)}&person=alice`)).text();
    expect(widened).not.toContain("from-alice");
  });

  it("lists approvals waiting (jobs --link) and shows who approved which digest on the job's page", async () => {
    t = await webBot();
    await t.h.as("bob", { direct: true }).say("work approve-me");
    const [waiting] = t.h.bot.jobs.list();
    const link = await t.linkFrom("alice", "jobs --link");
    expect(link).toMatch(/\/web\/approvals\?t=/);
    const page = await (await fetch(t.local(link))).text();
    expect(page).toContain(`>${waiting!.id}</a>`);
    expect(page).toContain("work words=&quot;approve-me&quot;");
    expect(page).toContain(waiting!.approval!.digest);
    expect(page).toContain("0/1 (none yet)");
    await t.h.as("alice", { direct: true }).say(`approve ${waiting!.id}`);
    await t.h.idle();
    const jobLink = await t.linkFrom("bob", `job ${waiting!.id} --link`);
    const jobPage = await (await fetch(t.local(jobLink))).text();
    expect(jobPage).toMatch(/<td>alice<\/td><td>[^<]+ UTC<\/td><td><code>[0-9a-f]+<\/code><\/td><td>1\/1<\/td>/);
    expect(jobPage).toContain(waiting!.approval!.digest);
    expect(jobPage).toMatch(/id="job-status"[^>]*>succeeded</);
    // After approval the list is empty.
    expect(await (await fetch(t.local(link))).text()).toContain("Jobs waiting for approval: none.");
  });

  it("streams a running job's lines by server-sent events and ends with its outcome", async () => {
    t = await webBot();
    t.gate.close();
    const running = t.h.as("alice", { direct: true }).say("work alpha beta");
    await t.h.waitFor(/starting: alpha beta/);
    const [job] = t.h.bot.jobs.list();
    const link = await t.linkFrom("alice", `job ${job!.id} --link`);
    const html = await (await fetch(t.local(link))).text();
    expect(html).toMatch(/id="job-status"[^>]*>running</);
    const events = /data-events="([^"]+)"/.exec(html)![1]!.replaceAll("&amp;", "&");
    const response = await fetch(`${t.server.url}${events}`);
    expect(response.headers.get("content-type")).toContain("text/event-stream");
    const reader = response.body!.getReader();
    t.gate.open();
    let stream = "";
    while (!stream.includes("event: end")) {
      const { value, done } = await reader.read();
      if (done) break;
      stream += Buffer.from(value).toString("utf8");
    }
    await running;
    expect(stream).toContain('data: "alpha"');
    expect(stream).toContain('data: "beta"');
    expect(stream).toContain('event: end\ndata: "succeeded"');
  });
});
