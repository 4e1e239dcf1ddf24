import { CliError } from "../cli-error.js";
import { loadConfig } from "../config/load.js";
import { describeUrl } from "../postgres-storage.js";

/** Options of `switchboard migrate`. */
export interface MigrateOptions {
  config?: string;
}

/**
 * `switchboard migrate`: brings the schema of `store.postgres` up to date, in one transaction under an advisory
 * lock (several instances running it at once: one migrates, the others find nothing to do). `start` does the same;
 * this runs it ahead of a rollout. With SQLite there is nothing to do (the file migrates itself when opened).
 */
export async function migrateCommand(options: MigrateOptions): Promise<number> {
  const { config } = loadConfig(options.config);
  const postgres = config.store.postgres;
  if (!postgres)
    throw new CliError(
      "store.postgres is not configured: SQLite (store.path) brings its schema up to date when it is opened",
    );
  const { migratePostgres } = await import("@switchboard/store-postgres");
  const result = await migratePostgres({ url: postgres.url });
  const where = describeUrl(postgres.url);
  process.stdout.write(
    result.applied.length > 0
      ? `migrated ${where} from schema version ${result.from} to ${result.to}\n`
      : `${where} is up to date (schema version ${result.to})\n`,
  );
  return 0;
}
