import { formatDuration } from "@switchboard/core";
import { networkName } from "../adapter-types.js";
import { ConfigError } from "../config/errors.js";
import { preflight } from "../config/preflight.js";
import { describeUrl } from "../postgres-storage.js";

/** Options of `switchboard config check`. */
export interface ConfigCheckOptions {
  config?: string;
}

const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? "" : "s"}`;

/**
 * `switchboard config check`: the preflight (every stage's problems in one run, see config/preflight.ts), then the
 * bot built in memory (catching command clashes) and a summary. Problems are thrown as a ConfigError (exit 1).
 */
export async function configCheckCommand(options: ConfigCheckOptions): Promise<number> {
  const result = await preflight(options.config);
  if (!result.ready) throw new ConfigError(result.source, result.issues);
  const { loaded, plugins, bot } = result.ready;
  const { config } = loaded;
  const commands = bot.commands();
  const fromPlugins = commands.filter((command) => command.plugin).length;
  const roles = Object.keys(config.roles);
  const lines = [
    `ok: ${loaded.source}`,
    `  bot        ${config.bot.name}, prefix "${config.bot.prefix}"${config.bot.aliases.length ? `, aliases ${config.bot.aliases.join(", ")}` : ""}`,
    `  timeouts   commands ${formatDuration(config.bot.defaultTimeout)}, approvals ${formatDuration(config.bot.approvalTtl)}, progress every ${formatDuration(config.bot.progressInterval)}`,
    config.store.postgres
      ? `  store      ${describeUrl(config.store.postgres.url)} (PostgreSQL, several instances)`
      : `  store      ${config.store.path} (synchronous ${config.store.synchronous})`,
    `  log        ${config.log.file} (level ${config.log.level ?? process.env.SWITCHBOARD_LOG_LEVEL ?? "info"})`,
    `  adapters   ${config.adapters.map((a) => `${networkName(a)} (${a.type})`).join(", ")}`,
    `  plugins    ${plugins.map((p) => p.name).join(", ") || "none"}`,
    `  policy     ${plural(roles.length, "role")}${roles.length ? ` (${roles.join(", ")})` : ""}, ${plural(Object.keys(config.principals).length, "principal")}, ${plural(config.rules.length, "rule")}; everyone else gets role ${config.guestRole}`,
    `  commands   ${commands.length} (${commands.length - fromPlugins} built in, ${fromPlugins} from plugins)`,
  ];
  // Valid, but weaker than it looks (a CI gate anyone with push access can satisfy): said loudly, after the summary.
  for (const warning of bot.configWarnings()) lines.push(`warning: ${warning}`);
  process.stdout.write(`${lines.join("\n")}\n`);
  return 0;
}
