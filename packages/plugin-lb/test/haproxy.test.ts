/**
 * The lb commands on a real HAProxy 2.6: every change is read back from HAProxy itself (`show stat` over its own
 * socket, not through the plugin), traffic follows, the last server taking traffic is kept unless forced, names
 * that could smuggle a second runtime API command are refused before anything is sent.
 */
import { HaproxyServer } from "@switchboard/test-servers";
import type { Harness } from "@switchboard/testing";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { RuntimeApi } from "../src/index.js";
import { lbHarness } from "./helpers.js";

let haproxy: HaproxyServer;
let h: Harness;

beforeAll(async () => {
  haproxy = await HaproxyServer.start({
    backends: {
      web: { servers: ["fe1", "fe2"] },
      slow: { servers: ["s1", "s2"], holdMs: 4000 },
      sticky: { servers: ["st1", "st2"], balance: "source" },
    },
  });
  h = await lbHarness({ main: { lb1: haproxy.socket } });
});
afterAll(async () => {
  await h?.close();
  await haproxy?.stop();
});
afterEach(async () => {
  // Every test starts with both front ends ready at weight 1.
  for (const server of ["fe1", "fe2"]) {
    await haproxy.command(`set server web/${server} state ready`);
    await haproxy.command(`set server web/${server} weight 1`);
  }
  // Out of maintenance a server is "UP 1/2" until its next check passes: start every test fully UP.
  await expect
    .poll(
      async () =>
        (await haproxy.stat()).filter((r) => r.pxname === "web" && r.svname?.startsWith("fe")).map((r) => r.status),
      {
        timeout: 10_000,
      },
    )
    .toEqual(["UP", "UP"]);
});

const alice = () => h.as("alice");
const stat = (server: string) => haproxy.server("web", server);

describe("lb status", () => {
  it("shows each server's state, check, sessions and weight as HAProxy reports them", async () => {
    await haproxy.command("set server web/fe2 weight 7");
    const { text } = await alice().say("!lb status web");
    expect(text).toMatch(/web on main: 2 of 2 taking traffic/);
    expect(text).toMatch(/web\/fe1 +UP +L7OK( 200)? +\d+ +\d+ +1\b/);
    expect(text).toMatch(/web\/fe2 +UP +L7OK( 200)? +\d+ +\d+ +7\b/);
    expect(text).not.toMatch(/slow\//);
  });

  it("counts current sessions: requests held open by the front ends show up", async () => {
    const held = Array.from({ length: 4 }, () =>
      fetch(haproxy.url("slow"))
        .then((r) => r.text())
        .catch(() => ""),
    );
    await expect
      .poll(async () =>
        (await haproxy.stat()).filter((r) => r.pxname === "slow" && r.svname?.startsWith("s")).map((r) => r.scur),
      )
      .toEqual(["2", "2"]);
    const { text } = await alice().say("!lb status slow");
    expect(text).toMatch(/slow\/s1 +UP +L7OK( 200)? +2 +[2-9]/);
    expect(text).toMatch(/slow\/s2 +UP +L7OK( 200)? +2 +[2-9]/);
    await Promise.all(held);
  });

  it("names an unknown backend and lists the live ones", async () => {
    const { text } = await alice().say("!lb status nope");
    expect(text).toMatch(/no backend nope on main/);
    expect(text).toMatch(/backends: slow, sticky, web/);
  });

  it("gives guests nothing", async () => {
    const { text } = await h.as("mallory").say("!lb status web");
    expect(text).toMatch(/lb:read/);
    expect(text).not.toMatch(/fe1/);
  });
});

describe("changes, read back from HAProxy", () => {
  it("drain, disable, enable and weight each change what HAProxy reports", async () => {
    expect((await alice().say("!lb drain web/fe2")).text).toMatch(/drain web\/fe2 on main: done on lb1/);
    expect((await stat("fe2")).status).toBe("DRAIN");
    expect((await alice().say("!lb disable web/fe2")).text).toMatch(/lb1 +done +MAINT/);
    expect((await stat("fe2")).status).toBe("MAINT");
    expect((await alice().say("!lb enable web/fe2")).text).toMatch(/lb1 +done +UP/);
    // Out of maintenance HAProxy counts it UP at its lowest health ("UP 1/2") until the next check passes.
    await expect.poll(async () => (await stat("fe2")).status, { timeout: 10_000 }).toBe("UP");
    expect((await alice().say("!lb weight web/fe2 25")).text).toMatch(/lb1 +done +UP +25/);
    expect((await stat("fe2")).uweight).toBe("25");
  });

  it("a disabled server gets no traffic; enabled again, it does", async () => {
    await alice().say("!lb disable web/fe2");
    const before = haproxy.frontEnds.fe2!.served;
    for (let i = 0; i < 6; i++) expect((await (await fetch(haproxy.url("web"))).text()).trim()).toBe("fe1");
    expect(haproxy.frontEnds.fe2!.served).toBe(before);
    await alice().say("!lb enable web/fe2");
    const seen = new Set<string>();
    for (let i = 0; i < 6; i++) seen.add((await (await fetch(haproxy.url("web"))).text()).trim());
    expect(seen).toEqual(new Set(["fe1", "fe2"]));
  });

  it("reports HAProxy's own refusal: a static balance algorithm takes no weight but 0% and 100%", async () => {
    const { text } = await alice().say("!lb weight sticky/st2 5");
    expect(text).toMatch(/weight 5 sticky\/st2 on main failed: lb1: Backend is using a static LB algorithm/);
    expect((await haproxy.server("sticky", "st2")).uweight).toBe("1");
    const outcome = (await h.audit()).findLast((e) => e.event === "plugin" && e.detail?.backend === "sticky");
    expect(outcome).toMatchObject({
      outcome: "failed",
      detail: { result: expect.stringMatching(/static LB algorithm/) },
    });
  });

  it("refuses a weight outside 0–256 with the usage, and HAProxy keeps the old one", async () => {
    const { text } = await alice().say("!lb weight web/fe2 300");
    expect(text).toMatch(/weight is a whole number from 0 to 256/);
    expect((await stat("fe2")).uweight).toBe("1");
  });

  it("audits each instance's result next to the command", async () => {
    await alice().say("!lb drain web/fe1");
    const entries = await h.audit();
    const change = entries.findLast((e) => e.event === "plugin" && e.detail?.plugin === "lb");
    expect(change?.detail).toMatchObject({
      event: "change",
      actor: "alice",
      site: "main",
      instance: "lb1",
      backend: "web",
      server: "fe1",
      action: "drain",
      result: "done",
      after: "DRAIN, weight 1",
    });
    expect(change?.outcome).toBe("succeeded");
    const admitted = entries.findLast((e) => e.event === "admitted" && e.command === "lb drain");
    expect(admitted?.args).toMatchObject({ backend: "web", server: "fe1", site: "main" });
    expect(admitted?.detail?.checked).toMatchObject({
      sessions: expect.stringMatching(/^lb1: \d+ current, \d+ total$/),
    });
  });
});

describe("the last server taking traffic", () => {
  it("is kept unless forced; --force needs lb:force; a DOWN peer does not count", async () => {
    await alice().say("!lb disable web/fe2");
    const refused = await alice().say("!lb disable web/fe1");
    expect(refused.text).toMatch(/web\/fe1 is the last server of web taking traffic on lb1/);
    expect(refused.text).toMatch(/--force/);
    expect((await stat("fe1")).status).toBe("UP");
    expect((await alice().say("!lb weight web/fe1 0")).text).toMatch(/last server/);
    expect((await alice().say("!lb drain web/fe1")).text).toMatch(/last server/);
    expect((await stat("fe1")).uweight).toBe("1");

    const noForce = await alice().say("!lb disable web/fe1 --force");
    expect(noForce.text).toMatch(/lb:force/);
    expect((await stat("fe1")).status).toBe("UP");

    const forced = await h.as("fiona").say("!lb disable web/fe1 --force");
    expect(forced.text).toMatch(/forced past the last-server guard/);
    expect((await stat("fe1")).status).toBe("MAINT");
  });

  it("counts a server whose health check fails as not taking traffic", async () => {
    haproxy.frontEnds.fe2!.healthy = false;
    try {
      await expect.poll(async () => (await stat("fe2")).status, { timeout: 10_000 }).toBe("DOWN");
      expect((await alice().say("!lb drain web/fe1")).text).toMatch(/last server of web/);
      // Taking out the DOWN one changes nothing about traffic: allowed.
      expect((await alice().say("!lb disable web/fe2")).text).toMatch(/done on lb1/);
    } finally {
      haproxy.frontEnds.fe2!.healthy = true;
      await haproxy.command("set server web/fe2 state ready");
      await expect.poll(async () => (await stat("fe2")).status, { timeout: 10_000 }).toBe("UP");
    }
  });
});

describe("names", () => {
  it("refuses a server name carrying a second command; HAProxy's servers stay as they were", async () => {
    for (const text of [
      '!lb disable web/"fe1\nshutdown sessions server web/fe1"',
      "!lb disable web/fe1\nshutdown sessions server web/fe1",
      "!lb disable web/fe1;shutdown",
      "!lb drain web/fe1%0a",
      '!lb weight web/"fe1 0;set server web/fe2 state maint" 5',
    ]) {
      const { text: answer } = await alice().say(text);
      expect(answer, text).not.toMatch(/done on/);
      expect(answer, text).toMatch(/not a backend or server name|usage|unexpected|has no server/i);
    }
    expect((await stat("fe1")).status).toBe("UP");
    expect((await stat("fe2")).status).toBe("UP");
  });

  it("refuses a site that is not configured, and one that is not a name", async () => {
    expect((await alice().say("!lb status web --site constructor")).text).toMatch(/no site "constructor"; sites: main/);
    expect((await alice().say('!lb status web --site "main\nx"')).text).toMatch(/is not a site name/);
  });

  it("refuses a name that is valid but not in the live server list, naming the live ones", async () => {
    const { text } = await alice().say("!lb disable web/fe9");
    expect(text).toMatch(/lb1 has no server fe9 in web/);
    expect(text).toMatch(/servers of web: fe1, fe2/);
    expect((await alice().say("!lb disable constructor/fe1")).text).toMatch(/has no backend constructor/);
  });

  it("the client itself refuses a word that is not plain, before connecting", async () => {
    const api = new RuntimeApi({ kind: "unix", path: haproxy.socket }, 2000);
    await expect(api.run(["set", "server", "web/fe1\nshutdown", "state", "maint"])).rejects.toThrow(/not a plain word/);
    await expect(api.run(["set", "server", "web/fe1;", "state", "maint"])).rejects.toThrow(/not a plain word/);
    expect((await stat("fe1")).status).toBe("UP");
  });
});
