/**
 * The talk's outage through the built CLI and the shell adapter, with examples/outage.yaml as a new user runs it: a
 * real HAProxy in front of fe1 and fe2 started by examples/outage/demo-setup.sh, the status page on the real HTTP
 * endpoint. lb status, an incident, fe2 taken out (approved by a second person), master deployed to fe2 (approved),
 * fe2 back in rotation, the incident resolved — each step read back from HAProxy, the front end and the page.
 * (The logs steps of the README need the logs plugin, which is tested on its own.)
 */
import type { ChildProcessWithoutNullStreams } from "node:child_process";
import { execFileSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { freePort, parseShowStat, runtimeCommand, until } from "@switchboard/test-servers";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { assertBuilt, copyExample, exited, repoRoot, runCli, spawnCli, tempDir, watchOutput } from "./cli.js";

const setup = join(repoRoot, "examples/outage/demo-setup.sh");

describe("examples/outage.yaml: the outage in a terminal", { timeout: 120_000 }, () => {
  const temp = tempDir("switchboard-outage-");
  // A copy in temp/examples: its paths (../.switchboard/outage/…) resolve against its own folder, where the setup put them.
  const example = copyExample("outage.yaml", temp.dir);
  const outage = join(temp.dir, ".switchboard/outage");
  const socket = join(outage, "haproxy.sock");
  let env: Record<string, string>;
  let url: string;

  const fe2 = async () => {
    const row = parseShowStat(await runtimeCommand(socket, "show stat")).find((r) => r.svname === "fe2");
    return row?.status;
  };

  beforeAll(async () => {
    assertBuilt();
    const [web, fe1Port, fe2Port, http] = [await freePort(), await freePort(), await freePort(), await freePort()];
    url = `http://127.0.0.1:${http}`;
    env = { HTTP_LISTEN: `127.0.0.1:${http}`, HAPROXY_SOCKET: socket, OUTAGE_LOGS: outage, USER: "someone-else" };
    execFileSync("sh", [setup], {
      cwd: temp.dir,
      env: { ...process.env, WEB_PORT: String(web), FE1_PORT: String(fe1Port), FE2_PORT: String(fe2Port) },
      stdio: "ignore",
    });
    await until(async () => (await fe2().catch(() => undefined)) === "UP", "fe2 UP in HAProxy", 15_000);
  });

  afterAll(() => {
    execFileSync("sh", [setup, "stop"], { cwd: temp.dir, stdio: "ignore" });
    temp.remove();
  });

  it("config check accepts it", async () => {
    const checked = await runCli(["config", "check", "--config", example], { cwd: temp.dir, env });
    expect(checked.stderr).toBe("");
    expect(checked.stdout).toMatch(/plugins +lb, deploy, logs, status/);
  });

  it("lb status, incident, fe2 out with approval, deploy master, fe2 back, resolved; the page follows", async () => {
    const child: ChildProcessWithoutNullStreams = spawnCli(["start", "--config", example], temp.dir, env);
    const output = watchOutput(child);
    let stderr = "";
    child.stderr.on("data", (chunk: Buffer) => {
      stderr += chunk.toString("utf8");
    });
    const say = (line: string) => child.stdin.write(`${line}\n`);
    const since = () => {
      const mark = output.text().length;
      return (match: RegExp, timeoutMs = 30_000) =>
        output.until((text) => match.test(text.slice(mark)), timeoutMs).then((text) => text.slice(mark));
    };
    const page = async () =>
      (await fetch(`${url}/status.json`)).json() as Promise<{
        status: unknown;
        resolved: Array<Record<string, unknown>>;
      }>;
    await until(
      async () => (await fetch(`${url}/healthz`).catch(() => undefined))?.ok === true,
      `the endpoint (${stderr})`,
      20_000,
    );

    // HAProxy may still be bringing a front end up (DOWN 1/2 until its second good check): ask again until both are.
    let next = since();
    let status = "";
    for (let attempt = 0; attempt < 40 && !/2 of 2 taking traffic/.test(status); attempt++) {
      if (attempt > 0) await new Promise((resolve) => setTimeout(resolve, 500));
      next = since();
      say("!lb status web");
      status = await next(/web on production: \d of 2 taking traffic[\s\S]*web\/fe2/);
    }
    expect(status).toMatch(/web on production: 2 of 2 taking traffic/);
    expect(status).toMatch(/web\/fe1 +UP +L7OK/);
    expect(status).toMatch(/web\/fe2 +UP +L7OK/);

    // Its logs, as in the talk: the broken front end's errors, from the file it writes.
    next = since();
    say("!logs web on fe2 --since 10m --grep ERROR --lines 3");
    expect(await next(/fe2 ERROR 500 GET \/checkout/)).not.toMatch(/fe1 /);

    next = since();
    say('!status incident "Checkout errors on fe2" --component web --impact major');
    await next(/Opened #1 Checkout errors on fe2 \[major\] — investigating \(web\)/);
    expect((await page()).status).toEqual({ indicator: "partial", openIncidents: 1 });
    const html = await fetch(`${url}/status`);
    expect(html.headers.get("content-security-policy")).toMatch(/^default-src 'none'; style-src 'sha256-/);
    expect(await html.text()).toMatch(/<h3>Checkout errors on fe2<\/h3>/);

    next = since();
    say("!lb disable web/fe2");
    const asked = await next(/needs 1 approval from someone with lb:approve \(rule production-lb\)[\s\S]*for: +alice/);
    expect(asked).toMatch(/backend: +web/);
    expect(asked).toMatch(/server: +fe2/);
    expect(asked).toMatch(/sessions: +lb1: \d+ current, \d+ total/);
    expect(await fe2()).toBe("UP");
    const lbJob = /approve (\w+)"/.exec(asked)![1]!;
    next = since();
    say(`/as carol\n!approve ${lbJob}\n/as alice`);
    await next(/alice: disable web\/fe2 on production: done on lb1/);
    expect(await fe2()).toBe("MAINT");

    next = since();
    say("!deploy web/master to production/fe2");
    const deployAsked = await next(/needs 1 approval from someone with deploy:approve[\s\S]*for: +alice/);
    const deployJob = /approve (\w+)"/.exec(deployAsked)![1]!;
    next = since();
    say(`/as carol\n!approve ${deployJob}\n/as alice`);
    await next(/deployed web\/master \(\w{7}\) to production/, 60_000);
    expect(readFileSync(join(outage, "fe2.release"), "utf8")).toMatch(/^master [0-9a-f]{7}\n$/);

    next = since();
    say("!lb enable web/fe2");
    await next(/alice: enable web\/fe2 on production: done on lb1/);
    await until(async () => (await fe2()) === "UP", "fe2 UP again", 15_000);
    // Back in rotation on master: fe2 answers requests again, without errors.
    const before = readFileSync(join(outage, "fe2.log"), "utf8").length;
    await until(
      () =>
        /INFO 200 GET \/checkout \[release master/.test(readFileSync(join(outage, "fe2.log"), "utf8").slice(before)),
      "fe2 serving master",
      15_000,
    );

    next = since();
    say("!status resolve 1 fe2 is back on master");
    await next(/Resolved #1 Checkout errors on fe2 \[major\] — resolved \(web\): fe2 is back on master/);
    const after = await page();
    expect(after.status).toEqual({ indicator: "operational", openIncidents: 0 });
    expect(after.resolved[0]).toMatchObject({ id: "1", status: "resolved" });

    // Chat text on the public page is escaped, over the real endpoint.
    next = since();
    say('!status incident "<script>alert(1)</script>" --impact none');
    await next(/Opened #2/);
    const hostile = await (await fetch(`${url}/status`)).text();
    expect(hostile).toContain("&#60;script&#62;alert(1)&#60;/script&#62;");
    expect(hostile).not.toContain("<script>");

    child.stdin.end();
    child.kill("SIGTERM");
    expect((await exited(child)).code).toBe(0);
    // Nothing on stderr but the one line where start names its paths.
    expect(
      stderr.split("\n").filter((line) => line && !/^switchboard: config .*; data .*; log .*; audit key /.test(line)),
    ).toEqual([]);

    // Who did what is in the audit log, chained: the change on each instance, the approval, the incident.
    const tail = await runCli(["audit", "tail", "-n", "200", "--json", "--config", example], { cwd: temp.dir, env });
    const entries = tail.stdout
      .trim()
      .split("\n")
      .map(
        (line) =>
          JSON.parse(line) as { event: string; command?: string; actor?: string; detail?: Record<string, unknown> },
      );
    expect(
      entries.find((e) => e.event === "plugin" && e.detail?.plugin === "lb" && e.detail.action === "disable")?.detail,
    ).toMatchObject({
      actor: "alice",
      instance: "lb1",
      backend: "web",
      server: "fe2",
      result: "done",
    });
    expect(entries.some((e) => e.event === "approval" && e.command === "lb disable" && e.actor === "carol")).toBe(true);
    expect(entries.some((e) => e.event === "admitted" && e.command === "status resolve" && e.actor === "alice")).toBe(
      true,
    );
    const verify = await runCli(["audit", "verify", "--config", example], { cwd: temp.dir, env });
    expect(verify.code).toBe(0);
  });
});
