#!/usr/bin/env node
/**
 * The `switchboard` command line. Only commander is imported up front; each subcommand imports what it needs
 * when it runs, so `switchboard shell` starts fast and `switchboard config show-default` loads almost nothing.
 * @module
 */
import { Command, Option } from "commander";
import pkg from "../package.json" with { type: "json" };

/** Runs a subcommand, prints a failure as one line (a ConfigError lists its problems), and exits with its code. */
async function run(action: () => Promise<number>): Promise<void> {
  let code: number;
  try {
    code = await action();
  } catch (error) {
    const { describeFailure } = await import("./failure.js");
    const failure = describeFailure(error);
    process.stderr.write(`${failure.text}\n`);
    code = failure.exitCode;
  }
  // Let stdout drain (a pipe to a slow reader), then leave even if a library left a handle open.
  await new Promise<void>((resolve) => process.stdout.write("", () => resolve()));
  process.exit(code);
}

const configOption = () =>
  new Option(
    "-c, --config <file>",
    "configuration file (default: $SWITCHBOARD_CONFIG, ./switchboard.yaml, or the built-in default)",
  );
const dbOption = () =>
  new Option("--db <file>", "SQLite database to read (default: store.path from the configuration)");

const program = new Command("switchboard")
  .description("Switchboard: ChatOps from your terminal and your chat rooms")
  .version(pkg.version, "-V, --version")
  .showHelpAfterError()
  .enablePositionalOptions();

program
  .command("shell")
  .description("chat with the bot in this terminal (or pipe commands in, one per line); ignores other adapters")
  .option("-u, --user <name>", "speak as NAME (default: the shell adapter's user in the config, else your OS login)")
  .addOption(configOption())
  .action((options: { config?: string; user?: string }) =>
    run(async () => (await import("./commands/shell.js")).shellCommand(options)),
  );

program
  .command("start")
  .description("run the bot on every adapter in the configuration until SIGINT/SIGTERM")
  .addOption(configOption())
  .action((options: { config?: string }) =>
    run(async () => (await import("./commands/start.js")).startCommand(options)),
  );

program
  .command("migrate")
  .description("bring the PostgreSQL schema of store.postgres up to date (once, however many instances run it)")
  .addOption(configOption())
  .action((options: { config?: string }) =>
    run(async () => (await import("./commands/migrate.js")).migrateCommand(options)),
  );

program
  .command("backup")
  .description(
    "copy the database online (consistent, while the bot runs), the audit public key, checkpoints and Matrix device data into DIR",
  )
  .argument("<dir>", "a new or empty folder")
  .addOption(configOption())
  .action((dir: string, options: { config?: string }) =>
    run(async () => (await import("./commands/backup.js")).backupCommand(dir, options)),
  );

program
  .command("log")
  .description("find an internal-error reference (E-…) from chat in the log: the error, its stack, the job")
  .argument("<reference>", "the reference chat showed, e.g. E-1a2b3c4d")
  .addOption(configOption())
  .action((reference: string, options: { config?: string }) =>
    run(async () => (await import("./commands/log-lookup.js")).logLookupCommand(reference, options)),
  );

const config = program.command("config").description("check or show configuration");
config
  .command("check")
  .description(
    "validate the configuration (and the plugins' sections); print a summary, or every problem with its line",
  )
  .addOption(configOption())
  .action((options: { config?: string }) =>
    run(async () => (await import("./commands/config-check.js")).configCheckCommand(options)),
  );
config
  .command("show-default")
  .description("print the built-in configuration (with your login); save it as switchboard.yaml to customise it")
  .action(() => run(async () => (await import("./commands/config-show-default.js")).configShowDefaultCommand()));

program
  .command("commands")
  .description("list every command: name, plugin, who may run it, side effect, summary")
  .option("--json", "one JSON object per line")
  .addOption(configOption())
  .action((options: { config?: string; json?: boolean }) =>
    run(async () => (await import("./commands/list-commands.js")).listCommandsCommand(options)),
  );

const matrix = program.command("matrix").description("set up the bot's Matrix account");
matrix
  .command("setup-recovery")
  .description(
    "once per bot account: create its cross-signing identity and secret storage, print the recovery key (stdout, once)",
  )
  .option("--network <name>", "the Matrix adapter, when the configuration has several")
  .option("--reset", "replace an existing identity and secret storage (everyone who verified the bot sees it change)")
  .addOption(configOption())
  .action((options: { config?: string; network?: string; reset?: boolean }) =>
    run(async () => (await import("./commands/matrix-setup-recovery.js")).matrixSetupRecoveryCommand(options)),
  );

const audit = program.command("audit").description("inspect the hash-chained audit log");
audit
  .command("verify")
  .description("check the hash chain, the signed checkpoints and the runtime role grants; exit 1 naming each problem")
  .option("--head <hash>", "also check against a head you kept: <hash> or <seq>:<hash>")
  .option("--key <file>", "the audit key or its .pub (default: audit.keyFile)")
  .option("--checkpoints <file>", "the checkpoint file (default: audit.checkpointFile)")
  .addOption(configOption())
  .addOption(dbOption())
  .action((options: { config?: string; db?: string; head?: string; key?: string; checkpoints?: string }) =>
    run(async () => (await import("./commands/audit-verify.js")).auditVerifyCommand(options)),
  );
audit
  .command("export")
  .description("write every entry as JSON lines (oldest first)")
  .option("-o, --output <file>", "write to FILE instead of stdout")
  .addOption(configOption())
  .addOption(dbOption())
  .action((options: { config?: string; db?: string; output?: string }) =>
    run(async () => (await import("./commands/audit-export.js")).auditExportCommand(options)),
  );
audit
  .command("tail")
  .description("show the last entries; with --follow, keep showing new ones")
  .option("-n, --lines <n>", "how many entries", "10")
  .option("-f, --follow", "keep printing entries as they are written (Ctrl-C to stop)")
  .option("--json", "print entries as JSON lines")
  .addOption(configOption())
  .addOption(dbOption())
  .action((options: { config?: string; db?: string; lines?: string; follow?: boolean; json?: boolean }) =>
    run(async () => (await import("./commands/audit-tail.js")).auditTailCommand(options)),
  );

audit
  .command("re-anchor")
  .description(
    "after restoring a backup (bot stopped): accept an older head, signed and audited, so audit verify passes again",
  )
  .requiredOption("--accept-head <seq:hash>", "the head to accept: the backup's manifest.json has it")
  .option("--reason <text>", "why, in a few words (default: restored from a backup)")
  .addOption(configOption())
  .addOption(dbOption())
  .action((options: { config?: string; db?: string; acceptHead: string; reason?: string }) =>
    run(async () => (await import("./commands/audit-reanchor.js")).auditReanchorCommand(options)),
  );
audit
  .command("rotate-key")
  .description(
    "make a new audit key, cross-signed by the old one (bot stopped); earlier checkpoints and role grants stay valid",
  )
  .option(
    "--lost-key",
    "the private key is lost: the new key is signed by itself only (the old .pub keeps old checkpoints checkable)",
  )
  .option("--reason <text>", "why, in a few words")
  .addOption(configOption())
  .addOption(dbOption())
  .action((options: { config?: string; db?: string; lostKey?: boolean; reason?: string }) =>
    run(async () => (await import("./commands/audit-rotate-key.js")).auditRotateKeyCommand(options)),
  );

await program.parseAsync();
