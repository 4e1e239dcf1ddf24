/**
 * Deploys reported once, in the right room: the real deploy plugin (github provider) against the local GitHub, which
 * delivers `deployment_status` webhooks signed with the secret, as GitHub does, to the real HTTP endpoint of the same
 * bot. The asking room sees one message per deployment, edited as it changes; a deployment made outside chat — even
 * one whose payload names a job of the bot — goes to the repository's rooms and never into the job's room.
 */
import { randomUUID } from "node:crypto";
import { type Bot, createBot, type IncomingMessage, renderText, silentLogger } from "@switchboard/core";
import { type HttpServer, httpConfigSchema, startHttpServer } from "@switchboard/http";
import deploy from "@switchboard/plugin-deploy";
import { FakeGitHub } from "@switchboard/test-servers";
import { MemoryAdapter } from "@switchboard/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

const SECRET = `gh-${randomUUID()}`;
const GREEN = "a".repeat(40);
const ASKING_ROOM = "!deploys:example.org";
const REPO_ROOM = "#deploys";

describe("a deploy through the github provider with webhooks on", () => {
  const github = new FakeGitHub();
  const matrix = new MemoryAdapter("matrix", { edits: true });
  const irc = new MemoryAdapter("irc");
  let bot: Bot;
  let server: HttpServer;
  let counter = 0;

  const say = (text: string) => {
    const message: IncomingMessage = {
      id: `m${++counter}`,
      network: "matrix",
      room: { id: ASKING_ROOM, direct: false },
      sender: { id: "@bob:example.org", name: "bob", verified: true },
      text,
      time: new Date(),
    };
    return matrix.inject(message);
  };
  const texts = (adapter: MemoryAdapter, room: string) =>
    adapter.sent.filter((s) => s.target.room.id === room).map((s) => ({ text: renderText(s.message.blocks), s }));

  beforeAll(async () => {
    const baseUrl = await github.start();
    github.setRef("acme/api", "green", GREEN);
    github.statuses.set(GREEN, [{ context: "ci/test", state: "success" }]);
    bot = createBot({
      logger: silentLogger(),
      adapters: [matrix, irc],
      progressIntervalMs: 20,
      rateLimit: false,
      policy: {
        roles: { deployer: { permissions: ["deploy:run", "deploy:read"] } },
        principals: { bob: { roles: ["deployer"], identities: { matrix: "@bob:example.org" } } },
      },
    });
    bot.use(deploy, {
      github: { baseUrl, token: "test-token" },
      apps: {
        api: {
          repository: "acme/api",
          provider: { type: "github", pollInterval: "10ms", webhookStatuses: true },
          environments: { staging: { requiredContexts: ["ci/test"] } },
        },
      },
    });
    await bot.start();
    server = await startHttpServer({
      bot,
      config: httpConfigSchema.parse({
        listen: "127.0.0.1:0",
        github: { secret: SECRET, repos: { "acme/api": [`irc:${REPO_ROOM}`] } },
      }),
    });
    github.webhook = { url: `${server.url}/hooks/github`, secret: SECRET, responses: [] };
  });
  afterAll(async () => {
    await server?.close();
    await bot?.stop();
    await github.close();
  });

  it("the asking room sees exactly one message for the deployment, edited to its final state", async () => {
    await say("!deploy api/green to staging");
    await bot.idle();
    await github.delivered();
    const deployment = github.deployments.at(-1)!;
    expect(deployment.statuses.map((s) => s.state)).toEqual(["queued", "in_progress", "success"]);
    // Every status was delivered, signed, and accepted.
    expect(github.webhook!.responses).toEqual([200, 200, 200]);

    const room = texts(matrix, ASKING_ROOM).map((m) => m.text);
    const reports = texts(matrix, ASKING_ROOM).filter(({ text }) => /acme\/api: deploy of/.test(text));
    expect(reports.map((m) => m.text)).toEqual([
      expect.stringMatching(/^✔ acme\/api: deploy of a{40} \(aaaaaaa\) to staging by switchboard: success/),
    ]);
    // Posted at queued, edited at in_progress and at success.
    expect(reports[0]!.s.edits).toBe(2);
    // Not a second report from the plugin's own stream: no status lines of its own.
    expect(room.join("\n")).not.toMatch(/in_progress: deploying|^queued$/m);
    expect(room.join("\n")).toMatch(new RegExp(`created GitHub deployment ${deployment.id} of aaaaaaa to staging`));
    expect(room.join("\n")).toMatch(/✔ deployed api\/green \(aaaaaaa\) to staging/);
    // The repository's rooms do not get the bot's own deploy a second time.
    expect(texts(irc, REPO_ROOM)).toEqual([]);
  });

  it("a deployment made outside chat whose payload names the job goes to the repository's rooms, not the job's", async () => {
    const [admitted] = await bot.auditLog.query({ event: "admitted", command: "deploy", limit: 1 });
    const before = texts(matrix, ASKING_ROOM).length;
    const forged = github.createDeployment("acme/api", {
      sha: GREEN,
      ref: "green",
      environment: "staging",
      payload: { job: admitted!.jobId, app: "api" },
      creator: "mallory",
    });
    await github.addStatus(forged, { state: "in_progress", description: "forged" });
    await github.addStatus(forged, { state: "success", description: "forged" });
    expect(github.webhook!.responses.slice(-2)).toEqual([200, 200]);
    expect(texts(matrix, ASKING_ROOM)).toHaveLength(before);
    // The repository's room: one message, and (IRC cannot edit) the final state as a second post.
    expect(texts(irc, REPO_ROOM).map((m) => m.text)).toEqual([
      expect.stringMatching(/^ℹ acme\/api: deploy of green \(aaaaaaa\) to staging by mallory: in_progress/),
      expect.stringMatching(/^✔ acme\/api: deploy of green \(aaaaaaa\) to staging by mallory: success/),
    ]);
  });

  it("a deployment made outside chat with no payload goes to the repository's rooms", async () => {
    irc.sent.length = 0;
    const plain = github.createDeployment("acme/api", { sha: GREEN, ref: "main", environment: "production" });
    await github.addStatus(plain, { state: "success" });
    expect(texts(irc, REPO_ROOM).map((m) => m.text)).toEqual([
      expect.stringMatching(/^✔ acme\/api: deploy of main \(aaaaaaa\) to production by someone: success/),
    ]);
  });
});
