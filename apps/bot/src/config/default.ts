/**
 * The built-in configuration: `switchboard.default.yaml` with `<login>` replaced by the OS login name.
 * @module
 */
import { existsSync, readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { osLogin } from "@switchboard/adapter-shell";

const FILE = "switchboard.default.yaml";

/** Where the template is: the package's root folder (found from `src/config/` as well as from `dist/`). */
export function defaultConfigPath(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (let i = 0; i < 4; i++) {
    const candidate = join(dir, FILE);
    if (existsSync(candidate)) return candidate;
    dir = dirname(dir);
  }
  throw new Error(`${FILE} is missing from this installation of switchboard`);
}

/** A login as YAML: plain when it is a simple word, else double-quoted. */
function yamlWord(text: string): string {
  return /^[A-Za-z0-9_][A-Za-z0-9_.-]*$/.test(text) ? text : JSON.stringify(text);
}

/** The default configuration as YAML text, for `login` (default: the OS login name). */
export function defaultConfigText(login = osLogin()): string {
  return readFileSync(defaultConfigPath(), "utf8").replaceAll("<login>", yamlWord(login));
}
