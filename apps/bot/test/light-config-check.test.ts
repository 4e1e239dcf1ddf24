import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { assertBuilt, repoRoot, runCli, tempDir } from "./cli.js";

/**
 * `config check` validates adapter sections from each adapter package's light `./type` entry: a resolve hook makes
 * importing a network library fail, and the check must still pass. The control proves the hook works.
 */
describe("switchboard config check stays light", () => {
  const temp = tempDir("switchboard-light-");
  const hook = join(temp.dir, "no-network-libraries.mjs");

  beforeAll(() => {
    assertBuilt();
    writeFileSync(
      join(temp.dir, "hooks.mjs"),
      `export async function resolve(specifier, context, next) {
  if (specifier === "irc-framework" || specifier === "matrix-js-sdk") throw new Error("loaded " + specifier);
  return next(specifier, context);
}
`,
    );
    writeFileSync(hook, `import { register } from "node:module";\nregister("./hooks.mjs", import.meta.url);\n`);
  });
  afterAll(() => temp.remove());

  const options = () => ({ cwd: repoRoot, env: { NODE_OPTIONS: `--import ${hook}`, IRC_HOST: "irc.example.org" } });

  it("checks an IRC configuration without loading irc-framework", async () => {
    const result = await runCli(["config", "check", "--config", "examples/irc.yaml"], options());
    expect(result.stderr).not.toContain("loaded irc-framework");
    expect(result.code).toBe(0);
  });

  it("checks a Matrix configuration without loading matrix-js-sdk", async () => {
    const result = await runCli(["config", "check", "--config", "examples/matrix.yaml"], {
      ...options(),
      env: {
        ...options().env,
        MATRIX_HOMESERVER: "https://matrix.example.org",
        MATRIX_BOT_USER: "@bot:example.org",
        MATRIX_BOT_PASSWORD: "secret",
      },
    });
    expect(result.stderr).not.toContain("loaded matrix-js-sdk");
    expect(result.code).toBe(0);
  });

  it("control: starting the IRC adapter does load irc-framework, so the hook would notice", async () => {
    const result = await runCli(["start", "--config", "examples/irc.yaml"], { ...options(), timeoutMs: 20_000 });
    expect(`${result.stdout}${result.stderr}`).toContain("loaded irc-framework");
    expect(result.code).not.toBe(0);
  });
});
