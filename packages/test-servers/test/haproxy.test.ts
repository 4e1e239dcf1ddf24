/**
 * The HAProxy launcher: a real HAProxy in front of the front ends, its runtime API answering on the unix socket and
 * on TCP, health checks that follow the front ends.
 */
import { HaproxyServer, runtimeCommand } from "@switchboard/test-servers";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

describe("HaproxyServer", () => {
  let haproxy: HaproxyServer;
  beforeAll(async () => {
    haproxy = await HaproxyServer.start({ backends: { web: { servers: ["fe1", "fe2"] } }, tcp: true });
  });
  afterAll(() => haproxy?.stop());

  it("serves the backend through HAProxy, round robin over both front ends", async () => {
    const answers = new Set<string>();
    for (let i = 0; i < 4; i++) answers.add((await (await fetch(haproxy.url("web"))).text()).trim());
    expect([...answers].sort()).toEqual(["fe1", "fe2"]);
  });

  it("answers the runtime API at admin level on the unix socket and on TCP", async () => {
    expect(await haproxy.command("show info")).toMatch(/^Version: 2\.6\./m);
    const viaTcp = await runtimeCommand(haproxy.tcpPort!, "show servers state web");
    expect(viaTcp).toMatch(/ web \d+ fe1 /);
    // Admin level: a state change is accepted (an operator-level socket answers "Permission denied").
    expect((await haproxy.command("set server web/fe2 state drain")).trim()).toBe("");
    expect((await haproxy.server("web", "fe2")).status).toBe("DRAIN");
    await haproxy.command("set server web/fe2 state ready");
  });

  it("marks a front end DOWN when its health check fails, and UP again", async () => {
    haproxy.frontEnds.fe2!.healthy = false;
    await expect.poll(async () => (await haproxy.server("web", "fe2")).status, { timeout: 10_000 }).toBe("DOWN");
    haproxy.frontEnds.fe2!.healthy = true;
    await expect.poll(async () => (await haproxy.server("web", "fe2")).status, { timeout: 10_000 }).toBe("UP");
  });
});
