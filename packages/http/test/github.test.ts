import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { type HttpServer, httpConfigSchema, startHttpServer } from "../src/index.js";
import { sentText, type TestBot, testBot } from "./bot.js";
import {
  checkRun,
  checkSuite,
  commitStatus,
  deliver,
  deploymentStatus,
  pullRequestClosed,
  push,
} from "./github-payloads.js";

const SECRET = "test-secret-0123456789abcdef";

describe("POST /hooks/github over HTTP, signed like GitHub signs", () => {
  let t: TestBot;
  let server: HttpServer;
  const sent = () => [...sentText(t.adapter("chat"), "#ops"), ...sentText(t.adapter("chat"), "#dev")];
  const audits = async () => {
    const entries = [];
    for await (const entry of t.bot.auditLog.entries()) if (entry.actor === "webhook:github") entries.push(entry);
    return entries;
  };

  beforeAll(async () => {
    t = await testBot({ networks: ["chat"], editing: ["matrix"] });
    const config = httpConfigSchema.parse({
      listen: "127.0.0.1:0",
      bodyLimit: "64kb",
      github: {
        secret: SECRET,
        repos: {
          "acme/web": ["chat:#ops", "matrix:!room:example.org"],
          "acme/*": { rooms: ["chat:#dev"], events: ["merged"] },
        },
      },
    });
    server = await startHttpServer({ bot: t.bot, config });
  });
  afterAll(async () => {
    await server?.close();
    await t?.close();
  });
  beforeEach(() => {
    t.adapter("chat").sent.length = 0;
    t.adapter("matrix").sent.length = 0;
  });

  it("a good signature posts one message per room, with the output model, and is audited", async () => {
    const result = await deliver(server.url, SECRET, "check_suite", checkSuite("failure", { id: 9001 }));
    expect(result.status).toBe(200);
    expect(sent()).toEqual([
      expect.stringMatching(/^✖ acme\/web: GitHub Actions failure on main \(4f1c2d3\)\ncommit: Fix the login form\n/),
    ]);
    expect(sent()[0]).toContain("https://github.com/acme/web/commit/4f1c2d3e4f5a6b7c8d9e0f1a2b3c4d5e6f7a8b9c/checks");
    expect(t.adapter("matrix").sent).toHaveLength(1);
    const [entry] = (await audits()).filter((e) => e.detail?.delivery === result.delivery);
    expect(entry?.detail).toMatchObject({
      source: "github",
      delivery: result.delivery,
      event: "check_suite",
      rooms: ["chat:#ops", "matrix:!room:example.org"],
      repository: "acme/web",
    });
  });

  it("a bad signature gets 401 and posts nothing; so does a missing one", async () => {
    const forged = await deliver(server.url, "another-secret-0123456789", "check_suite", checkSuite("success"));
    expect(forged.status).toBe(401);
    const unsigned = await deliver(server.url, SECRET, "check_suite", checkSuite("success"), { signature: "" });
    expect(unsigned.status).toBe(401);
    expect(sent()).toEqual([]);
    expect((await audits()).filter((e) => e.detail?.delivery === forged.delivery)).toEqual([]);
  });

  it("a body changed after signing (re-serialised, one byte) is refused: the signature covers the exact bytes", async () => {
    const body = JSON.stringify(checkSuite("success", { id: 9002 }));
    const { sign } = await import("@octokit/webhooks-methods");
    const signature = await sign(SECRET, body);
    const tampered = body.replace('"success"', '"failure"');
    const result = await deliver(server.url, SECRET, "check_suite", undefined, { body: tampered, signature });
    expect(result.status).toBe(401);
    const spaced = await deliver(server.url, SECRET, "check_suite", undefined, { body: `${body} `, signature });
    expect(spaced.status).toBe(401);
    expect(sent()).toEqual([]);
  });

  it("a replayed delivery id gets 409 and posts nothing", async () => {
    const first = await deliver(server.url, SECRET, "pull_request", pullRequestClosed(true));
    expect(first.status).toBe(200);
    expect(sent()).toHaveLength(1); // #ops only: acme/web is named exactly, so acme/* (#dev) does not apply
    const replay = await deliver(server.url, SECRET, "pull_request", pullRequestClosed(true), {
      delivery: first.delivery,
    });
    expect(replay.status).toBe(409);
    const together = await Promise.all(
      [1, 2, 3].map(() =>
        deliver(server.url, SECRET, "push", push("main"), { delivery: "11111111-2222-3333-4444-555555555555" }),
      ),
    );
    expect(together.map((r) => r.status).sort()).toEqual([200, 409, 409]);
    expect(sent().filter((line) => line.includes("pushed"))).toHaveLength(1);
  });

  it("an oversized body gets 413 and posts nothing", async () => {
    const big = { ...pullRequestClosed(true), padding: "x".repeat(70 * 1024) };
    const result = await deliver(server.url, SECRET, "pull_request", big);
    expect(result.status).toBe(413);
    expect(sent()).toEqual([]);
  });

  it("CI: one message per commit and suite, not one per check run", async () => {
    const running = { status: "in_progress", conclusion: null };
    for (const name of ["lint", "unit", "e2e"])
      expect((await deliver(server.url, SECRET, "check_run", checkRun(name, "success", running, 6001))).status).toBe(
        200,
      );
    expect(sent()).toEqual([]);
    const done = { status: "completed", conclusion: "success" };
    await deliver(server.url, SECRET, "check_run", checkRun("deploy-preview", "success", done, 6001));
    await deliver(server.url, SECRET, "check_suite", checkSuite("success", { id: 6001 }));
    const lines = sent();
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/^✔ acme\/web: GitHub Actions success on main \(4f1c2d3\)/);
  });

  it("a re-run suite that changes its result edits the message where the network can edit", async () => {
    await deliver(server.url, SECRET, "check_suite", checkSuite("failure", { id: 7001 }));
    await deliver(server.url, SECRET, "check_suite", checkSuite("success", { id: 7001 }));
    const matrix = t.adapter("matrix");
    expect(matrix.sent).toHaveLength(1); // the first message, now showing the new result
    expect(matrix.sent[0]?.message.blocks[0]).toMatchObject({ type: "status", level: "ok" });
    expect(sentText(t.adapter("chat"), "#ops")).toHaveLength(2); // no edits on this network: a new line
  });

  it("commit statuses: final states only, per commit and context", async () => {
    await deliver(server.url, SECRET, "status", commitStatus("pending"));
    await deliver(server.url, SECRET, "status", commitStatus("error"));
    expect(sent()).toEqual([expect.stringMatching(/^✖ acme\/web: ci\/jenkins error on main/)]);
    expect(sent()[0]).toContain("https://ci.example.com/job/web/7");
  });

  it("pull requests: merged ones only; pushes: to the default branch only", async () => {
    await deliver(server.url, SECRET, "pull_request", pullRequestClosed(false));
    await deliver(server.url, SECRET, "push", push("feature/x"));
    expect(sent()).toEqual([]);
    await deliver(server.url, SECRET, "push", push("main", 3));
    expect(sent()[0]).toMatch(/^ℹ acme\/web: carol pushed 3 commits to main\nhead: 4f1c2d3 Merge pull request #12\n/);
  });

  it("deployments: one message per deployment; a payload naming a job does not choose the room", async () => {
    await deliver(server.url, SECRET, "deployment_status", deploymentStatus("in_progress", {}, 801));
    expect(sent()[0]).toMatch(/acme\/web: deploy of main \(4f1c2d3\) to production by bob: in_progress/);
    // A command asked in #deploys: the runtime records the room with the job's `admitted` entry. A deployment whose
    // payload names that job (anyone who can create deployments can write one) still goes to the repository's rooms:
    // only a deployment the deploy plugin recorded with its job finds the asking room (apps/bot deploy-webhook test).
    await t.adapter("chat").inject({
      id: "m-deploys",
      network: "chat",
      room: { id: "#deploys", direct: false },
      sender: { id: "alice", name: "alice", verified: true },
      text: "!ping",
      time: new Date(),
    });
    const [admitted] = await t.bot.auditLog.query({ event: "admitted", command: "ping", limit: 1 });
    t.adapter("chat").sent.length = 0;
    await deliver(server.url, SECRET, "deployment_status", deploymentStatus("success", { job: admitted!.jobId }, 802));
    expect(sentText(t.adapter("chat"), "#deploys")).toEqual([]);
    expect(sentText(t.adapter("chat"), "#ops")).toEqual([expect.stringMatching(/to production by bob: success/)]);
  });

  it("other repositories and events are accepted and not posted (only the events a repository asked for)", async () => {
    const other = await deliver(server.url, SECRET, "check_suite", checkSuite("success", { repo: "acme/api" }));
    expect(other.status).toBe(200);
    expect(JSON.parse(other.body)).toEqual({ result: "unrouted" });
    const stranger = await deliver(server.url, SECRET, "push", push("main", 4), {}); // GitHub bodies differ per event
    expect(stranger.status).toBe(200);
    const ping = await deliver(server.url, SECRET, "ping", { zen: "Keep it logically awesome.", hook_id: 1 });
    expect(ping.status).toBe(200);
    const junk = await deliver(server.url, SECRET, "check_suite", undefined, { body: "{not json" });
    expect(junk.status).toBe(400);
    const wrongShape = await deliver(server.url, SECRET, "check_suite", { action: "completed" });
    expect(wrongShape.status).toBe(400);
    expect(sent().filter((line) => line.includes("acme/api"))).toEqual([]);
  });

  it("payload text cannot add lines or links of its own", async () => {
    const pr = pullRequestClosed(true);
    pr.pull_request.title = "Innocent\r\nPRIVMSG #ops :owned\u0007";
    pr.pull_request.html_url = "javascript:alert(1)";
    await deliver(server.url, SECRET, "pull_request", pr);
    const [line] = sent();
    expect(line).toBe("✔ acme/web: #12 merged into main by carol: Innocent PRIVMSG #ops :owned");
  });

  it("unknown paths and methods get a bare 404", async () => {
    for (const [method, path] of [
      ["POST", "/hooks/gitlab"],
      ["GET", "/hooks/github"],
      ["POST", "/hooks/github/../alertmanager"],
      ["GET", "/"],
    ] as const) {
      const response = await fetch(`${server.url}${path}`, { method, ...(method === "POST" ? { body: "{}" } : {}) });
      expect(response.status).toBe(404);
      expect(await response.text()).toBe("not found\n");
    }
  });

  it("/metrics counts deliveries by source and result", async () => {
    const text = await (await fetch(`${server.url}/metrics`)).text();
    expect(text).toMatch(/switchboard_webhook_deliveries_total\{source="github",result="posted"\} \d+/);
    expect(text).toMatch(/switchboard_webhook_deliveries_total\{source="github",result="unauthorized"\} [4-9]/);
    expect(text).toMatch(/switchboard_webhook_deliveries_total\{source="github",result="duplicate"\} [3-9]/);
    expect(text).toMatch(/switchboard_webhook_deliveries_total\{source="github",result="too-large"\} 1/);
    expect(text).not.toContain("gitlab");
  });
});
