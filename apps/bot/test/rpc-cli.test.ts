/**
 * The rpc plugin through the built CLI and the shell adapter, talking to the demo service of
 * examples/rpc-server (built on @switchboard/rpc-server) with the example configuration examples/rpc.yaml: the two
 * commands of the README, driven over pipes.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { generateKeyPairSync } from "node:crypto";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { freePort } from "@switchboard/test-servers";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { assertBuilt, childEnv, copyExample, exited, repoRoot, runCli, spawnCli, tempDir, watchOutput } from "./cli.js";

describe("switchboard shell with examples/rpc.yaml and the demo service", () => {
  const temp = tempDir("switchboard-rpc-");
  // A copy: the example's paths (../.switchboard/…) resolve against its own folder, here inside temp.
  const config = copyExample("rpc.yaml", temp.dir);
  let service: ChildProcess;
  let env: Record<string, string>;

  beforeAll(async () => {
    assertBuilt();
    const keys = generateKeyPairSync("rsa", {
      modulusLength: 2048,
      publicKeyEncoding: { type: "spki", format: "pem" },
      privateKeyEncoding: { type: "pkcs8", format: "pem" },
    });
    writeFileSync(join(temp.dir, "bot.pem"), keys.privateKey, { mode: 0o600 });
    writeFileSync(join(temp.dir, "bot.pub.pem"), keys.publicKey);
    const port = await freePort();
    service = spawn(process.execPath, [join(repoRoot, "examples/rpc-server/server.mjs")], {
      cwd: temp.dir,
      env: childEnv({ CHATOPS_RPC_PUBLIC_KEY_FILE: join(temp.dir, "bot.pub.pem"), PORT: String(port) }),
      stdio: ["ignore", "pipe", "pipe"],
    });
    await new Promise<void>((resolve, reject) => {
      let seen = "";
      service.stdout!.on("data", (chunk: Buffer) => {
        seen += chunk.toString("utf8");
        if (seen.includes("ChatOps RPC service on")) resolve();
      });
      service.on("exit", (code) => reject(new Error(`the demo service exited with ${code}: ${seen}`)));
    });
    env = {
      CHATOPS_RPC_URL: `http://127.0.0.1:${port}/_chatops`,
      CHATOPS_RPC_PRIVATE_KEY_FILE: join(temp.dir, "bot.pem"),
    };
  });
  afterAll(() => {
    service?.kill();
    temp.remove();
  });

  it("config check accepts the example configuration", async () => {
    const result = await runCli(["config", "check", "--config", config], { cwd: temp.dir, env });
    expect(result.stderr).toBe("");
    expect(result.stdout).toMatch(/plugins +rpc/);
    expect(result.code).toBe(0);
  });

  it("lists the service's methods in help and runs them; a guest is refused", async () => {
    const input = ["help", "ops queue", "ops servers fe3", "ops queue nothing", "/as mallory", "ops queue"];
    const result = await runCli(["shell", "--config", config], { cwd: temp.dir, env, input: `${input.join("\n")}\n` });
    expect(result.stderr).toBe("");
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/^!ops queue +ops queue \[name\] - how many jobs wait in the queues \(or one\)/m);
    expect(result.stdout).toContain("mail: 12 waiting\nwebhooks: 0 waiting\nexports: 340 waiting\nsearch: 3 waiting");
    expect(result.stdout).toContain("fe3: app7 down, app8 up");
    expect(result.stdout).toContain("Restart app7");
    expect(result.stdout).toContain("ops queue: no queue called nothing (there are mail, webhooks, exports, search)");
    expect(result.stdout).toContain("denied: command ops queue is not for guests");
  });

  it("a restart waits for a second person's approval, then runs with the approved params as the requester", async () => {
    const child = spawnCli(["shell", "--config", config], temp.dir, env);
    const output = watchOutput(child);
    child.stdin.write("ops restart app7\n");
    const asked = await output.waitFor(/needs 1 approval .* Approve with "!approve (\w{5})"/);
    const id = /approve (\w{5})"/.exec(asked)![1]!;
    expect(asked).toMatch(/^app: +app7$/m);
    child.stdin.write(`/as carol\napprove ${id}\n`);
    await output.waitFor(/app7 restarted by alice; it is up/);
    child.stdin.write("rpc list\n");
    await output.waitFor(/^ops +http:\/\/127\.0\.0\.1:\d+\/_chatops +config +rpc:ops +ok, 3 methods/m);
    child.stdin.end();
    expect((await exited(child)).code).toBe(0);
  });
});
