import { readFileSync } from "node:fs";
import { join } from "node:path";
import { MatrixAdapter } from "@switchboard/adapter-matrix";
import { silentLogger } from "@switchboard/core";
import { describe, expect, it } from "vitest";
import { createAdapter } from "../src/adapter-types.js";
import { ConfigError, type ConfigIssue, parseConfig } from "../src/index.js";
import { repoRoot } from "./cli.js";

function issuesOf(text: string): ConfigIssue[] {
  try {
    parseConfig(text, "test.yaml", { env: {} });
  } catch (error) {
    if (error instanceof ConfigError) return error.issues;
    throw error;
  }
  throw new Error("expected a ConfigError");
}

describe("type: matrix in the configuration", () => {
  it("accepts examples/matrix.yaml and creates the adapter with durations in ms", async () => {
    const text = readFileSync(join(repoRoot, "examples/matrix.yaml"), "utf8");
    const { config } = parseConfig(text, "matrix.yaml", {
      env: {
        MATRIX_HOMESERVER: "https://matrix.example.org",
        MATRIX_BOT_USER: "@bot:example.org",
        MATRIX_BOT_PASSWORD: "pw",
      },
    });
    const entry = config.adapters[0]!;
    expect(entry).toMatchObject({ type: "matrix", name: "matrix", staleAfter: 120_000, encryption: true });
    const adapter = await createAdapter(entry, { logger: silentLogger() });
    expect(adapter).toBeInstanceOf(MatrixAdapter);
    expect(adapter.network).toBe("matrix");
    expect((adapter as MatrixAdapter).options).toMatchObject({
      homeserver: "https://matrix.example.org",
      userId: "@bot:example.org",
      staleAfter: 120_000,
      invites: { users: ["@admin:example.org"], rooms: [] },
    });
  });

  it("names the key of every mistake", () => {
    const issues = issuesOf(
      [
        "adapters:",
        "  - type: matrix",
        "    homeserver: not a url",
        "    userId: bot",
        "    staleAfter: soon",
        "    invite: {}",
        "",
      ].join("\n"),
    );
    const paths = issues.map((i) => i.path.join("."));
    expect(paths).toEqual(
      expect.arrayContaining([
        "adapters.0.homeserver",
        "adapters.0.userId",
        "adapters.0.staleAfter",
        "adapters.0.invite",
      ]),
    );
    expect(
      issuesOf("adapters:\n  - type: matrix\n    homeserver: https://m.example.org\n    userId: '@b:m'\n"),
    ).toEqual([expect.objectContaining({ message: "give accessToken or password" })]);
  });
});
