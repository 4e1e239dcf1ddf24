/**
 * Test helpers: one throwaway PostgreSQL 15 cluster per test file, a fresh database per test, cleanup after each.
 */
import { startPostgres, type TestPostgres } from "@switchboard/test-servers";
import { afterAll, afterEach, beforeAll } from "vitest";
import { openPostgres, type PostgresStorage } from "../src/index.js";
import type { OpenPostgresOptions } from "../src/open-postgres.js";

let cluster: TestPostgres | undefined;
let counter = 0;
const cleanups: Array<() => unknown> = [];

/** Starts the file's cluster (call at the top of a test file). */
export function usePostgres(settings: Record<string, string | number> = {}): () => TestPostgres {
  beforeAll(async () => {
    cluster = await startPostgres(settings);
  });
  afterEach(async () => {
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  });
  afterAll(async () => {
    await cluster?.stop();
  });
  return () => {
    if (!cluster) throw new Error("the PostgreSQL cluster is not running");
    return cluster;
  };
}

/** Runs `cleanup` after the test. */
export function onCleanup(cleanup: () => unknown): void {
  cleanups.push(cleanup);
}

/** The URL of a new, empty database in the file's cluster. */
export async function freshDatabase(): Promise<string> {
  if (!cluster) throw new Error("the PostgreSQL cluster is not running");
  return cluster.database(`t${process.pid}_${++counter}`);
}

/** Opens storage on `url` (default: a fresh database), closed after the test. */
export async function open(url?: string, options: Partial<OpenPostgresOptions> = {}): Promise<PostgresStorage> {
  const storage = await openPostgres({ url: url ?? (await freshDatabase()), ...options });
  onCleanup(() => storage.close());
  return storage;
}

export const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));
