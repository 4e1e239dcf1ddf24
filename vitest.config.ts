import { existsSync, readdirSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { defineConfig } from "vitest/config";

const root = fileURLToPath(new URL(".", import.meta.url));

/**
 * Tests import workspace packages from their sources, so a change is tested without a rebuild: every
 * packages/<dir>/package.json name maps to packages/<dir>/src/index.ts (its one public entry), and each further
 * entry of its `exports` (`<name>/type`, `@switchboard/core/audit`) to the source of the file it builds
 * (`./dist/type.js` → src/type.ts). Found at start-up, so a new package needs no change here.
 */
function packageAliases(): { find: RegExp; replacement: string }[] {
  const packages = join(root, "packages");
  return readdirSync(packages, { withFileTypes: true }).flatMap((dir) => {
    const manifest = join(packages, dir.name, "package.json");
    const entry = join(packages, dir.name, "src", "index.ts");
    if (!dir.isDirectory() || !existsSync(manifest) || !existsSync(entry)) return [];
    const { name, exports } = JSON.parse(readFileSync(manifest, "utf8")) as {
      name?: string;
      exports?: Record<string, { import?: string }>;
    };
    if (!name) return [];
    const escaped = name.replace(/[.*+?^${}()|[\]\\/]/g, "\\$&");
    const subpaths = Object.entries(exports ?? {}).flatMap(([subpath, target]) => {
      const built = /^\.\/dist\/(.+)\.js$/.exec(target.import ?? "");
      const source = built ? join(packages, dir.name, "src", `${built[1]}.ts`) : undefined;
      if (subpath === "." || !source || !existsSync(source)) return [];
      return [{ find: new RegExp(`^${escaped}\\/${subpath.slice(2)}$`), replacement: source }];
    });
    return [...subpaths, { find: new RegExp(`^${escaped}$`), replacement: entry }];
  });
}

export default defineConfig({
  resolve: { alias: packageAliases() },
  test: {
    include: ["packages/*/test/**/*.test.ts", "apps/*/test/**/*.test.ts", "examples/*/test/**/*.test.ts"],
    testTimeout: 30_000,
    // Audit keys and checkpoint files of in-process apps go to a scratch folder, never the user's ~/.config.
    env: { XDG_CONFIG_HOME: join(tmpdir(), "switchboard-test-config") },
    // The real servers (IRC, Synapse, …) are provisioned by scripts/test-servers.sh, which `npm test` runs first; a
    // test whose server is missing fails with that command.
    hookTimeout: 60_000,
    typecheck: {
      enabled: true,
      include: ["packages/*/test/**/*.test-d.ts"],
      tsconfig: "packages/core/tsconfig.json",
    },
  },
});
