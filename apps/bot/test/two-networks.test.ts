import { join } from "node:path";
import { arg, defineCommand, definePlugin, silentLogger } from "@switchboard/core";
import {
  bodyOf,
  Homeserver,
  IrcUser,
  type ServicesServer,
  startInspircdWithServices,
  TestUser,
} from "@switchboard/test-servers";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type App, createApp, parseConfig } from "../src/index.js";
import { tempDir } from "./cli.js";

/** Registers a services account by connecting with its name as nick and asking NickServ. */
async function registerIrcAccount(port: number, account: string, password: string): Promise<void> {
  const user = await IrcUser.connect({ port, nick: account });
  await user.services(`REGISTER ${password} ${account}@example.org`, /registered/i);
  await user.quit();
}

/** A stand-in for a production deploy command, loaded as the plugin "release" (counts its runs). */
let deploys = 0;
const release = definePlugin({
  name: "release",
  commands: [
    defineCommand({
      name: "deploy",
      summary: "deploys to an environment",
      guests: true,
      sideEffect: true,
      args: { env: arg.string({ positional: true, required: true }) },
      handler: ({ args }) => {
        deploys++;
        return `deployed to ${args.env}`;
      },
    }),
  ],
});

/** One configuration file with both networks, the linked principal and the approval rule. */
function configText(ircPort: number, homeserver: string, dir: string): string {
  return `
store:
  path: ${join(dir, "switchboard.db")}
log:
  file: ${join(dir, "switchboard.log")}
adapters:
  - type: irc
    host: 127.0.0.1
    port: ${ircPort}
    nick: sbot
    channels: ["#ops"]
    sasl: { mechanism: PLAIN, account: sbot, password: bot-secret }
  - type: matrix
    homeserver: ${homeserver}
    userId: "@switchboard:localhost"
    password: bot-password
    dataDir: ${join(dir, "matrix")}
    invites: { users: ["@*:localhost"] }
plugins:
  release: {}
roles:
  deployer: { permissions: ["deploy:run"] }
  approver: { permissions: ["deploy:approve"] }
  guest: { permissions: [] }
principals:
  alice:
    roles: [deployer, approver]
    identities: { irc: alice, matrix: "@alice:localhost" }
  bob:
    roles: [approver]
    identities: { matrix: "@bob:localhost" }
rules:
  - name: production-needs-approval
    command: deploy
    when: { args: { env: production } }
    approval: { count: 1, permission: deploy:approve }
`;
}

/**
 * Two networks in one process, from one configuration file: IRC (inspircd + atheme, real services accounts) and
 * Matrix (Synapse), wired by the app (createApp). Alice is one
 * principal linked on both (IRC account `alice`, Matrix `@alice:localhost`); she asks on IRC for a production deploy
 * that needs approval, cannot approve it herself from Matrix, and Bob approves it from Matrix. The job runs once, on
 * IRC's side, and the audit log has both networks.
 */
describe("two networks in one process: IRC and Matrix", () => {
  let irc: ServicesServer;
  let hs: Homeserver;
  let app: App;
  const temp = tempDir("switchboard-two-networks-");
  let aliceIrc: IrcUser;
  let aliceMatrix: TestUser;
  let bobMatrix: TestUser;
  let matrixRoom: string;
  let botId: string;

  beforeAll(async () => {
    [irc, hs] = await Promise.all([startInspircdWithServices(), Homeserver.start()]);
    await Promise.all([
      registerIrcAccount(irc.port, "sbot", "bot-secret"),
      registerIrcAccount(irc.port, "alice", "alice-secret"),
    ]);
    botId = await hs.register("switchboard", "bot-password");
    [aliceMatrix, bobMatrix] = await Promise.all([TestUser.create(hs, "alice"), TestUser.create(hs, "bob")]);
    const loaded = parseConfig(configText(irc.port, hs.url, temp.dir), "two-networks.yaml", { env: {} });
    app = await createApp(loaded, { logger: silentLogger(), importPlugin: async () => ({ default: release }) });
    await app.start();
    aliceIrc = await IrcUser.connect({
      port: irc.port,
      nick: "alice",
      sasl: { account: "alice", password: "alice-secret" },
    });
    await aliceIrc.join("#ops");
    matrixRoom = await aliceMatrix.createRoom([botId, bobMatrix.userId], { waitJoin: false });
    await aliceMatrix.waitMembership(matrixRoom, botId, "join");
    await bobMatrix.client.joinRoom(matrixRoom);
  }, 120_000);

  afterAll(async () => {
    await aliceIrc?.quit();
    await app?.close();
    await Promise.all([aliceMatrix?.close(), bobMatrix?.close()]);
    await Promise.all([irc?.stop(), hs?.close()]);
    temp.remove();
  });

  it("a deploy requested on IRC is approved from Matrix by someone else, runs once, and both are audited", async () => {
    aliceIrc.say("#ops", "!deploy production");
    const request = await aliceIrc.waitFor("sbot", /needs 1 approval/, "#ops");
    const jobId = /job (\w+):/.exec(request.text)![1]!;

    // The same person on the other network is still the requester.
    await aliceMatrix.say(matrixRoom, `!approve ${jobId}`);
    await aliceMatrix.waitFrom(botId, matrixRoom, (s) => bodyOf(s).includes(`you requested job ${jobId}`));

    await bobMatrix.say(matrixRoom, `!approve ${jobId}`);
    await bobMatrix.waitFrom(botId, matrixRoom, (s) => bodyOf(s).includes(`approved job ${jobId}`));
    await aliceIrc.waitFor("sbot", /deployed to production/, "#ops");
    await app.bot.idle();
    expect(deploys).toBe(1);

    const entries = await app.bot.auditLog.query({ jobId, limit: 100 });
    const byEvent = (event: string) => entries.filter((e) => e.event === event);
    expect(byEvent("admitted")).toEqual([expect.objectContaining({ actor: "alice", network: "irc" })]);
    expect(byEvent("approval")).toEqual([
      expect.objectContaining({ actor: "bob", network: "matrix", decision: "approved" }),
    ]);
    expect(byEvent("approval").filter((e) => e.detail?.starts)).toHaveLength(1);
    expect(byEvent("outcome")).toEqual([expect.objectContaining({ outcome: "succeeded" })]);
  });
});
