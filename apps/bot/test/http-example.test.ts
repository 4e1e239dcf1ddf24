/**
 * A new user's path with examples/webhooks.yaml: `switchboard start` in a terminal, a signed GitHub delivery and an
 * Alertmanager notification arrive in the shell, `curl /metrics` shows the commands just typed, forged deliveries
 * post nothing, and the secrets appear in no output and no log.
 */
import type { ChildProcessWithoutNullStreams } from "node:child_process";
import { createHmac, randomUUID } from "node:crypto";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { freePort, until } from "@switchboard/test-servers";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { assertBuilt, copyExample, exited, runCli, spawnCli, tempDir, watchOutput } from "./cli.js";

const GITHUB_WEBHOOK_SECRET = `gh-${randomUUID()}`;
const ALERTMANAGER_TOKEN = `am-${randomUUID()}`;

describe("examples/webhooks.yaml", () => {
  const temp = tempDir("switchboard-http-example-");
  // A copy: the example's relative paths (../.switchboard/…) resolve against its own folder, here inside temp.
  const example = copyExample("webhooks.yaml", temp.dir);
  let child: ChildProcessWithoutNullStreams;
  let stdout: ReturnType<typeof watchOutput>;
  let stderr = "";
  let url: string;
  let env: Record<string, string>;

  beforeAll(async () => {
    assertBuilt();
    const port = await freePort();
    url = `http://127.0.0.1:${port}`;
    env = { HTTP_LISTEN: `127.0.0.1:${port}`, GITHUB_WEBHOOK_SECRET, ALERTMANAGER_TOKEN };
    child = spawnCli(["start", "--config", example], temp.dir, env);
    stdout = watchOutput(child);
    child.stderr.on("data", (chunk: Buffer) => {
      stderr += chunk.toString("utf8");
    });
    await until(
      async () => (await fetch(`${url}/healthz`).catch(() => undefined))?.ok === true,
      `the endpoint on ${url} (stderr: ${stderr})`,
      20_000,
    );
  }, 30_000);

  afterAll(async () => {
    if (child && child.exitCode === null) {
      child.kill("SIGKILL");
      await exited(child);
    }
    temp.remove();
  });

  it("config check accepts it with the variables set and names a missing one", async () => {
    expect((await runCli(["config", "check", "--config", example], { cwd: temp.dir, env })).code).toBe(0);
    const missing = await runCli(["config", "check", "--config", example], {
      cwd: temp.dir,
      env: { ...env, GITHUB_WEBHOOK_SECRET: undefined },
    });
    expect(missing.code).toBe(1);
    expect(missing.stderr).toMatch(/GITHUB_WEBHOOK_SECRET is not set/);
    const bad = join(temp.dir, "bad.yaml");
    writeFileSync(
      bad,
      'http:\n  lisen: 127.0.0.1:9000\n  github:\n    secret: short\n    repos: { acme/web: ["#ops"] }\n',
    );
    const problems = await runCli(["config", "check", "--config", bad], { cwd: temp.dir });
    expect(problems.code).toBe(1);
    expect(problems.stderr).toContain('bad.yaml:2:3: http.lisen: unknown key "lisen"; did you mean "listen"?');
    expect(problems.stderr).toContain("bad.yaml:4:5: http.github.secret: github.secret must be at least 16 characters");
    expect(problems.stderr).toContain('"#ops" is not a room: use network:room');
  });

  it("webhooks arrive in the shell, /metrics counts the commands typed, and secrets stay out of every output", async () => {
    child.stdin.write("ping\nping\n");
    await stdout.until((text) => (text.match(/pong/g) ?? []).length >= 2);

    const body = JSON.stringify({
      action: "closed",
      pull_request: {
        number: 12,
        title: "Add dark mode",
        html_url: "https://github.com/acme/web/pull/12",
        merged: true,
        merged_by: { login: "carol" },
        base: { ref: "main" },
        head: { ref: "dark-mode" },
      },
      repository: { full_name: "acme/web", html_url: "https://github.com/acme/web", default_branch: "main" },
    });
    const github = (signature: string) =>
      fetch(`${url}/hooks/github`, {
        method: "POST",
        headers: {
          "content-type": "application/json",
          "x-github-event": "pull_request",
          "x-github-delivery": randomUUID(),
          "x-hub-signature-256": signature,
        },
        body,
      });
    expect((await github("sha256=".padEnd(71, "0"))).status).toBe(401);
    const good = `sha256=${createHmac("sha256", GITHUB_WEBHOOK_SECRET).update(body).digest("hex")}`;
    expect((await github(good)).status).toBe(200);
    await stdout.waitFor(/acme\/web: #12 merged into main by carol: Add dark mode/);
    expect(stdout.text().match(/#12 merged/g)).toHaveLength(1);

    const alert = await fetch(`${url}/hooks/alertmanager`, {
      method: "POST",
      headers: { "content-type": "application/json", authorization: `Bearer ${ALERTMANAGER_TOKEN}` },
      body: JSON.stringify({
        version: "4",
        groupKey: '{}:{alertname="DiskFull"}',
        status: "firing",
        receiver: "bot",
        groupLabels: { alertname: "DiskFull" },
        commonLabels: { alertname: "DiskFull", severity: "page" },
        commonAnnotations: { summary: "disk almost full on db1" },
        externalURL: "http://alertmanager:9093",
        alerts: [
          {
            status: "firing",
            labels: { alertname: "DiskFull", severity: "page" },
            annotations: { summary: "disk almost full on db1" },
          },
        ],
      }),
    });
    expect(alert.status).toBe(200);
    await stdout.waitFor(/FIRING: DiskFull\n- disk almost full on db1/);

    const metrics = await (await fetch(`${url}/metrics`)).text();
    expect(metrics).toMatch(/switchboard_commands_total\{command="ping",outcome="succeeded"\} 2/);
    expect(metrics).toMatch(/switchboard_webhook_deliveries_total\{source="github",result="unauthorized"\} 1/);

    child.kill("SIGTERM");
    expect(await exited(child)).toEqual({ code: 0, signal: null });
    const log = readFileSync(join(temp.dir, ".switchboard/webhooks-demo.log"), "utf8");
    expect(log).toMatch(/HTTP endpoint listening/);
    expect(log).toMatch(/refused a GitHub delivery: bad signature/);
    for (const output of [log, stdout.text(), stderr]) {
      expect(output).not.toContain(GITHUB_WEBHOOK_SECRET);
      expect(output).not.toContain(ALERTMANAGER_TOKEN);
    }
  }, 60_000);
});
