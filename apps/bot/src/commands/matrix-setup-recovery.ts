/**
 * `switchboard matrix setup-recovery`: once per bot account, create its cross-signing identity and secret storage
 * and print the recovery key (the only output on stdout) for `MATRIX_RECOVERY_KEY`.
 * @module
 */
import { CliError } from "../cli-error.js";
import { loadConfig } from "../config/load.js";

/** Options of `switchboard matrix setup-recovery`. */
export interface SetupRecoveryCommandOptions {
  config?: string;
  /** The Matrix adapter's network name, when the configuration has several. */
  network?: string;
  /** Replace an existing identity and secret storage. */
  reset?: boolean;
}

type MatrixEntry = { type: string; name?: string; homeserver?: string; userId?: string; password?: string };

/** Picks the Matrix adapter entry: the one named, or the only one. */
function matrixEntry(adapters: ReadonlyArray<MatrixEntry>, network: string | undefined): MatrixEntry {
  const entries = adapters.filter((a) => a.type === "matrix");
  const names = entries.map((a) => a.name ?? "matrix");
  if (entries.length === 0) throw new CliError("the configuration has no Matrix adapter (type: matrix)");
  if (network !== undefined) {
    const found = entries.find((a) => (a.name ?? "matrix") === network);
    if (!found) throw new CliError(`no Matrix adapter is named ${network}; the configuration has: ${names.join(", ")}`);
    return found;
  }
  if (entries.length > 1)
    throw new CliError(`the configuration has several Matrix adapters (${names.join(", ")}); say which with --network`);
  return entries[0]!;
}

/**
 * Logs in to the configured Matrix account with its password as a short-lived device, creates cross-signing keys
 * and secret storage, prints the recovery key once, and logs that device out. Refuses (exit 1) when the account
 * has them already, unless `--reset`.
 */
export async function matrixSetupRecoveryCommand(options: SetupRecoveryCommandOptions): Promise<number> {
  const { config } = loadConfig(options.config);
  const entry = matrixEntry(config.adapters as MatrixEntry[], options.network);
  if (!entry.password)
    throw new CliError(
      `setup-recovery logs in with the account's password (the homeserver asks for it before cross-signing keys are uploaded): give the Matrix adapter a password, e.g. password: \${MATRIX_PASSWORD}`,
    );
  const { RecoveryExistsError, setupRecovery } = await import("@switchboard/adapter-matrix");
  try {
    const result = await setupRecovery({
      homeserver: entry.homeserver!,
      userId: entry.userId!,
      password: entry.password,
      reset: options.reset ?? false,
    });
    process.stderr.write(
      `${result.replaced ? "replaced" : "created"} the cross-signing identity and secret storage of ${entry.userId}. The recovery key is printed below, once: keep it as a secret (MATRIX_RECOVERY_KEY) and set recoveryKey: \${MATRIX_RECOVERY_KEY} in the Matrix adapter.\n`,
    );
    process.stdout.write(`${result.recoveryKey}\n`);
    return 0;
  } catch (error) {
    if (error instanceof RecoveryExistsError) throw new CliError(error.message);
    throw error;
  }
}
