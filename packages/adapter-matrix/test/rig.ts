/**
 * The test rig: a core bot with the Matrix adapter (and test commands) against the test homeserver.
 * @module
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import {
  type Adapter,
  type Bot,
  createBot,
  defineCommand,
  type Logger,
  MemoryAuditLog,
  out,
  type PolicyConfigInput,
  silentLogger,
} from "@switchboard/core";
import { type Homeserver, makePng } from "@switchboard/test-servers";
import { MatrixAdapter } from "../src/index.js";
import type { MatrixAdapterOptions } from "../src/matrix-adapter.js";

export { makePng };

/** The picture the `pic` command posts. */
export const testPng = makePng(3, 2);

/** How often each test command ran (to prove nothing runs twice). */
export const runs = new Map<string, number>();
const count = (name: string) => runs.set(name, (runs.get(name) ?? 0) + 1);

/** Commands used by the tests. */
export function testCommands() {
  return [
    defineCommand({
      name: "count",
      summary: "counts its runs",
      guests: true,
      handler: () => {
        count("count");
        return `counted ${runs.get("count")}`;
      },
    }),
    defineCommand({
      name: "pic",
      summary: "posts a picture",
      guests: true,
      handler: () => [out.text("here is the graph"), out.image(testPng, "load graph", { fallback: "▁▃▅" })],
    }),
    defineCommand({
      name: "blocks",
      summary: "rich output",
      guests: true,
      handler: () => [
        out.text("a <b>tag</b> & text"),
        out.code("line one\nline two", "sh"),
        out.table(["host", "state"], [["fs1", "ok"]]),
        out.facts({ env: "production" }),
        out.status("fail", "it broke"),
        out.link("https://example.invalid/x", "details"),
      ],
    }),
    defineCommand({
      name: "work",
      summary: "streams progress",
      guests: true,
      handler: async ({ progress }) => {
        for (let i = 1; i <= 4; i++) {
          progress(`step ${i} of 4`);
          await new Promise((r) => setTimeout(r, 150));
        }
        return "work done";
      },
    }),
    defineCommand({
      name: "deploy",
      summary: "needs approval",
      guests: true,
      sideEffect: true,
      handler: () => {
        count("deploy");
        return "deployed";
      },
    }),
  ];
}

/** alice owns everything, bob approves, carol is a guest. */
export function testPolicy(ids: Record<string, string>, network = "matrix"): PolicyConfigInput {
  return {
    roles: { owner: { permissions: ["*"] }, approver: { permissions: ["deploy:approve"] } },
    principals: {
      alice: { roles: ["owner"], identities: { [network]: ids.alice ?? "" } },
      bob: { roles: ["approver"], identities: { [network]: ids.bob ?? "" } },
    },
    rules: [{ name: "deploy-needs-approval", command: "deploy", approval: { count: 1, permission: "deploy:approve" } }],
  };
}

/** A silent logger that records the messages of warn, info and debug calls. */
export function recordingLogger(): { logger: Logger; messages: string[] } {
  const logger = silentLogger();
  const messages: string[] = [];
  for (const level of ["warn", "info", "debug"] as const) {
    logger[level] = ((obj: unknown, msg?: string) => {
      messages.push(typeof obj === "string" ? obj : (msg ?? ""));
    }) as Logger["warn"];
  }
  logger.child = (() => logger) as unknown as Logger["child"];
  return { logger, messages };
}

/** A running bot on the test homeserver. */
export interface RunningBot {
  /** Extra adapters to start with (on a restart too). */
  extra?: { adapters?: Adapter[] };
  bot: Bot;
  adapter: MatrixAdapter;
  auditLog: MemoryAuditLog;
  options: MatrixAdapterOptions;
}

const dataDirs: string[] = [];

/** A fresh data folder for a bot (removed when the test process exits). */
export function dataDir(): string {
  const dir = mkdtempSync(join(tmpdir(), "sb-matrix-"));
  if (dataDirs.push(dir) === 1) {
    process.once("exit", () => {
      for (const d of dataDirs) rmSync(d, { recursive: true, force: true });
    });
  }
  return dir;
}

/** Starts a bot with the Matrix adapter (and any other adapters). */
export async function startBot(
  hs: Homeserver,
  options: Partial<MatrixAdapterOptions> & { userId: string },
  policy: PolicyConfigInput,
  extra: { adapters?: Adapter[]; logger?: Logger; auditLog?: MemoryAuditLog } = {},
): Promise<RunningBot> {
  const full: MatrixAdapterOptions = { homeserver: hs.url, password: "bot-password", dataDir: dataDir(), ...options };
  const adapter = new MatrixAdapter(full);
  const auditLog = extra.auditLog ?? new MemoryAuditLog();
  const bot = createBot({
    logger: extra.logger ?? silentLogger(),
    adapters: [adapter, ...(extra.adapters ?? [])],
    commands: testCommands(),
    policy,
    auditLog,
    progressIntervalMs: 50,
  });
  await bot.start();
  return { bot, adapter, auditLog, options: full, ...(extra.adapters ? { extra: { adapters: extra.adapters } } : {}) };
}

/** Starts the same bot again on the same data folder (a restart). */
export async function restartBot(
  hs: Homeserver,
  previous: RunningBot,
  policy: PolicyConfigInput,
  logger?: Logger,
): Promise<RunningBot> {
  await previous.bot.stop();
  return startBot(hs, previous.options as MatrixAdapterOptions & { userId: string }, policy, {
    ...previous.extra,
    auditLog: previous.auditLog,
    ...(logger ? { logger } : {}),
  });
}
