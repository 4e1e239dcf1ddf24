/**
 * Several HAProxy instances per site (one on its unix socket, one over TCP), approval of changes on production
 * through core's rules (the request shows backend, server and current sessions), changes posted to the configured
 * rooms, and an instance that stops answering.
 */
import { HaproxyServer } from "@switchboard/test-servers";
import type { Harness } from "@switchboard/testing";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { lbConfigSchema } from "../src/config.js";
import { lbHarness } from "./helpers.js";

let lb1: HaproxyServer;
let lb2: HaproxyServer;
let h: Harness | undefined;

beforeAll(async () => {
  [lb1, lb2] = await Promise.all([
    HaproxyServer.start({ backends: { web: { servers: ["fe1", "fe2"], holdMs: 3000 } } }),
    HaproxyServer.start({ backends: { web: { servers: ["fe1", "fe2"] } }, tcp: true }),
  ]);
});
afterAll(async () => {
  await Promise.all([lb1?.stop(), lb2?.stop()]);
});
afterEach(async () => {
  await h?.close();
  h = undefined;
  for (const lb of [lb1, lb2]) for (const s of ["fe1", "fe2"]) await lb.command(`set server web/${s} state ready`);
  // Out of maintenance a server is "UP 1/2" until its next check passes: start every test fully UP.
  for (const lb of [lb1, lb2])
    await expect
      .poll(async () => (await lb.stat()).filter((r) => r.svname?.startsWith("fe")).map((r) => r.status), {
        timeout: 10_000,
      })
      .toEqual(["UP", "UP"]);
});

const PRODUCTION_RULE = {
  name: "production-lb",
  command: ["lb drain", "lb disable", "lb weight"],
  when: { args: { site: "production" } },
  approval: { count: 1, permission: "lb:approve" },
};

describe("a site of two HAProxy instances", () => {
  it("applies the change to each, reports each, and shows both in lb status", async () => {
    h = await lbHarness({ production: { lb1: lb1.socket, lb2: `127.0.0.1:${lb2.tcpPort}` } });
    const { text } = await h.as("alice").say("!lb drain web/fe2");
    expect(text).toMatch(/drain web\/fe2 on production: done on lb1, lb2/);
    expect(text).toMatch(/lb1 +done +DRAIN/);
    expect(text).toMatch(/lb2 +done +DRAIN/);
    expect((await lb1.server("web", "fe2")).status).toBe("DRAIN");
    expect((await lb2.server("web", "fe2")).status).toBe("DRAIN");
    const status = (await h.as("alice").say("!lb status web")).text;
    expect(status).toMatch(/lb1 +web\/fe2 +DRAIN/);
    expect(status).toMatch(/lb2 +web\/fe2 +DRAIN/);
    expect(status).toMatch(/web on production: 2 of 4 taking traffic/);
  });

  it("names an instance that does not answer and still changes the one that does", async () => {
    const missing = `${lb1.dir}/no-such.sock`;
    h = await lbHarness({ production: { lb1: lb1.socket, gone: missing } });
    const status = (await h.as("alice").say("!lb status web")).text;
    expect(status).toMatch(/lb1 +web\/fe1 +UP/);
    expect(status).toMatch(/gone did not answer: .*ENOENT/);
    expect((await h.as("alice").say("!lb disable web/fe2")).text).toMatch(/done on lb1/);
    expect((await lb1.server("web", "fe2")).status).toBe("MAINT");
    const none = await lbHarness({ dead: { gone: missing } });
    try {
      expect((await none.as("alice").say("!lb status")).text).toMatch(
        /no HAProxy instance of dead answered: gone: .*ENOENT/,
      );
    } finally {
      await none.close();
    }
  });
});

describe("choosing the site", () => {
  it("asks which site when there are several and no default, and takes --site", async () => {
    h = await lbHarness({ production: { lb1: lb1.socket }, staging: { lb2: lb2.socket } });
    expect((await h.as("alice").say("!lb status web")).text).toMatch(/which site\? Add --site \(production, staging\)/);
    expect((await h.as("alice").say("!lb drain web/fe1")).text).toMatch(/which site\?/);
    expect((await lb1.server("web", "fe1")).status).toBe("UP");
    expect((await h.as("alice").say("!lb status web --site Staging")).text).toMatch(/web on staging: 2 of 2/);
  });
});

describe("approval on production", () => {
  it("asks with backend, server and current sessions; nothing changes until someone else approves", async () => {
    h = await lbHarness(
      { production: { lb1: lb1.socket }, staging: { lb2: lb2.socket } },
      { rules: [PRODUCTION_RULE], config: { defaultSite: "production", rooms: ["test:#lb-log"] } },
    );
    // Two requests held open on lb1's web backend: one per front end.
    const held = [fetch(lb1.url("web")), fetch(lb1.url("web"))].map((p) => p.then((r) => r.text()).catch(() => ""));
    await expect.poll(async () => (await lb1.server("web", "fe2")).scur).toBe("1");

    const asked = (await h.as("alice").say("!lb disable web/fe2")).text;
    expect(asked).toMatch(/needs 1 approval from someone with lb:approve \(rule production-lb\)/);
    expect(asked).toMatch(/backend: +web/);
    expect(asked).toMatch(/server: +fe2/);
    expect(asked).toMatch(/site: +production/);
    expect(asked).toMatch(/sessions: +lb1: 1 current, \d+ total/);
    const job = /job (\w+)/.exec(asked)![1];
    expect((await lb1.server("web", "fe2")).status).toBe("UP");

    expect((await h.as("alice").say(`!approve ${job}`)).text).toMatch(/someone else has to approve/);
    expect((await h.as("bob").say(`!approve ${job}`)).text).toMatch(/lb:approve/);
    expect((await lb1.server("web", "fe2")).status).toBe("UP");
    await h.as("carol").say(`!approve ${job}`);
    await h.idle();
    expect((await lb1.server("web", "fe2")).status).toBe("MAINT");
    expect(h.transcript()).toMatch(/alice: disable web\/fe2 on production: done on lb1/);
    // Posted in the configured room too.
    expect(h.transcript("#lb-log")).toMatch(/alice: disable web\/fe2 on production: done on lb1/);

    // Staging has no such rule: no approval.
    expect((await h.as("alice").say("!lb disable web/fe2 --site staging")).text).toMatch(/done on lb2/);
    expect((await lb2.server("web", "fe2")).status).toBe("MAINT");
    await Promise.all(held);
  });

  it("checks the last-server guard again when the approved job runs", async () => {
    h = await lbHarness({ production: { lb1: lb1.socket } }, { rules: [PRODUCTION_RULE] });
    const asked = (await h.as("alice").say("!lb disable web/fe2")).text;
    const job = /job (\w+)/.exec(asked)![1];
    // Meanwhile fe1 goes into maintenance by other means: fe2 is now the last one.
    await lb1.command("set server web/fe1 state maint");
    await h.as("carol").say(`!approve ${job}`);
    await h.idle();
    expect(h.transcript()).toMatch(/fe2 is the last server of web taking traffic on lb1/);
    expect((await lb1.server("web", "fe2")).status).toBe("UP");
  });
});

describe("configuration", () => {
  it("names what is wrong: no sites, a bad address, an unknown default site", () => {
    const issues = (input: unknown) =>
      lbConfigSchema.safeParse(input).error?.issues.map((i) => `${i.path.join(".")}: ${i.message}`) ?? [];
    expect(issues({ sites: {} })).toEqual([expect.stringMatching(/^sites: configure at least one site/)]);
    expect(issues({ sites: { main: { instances: { lb1: "not an address" } } } })).toEqual([
      expect.stringMatching(/^sites\.main\.instances\.lb1: "not an address" is not a unix socket path/),
    ]);
    expect(issues({ sites: { main: { instances: { lb1: "" } } } })).toEqual([
      expect.stringMatching(/is the environment variable set/),
    ]);
    expect(issues({ sites: { main: { instances: { lb1: "/run/x.sock" } } }, defaultSite: "dc2" })).toEqual([
      'defaultSite: no site "dc2" under sites',
    ]);
    expect(issues({ sites: { main: { instances: { lb1: "10.0.0.2:9999" } } } })).toEqual([]);
  });
});
