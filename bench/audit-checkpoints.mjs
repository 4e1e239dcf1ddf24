// Signed checkpoints of several instances on PostgreSQL: what `audit_checkpoints` costs. For a chain of --entries
// entries, `./switchboard audit verify` (the built CLI, a machine without a key, both instances' keys in
// audit.trustedKeys) is timed with 0 checkpoint rows (chain alone), one row per 100 entries and one per 10 entries,
// signed alternately by two keys; and one checkpoint INSERT is timed. Every case gets a new database, created
// through BENCH_DATABASE_URL (a superuser's URL; the bench creates databases named bench_ckpt_*):
//   BENCH_DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres node bench/audit-checkpoints.mjs \
//     [--entries 20000] [--runs 5]
// Prints a Markdown table (medians). Needs `npm run build`.
import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { checkpointSigner, generateCheckpointKey } from "@switchboard/core/audit";
import { openPostgres } from "@switchboard/store-postgres";
import pg from "pg";

const args = Object.fromEntries(
  process.argv.slice(2).flatMap((a, i, all) => (a.startsWith("--") ? [[a.slice(2), all[i + 1]]] : [])),
);
const entries = Number(args.entries ?? 20_000);
const runs = Number(args.runs ?? 5);
const admin = process.env.BENCH_DATABASE_URL;
if (!admin) throw new Error("set BENCH_DATABASE_URL to a superuser's URL (see the header)");
const cli = fileURLToPath(new URL("../apps/bot/dist/cli.js", import.meta.url));

const median = (values) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];
const keys = [generateCheckpointKey(), generateCheckpointKey()];
const signers = keys.map((k) => checkpointSigner(k.privateKeyPem));

/** A new database with `entries` entries and a checkpoint row every `every` entries (0: none). */
async function database(name, every) {
  const client = new pg.Client({ connectionString: admin });
  await client.connect();
  await client.query(`DROP DATABASE IF EXISTS ${name}`);
  await client.query(`CREATE DATABASE ${name}`);
  await client.end();
  const url = new URL(admin);
  url.pathname = `/${name}`;
  const storage = await openPostgres({ url: url.href });
  let written = 0;
  let rows = 0;
  const batch = every > 0 ? Math.min(every, 100) : 100;
  while (written < entries) {
    const appended = await storage.auditLog.append(
      Array.from({ length: batch }, (_, i) => ({
        event: "outcome",
        actor: "alice",
        command: "ping",
        jobId: `j${written + i}`,
        outcome: "succeeded",
      })),
    );
    written += appended.length;
    const last = appended.at(-1);
    if (every > 0 && written % every === 0) {
      await storage.checkpoints.write(signers[rows % 2].sign({ seq: last.seq, hash: last.hash }));
      rows++;
    }
  }
  return { url: url.href, storage, rows };
}

function verify(url, folder, config) {
  const started = process.hrtime.bigint();
  const result = spawnSync(process.execPath, [cli, "audit", "verify", "--config", config], {
    cwd: folder,
    env: { ...process.env, DATABASE_URL: url, XDG_CONFIG_HOME: join(folder, ".config"), NO_COLOR: "1" },
    encoding: "utf8",
  });
  const ms = Number(process.hrtime.bigint() - started) / 1e6;
  if (result.status !== 0) throw new Error(`audit verify failed:\n${result.stdout}${result.stderr}`);
  return ms;
}

const folder = mkdtempSync(join(tmpdir(), "switchboard-bench-ckpt-"));
const config = join(folder, "switchboard.yaml");
// Without trusted keys (and no key on this machine) verify checks the chain alone: the baseline.
const bare = join(folder, "bare.yaml");
// biome-ignore lint/suspicious/noTemplateCurlyInString: the configuration file's own ${VAR} interpolation
writeFileSync(bare, "store: { postgres: { url: '${DATABASE_URL}' } }\n");
const indent = (pem) =>
  pem
    .trim()
    .split("\n")
    .map((line) => `          ${line}`)
    .join("\n");
writeFileSync(
  config,
  [
    // biome-ignore lint/suspicious/noTemplateCurlyInString: the configuration file's own ${VAR} interpolation
    "store: { postgres: { url: '${DATABASE_URL}' } }",
    "audit:",
    "  trustedKeys:",
    ...keys.flatMap((k, i) => [`    - name: bot-${i}`, "      publicKey: |", indent(k.publicKeyPem)]),
    "",
  ].join("\n"),
);
const lines = ["| checkpoint rows | audit verify (ms, median of " + runs + ") |", "|---|---|"];
try {
  for (const every of [0, 100, 10]) {
    const { url, storage, rows } = await database(`bench_ckpt_${every}`, every);
    const file = every ? config : bare;
    verify(url, folder, file); // warm the file cache
    const times = Array.from({ length: runs }, () => verify(url, folder, file));
    lines.push(`| ${rows} (${every ? `every ${every} entries` : "none: chain alone"}) | ${median(times).toFixed(0)} |`);
    if (every === 100) {
      const [last] = await storage.auditLog.query({ limit: 1 });
      const inserts = [];
      for (let i = 0; i < 500; i++) {
        const checkpoint = signers[i % 2].sign({ seq: last.seq, hash: last.hash }, new Date(Date.now() + i));
        const started = process.hrtime.bigint();
        await storage.checkpoints.write(checkpoint);
        inserts.push(Number(process.hrtime.bigint() - started) / 1e6);
      }
      lines.push(`| one checkpoint INSERT (median of 500) | ${median(inserts).toFixed(2)} |`);
    }
    await storage.close();
  }
} finally {
  rmSync(folder, { recursive: true, force: true });
}
console.log(`${entries} entries\n\n${lines.join("\n")}`);
