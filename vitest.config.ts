import { fileURLToPath } from "node:url";
import { defineConfig } from "vitest/config";

const root = fileURLToPath(new URL(".", import.meta.url));

/** Tests import workspace packages from their sources, so a change is tested without a rebuild. */
const packageDirs: Record<string, string> = {
  "@switchboard/core": "packages/core",
  "@switchboard/testing": "packages/testing",
  "@switchboard/store-sqlite": "packages/store-sqlite",
  "@switchboard/adapter-shell": "packages/adapter-shell",
  "@switchboard/adapter-irc": "packages/adapter-irc",
  "@switchboard/plugin-deploy": "packages/plugin-deploy",
  "@switchboard/adapter-matrix": "packages/adapter-matrix",
};

export default defineConfig({
  resolve: {
    alias: Object.entries(packageDirs).map(([name, dir]) => ({
      find: new RegExp(`^${name.replace("/", "\\/")}$`),
      replacement: `${root}${dir}/src/index.ts`,
    })),
  },
  test: {
    include: ["packages/*/test/**/*.test.ts", "apps/*/test/**/*.test.ts", "examples/*/test/**/*.test.ts"],
    testTimeout: 30_000,
    // Builds the Synapse chroot of the Matrix tests once when it is missing (about 2 minutes; reused afterwards).
    globalSetup: ["packages/adapter-matrix/test/synapse/global-setup.ts"],
    hookTimeout: 60_000,
    typecheck: {
      enabled: true,
      include: ["packages/*/test/**/*.test-d.ts"],
      tsconfig: "packages/core/tsconfig.json",
    },
  },
});
