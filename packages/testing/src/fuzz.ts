/**
 * The fuzzer's engine (issue 25 §8): a bot wired from a configuration with every plugin through the CLI's own wiring
 * (`parseConfig` → `loadPlugins` → `buildBot`, passed in as {@link FuzzDeps}), an in-memory chat network, and the
 * HTTP endpoint with GitHub, Alertmanager, generic hooks and the paging plugin's Alertmanager route. Seeded generators
 * make chat lines (well-formed lines of every plugin with a word swapped, command names with generated arguments,
 * random text: quotes, flags, prototype names, huge numbers, control and invisible characters, long words) and webhook
 * bodies (realistic payloads mutated field by field), correctly signed. Counted: crashes (uncaught exceptions,
 * unhandled rejections, requests without an answer), internal errors (every error the bot logs, every 5xx answer), and
 * the heap after a full GC at checkpoints. Used by bench/fuzz.mjs (100,000 + 100,000) and a CI slice in apps/bot.
 * @module
 */
import { createHmac, randomUUID } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type AuditLog, type Bot, renderText, type Store, silentLogger } from "@switchboard/core";
import { MemoryAdapter } from "./memory-adapter.js";

/** mulberry32: small, fast, seedable; floats in [0, 1). */
export function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** One generated webhook request. */
export interface FuzzRequest {
  path: string;
  headers: Record<string, string>;
  body: string;
}

/** Storage the bot keeps by design (audit entries, delivery ids) out of the heap: SQLite in the bench. */
export interface FuzzStorage {
  store: Store;
  auditLog: AuditLog;
  close?(): void;
}

/**
 * What the engine is given: the HTTP endpoint package, the app's wiring (the `switchboard` package), a plugin
 * importer and optionally storage. Typed by shape, so that sources (tests) and builds (the bench) both fit.
 */
export interface FuzzDeps {
  http: {
    httpConfigSchema: { parse(input: unknown): unknown };
    startHttpServer(options: never): Promise<{ url: string; close(): Promise<void> }>;
  };
  app: {
    parseConfig(text: string, source: string): { config: unknown };
    loadPlugins(loaded: never, importer: (name: string) => Promise<unknown>): Promise<unknown[]>;
    buildBot(config: never, options: never): Bot;
  };
  importPlugin(name: string): Promise<unknown>;
  storage?(dir: string): FuzzStorage;
}

/** How much to run. */
export interface FuzzOptions {
  seed?: number;
  chatCases?: number;
  webhookCases?: number;
  onProgress?(what: string): void;
}

/** What a run found. */
export interface FuzzResult {
  seed: number;
  chatCases: number;
  webhookCases: number;
  seconds: number;
  crashes: string[];
  internal: Array<{ msg?: string | undefined; errorId?: string | undefined; err: string; body?: string }>;
  warnings: Array<{ msg?: string | undefined; err: string }>;
  heap: Array<{ at: string; mb: number }>;
  statuses: Record<string, number>;
  replies: Record<string, number>;
  commands: number;
}

const GITHUB_SECRET = "fuzz-github-secret-0123456789";
const AM_TOKEN = "fuzz-alertmanager-token-0123456789";
const HOOK_SECRET = "fuzz-hook-secret-0123456789abc";
const ROTA_TOKEN = "fuzz-rota-token-0123456789abcdef";

/** The configuration: every plugin, people with every kind of role, no real server reachable (closed ports). */
export function fuzzConfig(dir: string): string {
  return `
bot: { name: switchboard, prefix: "!", rateLimit: { enabled: false } }
plugins:
  deploy:
    apps:
      web:
        git: ${dir}/no-repo
        provider: { type: command, command: ["true"] }
        environments: { staging: { hosts: [web1] }, production: { hosts: [web1, web2] } }
  puppet:
    runner: { type: local, hostsDir: ${dir}/hosts }
    environmentPath: ${dir}/environments
    inventory: { hosts: [fs1, fs2], groups: { fileservers: ["fs*"] } }
  metrics:
    backends:
      prom: { type: prometheus, url: "http://127.0.0.1:9", timeout: 2s }
      graphite: { type: graphite, url: "http://127.0.0.1:9", timeout: 2s }
    defaultBackend: prom
  paging:
    rooms: ["chat:#ops"]
    local:
      escalateAfter: 1h
      schedules: { ops: { rotation: daily, people: [rita, alice], start: "2026-01-05T09:00" } }
      services: { web: { schedule: ops } }
      alertmanager: { token: ${ROTA_TOKEN}, path: /hooks/paging/alertmanager, defaultService: web }
roles:
  reader: { permissions: ["deploy:read", "metrics:read", "paging:read", "puppet:noop"] }
  staff: { permissions: ["paging:read", "paging:ack", "paging:override", "paging:trigger", "paging:maintenance", "metrics:read", "metrics:save", "deploy:read", "deploy:lock"] }
  approver: { permissions: ["deploy:approve", "puppet:approve", "paging:admin"] }
  guest: { permissions: [] }
principals:
  rita: { roles: [reader], identities: { chat: rita } }
  alice: { roles: [staff, approver], identities: { chat: alice } }
guestRole: guest
`;
}

const PROTO = ["constructor", "__proto__", "prototype", "toString", "hasOwnProperty", "valueOf", "__defineGetter__"];
const NUMBERS = ["0", "-0", "1e308", "-1e308", "9".repeat(40), "NaN", "Infinity", "0x7fffffff", "1.5", "-1", "007"];
const DURATIONS = ["1h", "30m", "0s", "-5m", "99999999d", "1h30m", "7d", "1w", "60", "1e9h", "m"];
const WEIRD = [
  "\u0000",
  "\u0007",
  "\u001b[2J",
  "\u001b]0;x\u0007",
  "\r",
  "\n",
  "\t",
  "\u007f",
  "\u009b",
  "\u202Egnp.exe",
  "\u200B",
  "\uFEFF",
  "\u2066",
  "👩‍🔧",
  "e\u0301",
  "\uD800",
  "@room",
  "<!channel>",
  "$(id)",
  "`id`",
  "; rm -rf /",
  "../../etc/passwd",
  "%00",
  "*",
  "**",
];
const WORDS = [
  "all",
  "to",
  "for",
  "as",
  "me",
  "web",
  "api",
  "staging",
  "production",
  "main",
  "gh13",
  "fs1",
  "fileservers",
  "ops",
  "-1h",
  "load.fs1",
  "alice",
  "rita",
  "mallory",
  "#1",
  "42",
  "yes",
  "x@example.com",
  "web/main",
  "web/../../x",
  "prom:up",
  "graphite:a.b",
];

type Rand = () => number;

function pick<T>(rand: Rand, list: readonly T[]): T {
  return list[Math.floor(rand() * list.length)]!;
}

function randomText(rand: Rand, max: number): string {
  const n = Math.floor(rand() * max);
  let s = "";
  for (let i = 0; i < n; i++) {
    const r = rand();
    if (r < 0.7) s += String.fromCharCode(32 + Math.floor(rand() * 95));
    else if (r < 0.8) s += String.fromCharCode(Math.floor(rand() * 32));
    else if (r < 0.95) s += String.fromCharCode(0xa0 + Math.floor(rand() * 0x2f00));
    else s += String.fromCodePoint(0x1f300 + Math.floor(rand() * 0x300));
  }
  return s;
}

function token(rand: Rand): string {
  const r = rand();
  if (r < 0.3) return pick(rand, WORDS);
  if (r < 0.4) return pick(rand, PROTO);
  if (r < 0.5) return pick(rand, NUMBERS);
  if (r < 0.58) return pick(rand, DURATIONS);
  if (r < 0.66) return pick(rand, WEIRD);
  if (r < 0.74)
    return `--${pick(rand, [...WORDS, ...PROTO, "everyone", "force", "yes", ""])}${rand() < 0.3 ? `=${pick(rand, NUMBERS)}` : ""}`;
  if (r < 0.78) return `-${pick(rand, ["f", "abc", "n", "1", ""])}`;
  if (r < 0.84) return `"${randomText(rand, 12)}${rand() < 0.7 ? '"' : ""}`;
  if (r < 0.88) return `'${randomText(rand, 12)}${rand() < 0.7 ? "'" : ""}`;
  if (r < 0.9) return "x".repeat(1 + Math.floor(rand() * 5000));
  return randomText(rand, 20);
}

/** Well-formed lines of every plugin, so that handlers run (one word may be swapped for a generated token). */
const FORMS = [
  "deploy web to staging",
  "deploy web/main to production",
  "deploys web",
  "where can i deploy web",
  "deploy lock web staging for 1h",
  "deploy unlock web staging",
  "ci status web/main",
  "puppet noop main fs1",
  "puppet hosts",
  "puppet status fs1",
  "graph -1h load.fs1",
  "graph list",
  "metrics",
  "oncall",
  "am i on call",
  "pager me 1h",
  "pager me as rita@example.com",
  "pager trigger web site down",
  "pager incidents",
  "pager ack",
  "pager ack 1",
  "pager resolve all --everyone",
  "pager note 1 looking",
  "pager maintenance web 30m",
  "pager overrides",
  "jobs",
  "locks",
  "role list",
  "why deploy web to production",
  "audit",
  "help deploy",
  "whoami",
  "ping",
];

/** One chat line: a well-formed command, a command name the bot has (or a typo of one) with generated arguments,
 * or random text. */
export function chatLine(rand: Rand, names: readonly string[]): string {
  const r = rand();
  if (r < 0.1) return randomText(rand, 200);
  if (r < 0.35) {
    const words = pick(rand, FORMS).split(" ");
    if (rand() < 0.5) words[1 + Math.floor(rand() * (words.length - 1))] = token(rand);
    return `!${words.join(" ")}`;
  }
  let name = pick(rand, names);
  if (r < 0.45) name = name.slice(0, -1) + String.fromCharCode(97 + Math.floor(rand() * 26));
  const args = [];
  const count = Math.floor(rand() * 6);
  for (let i = 0; i < count; i++) args.push(token(rand));
  const prefix = rand() < 0.9 ? "!" : rand() < 0.5 ? "switchboard: " : "";
  return `${prefix}${name}${args.length ? ` ${args.join(" ")}` : ""}`;
}

function mutate(rand: Rand, value: unknown, depth = 0): unknown {
  const r = rand();
  if (r < 0.04) return null;
  if (r < 0.07) return pick(rand, [0, -1, 1e308, Number.MAX_SAFE_INTEGER + 2, true, false, [], {}]);
  if (r < 0.1) return randomText(rand, 60);
  if (r < 0.12) return pick(rand, WEIRD) + pick(rand, PROTO);
  if (r < 0.13) return "y".repeat(Math.floor(rand() * 20_000));
  if (Array.isArray(value)) return value.map((v) => mutate(rand, v, depth + 1));
  if (value && typeof value === "object") {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) if (rand() > 0.03) out[k] = mutate(rand, v, depth + 1);
    if (rand() < 0.05) out[pick(rand, PROTO)] = mutate(rand, { x: 1 }, depth + 1);
    return out;
  }
  return value;
}

const SHA = "4f1c2d3e4f5a6b7c8d9e0f1a2b3c4d5e6f7a8b9c";
const repo = {
  full_name: "acme/web",
  name: "web",
  default_branch: "main",
  owner: { login: "acme" },
  html_url: "https://github.com/acme/web",
};
const githubTemplates: Record<string, () => Record<string, unknown>> = {
  push: () => ({
    ref: "refs/heads/main",
    before: SHA,
    after: SHA,
    repository: repo,
    pusher: { name: "carol" },
    sender: { login: "carol" },
    commits: [{ id: SHA, message: "Fix it\n\nbody", url: "https://github.com/acme/web/commit/x" }],
    head_commit: { id: SHA, message: "Fix it", url: "https://github.com/acme/web/commit/x" },
    compare: "https://github.com/acme/web/compare/a...b",
  }),
  pull_request: () => ({
    action: "closed",
    number: 12,
    pull_request: {
      number: 12,
      merged: true,
      title: "Add dark mode",
      html_url: "https://github.com/acme/web/pull/12",
      base: { ref: "main" },
      merged_by: { login: "carol" },
      user: { login: "bob" },
    },
    repository: repo,
  }),
  check_suite: () => ({
    action: "completed",
    check_suite: {
      id: 5001,
      head_branch: "main",
      head_sha: SHA,
      status: "completed",
      conclusion: "failure",
      app: { slug: "github-actions", name: "GitHub Actions" },
      head_commit: { message: "Fix" },
    },
    repository: repo,
  }),
  status: () => ({
    sha: SHA,
    state: "error",
    context: "ci/jenkins",
    target_url: "https://ci.example.com/job/7",
    branches: [{ name: "main" }],
    commit: { commit: { message: "Fix" } },
    repository: repo,
  }),
  deployment_status: () => ({
    action: "created",
    deployment_status: {
      state: "success",
      log_url: "https://ci.example.com/log",
      environment: "production",
      creator: { login: "bob" },
    },
    deployment: {
      id: 801,
      ref: "main",
      sha: SHA,
      environment: "production",
      payload: { job: "k3j9x" },
      creator: { login: "bob" },
    },
    repository: repo,
  }),
  ping: () => ({ zen: "Keep it logically awesome.", hook_id: 1 }),
};
const alertTemplate = (n: number) => ({
  receiver: "bot",
  status: n % 3 ? "firing" : "resolved",
  alerts: [
    {
      status: "firing",
      labels: { alertname: `A${n % 50}`, service: "web", severity: "page" },
      annotations: { summary: "disk full", runbook_url: "https://runbooks.example.com/disk" },
      startsAt: "2026-12-01T10:00:00Z",
      endsAt: "0001-01-01T00:00:00Z",
      fingerprint: "f1",
    },
  ],
  groupLabels: { alertname: `A${n % 50}` },
  commonLabels: { alertname: `A${n % 50}`, service: "web", severity: "page" },
  commonAnnotations: { summary: "disk full" },
  externalURL: "http://alertmanager:9093",
  version: "4",
  groupKey: `{}:{alertname="A${n % 50}"}`,
  truncatedAlerts: 0,
});

/** One signed webhook request: path, headers and body. */
export function webhookRequest(rand: Rand, n: number): FuzzRequest {
  const r = rand();
  if (r < 0.45) {
    const event =
      rand() < 0.95 ? pick(rand, Object.keys(githubTemplates)) : pick(rand, ["issues", "constructor", "release"]);
    const template = githubTemplates[event] ?? githubTemplates.ping!;
    const payload = mutate(rand, template());
    const body = JSON.stringify(payload && typeof payload === "object" ? { ...payload, fuzz: n } : payload);
    const signature = `sha256=${createHmac("sha256", GITHUB_SECRET).update(body).digest("hex")}`;
    return {
      path: "/hooks/github",
      headers: { "x-github-event": event, "x-github-delivery": randomUUID(), "x-hub-signature-256": signature },
      body,
    };
  }
  if (r < 0.7) {
    const body = JSON.stringify(mutate(rand, alertTemplate(n)));
    const path = rand() < 0.5 ? "/hooks/alertmanager" : "/hooks/paging/alertmanager";
    return {
      path,
      headers: { authorization: `Bearer ${path === "/hooks/alertmanager" ? AM_TOKEN : ROTA_TOKEN}` },
      body,
    };
  }
  const stamped = rand() < 0.5;
  const payload = mutate(rand, {
    id: `d-${n}`,
    host: "db1",
    result: "succeeded",
    stats: { seconds: 42 },
    report: "https://backups.example.com/r/1",
  });
  const body = JSON.stringify(payload);
  const stamp = String(Math.floor(Date.now() / 1000));
  const signed = stamped ? `${stamp}.${body}` : body;
  const signature = `sha256=${createHmac("sha256", HOOK_SECRET).update(signed).digest("hex")}`;
  return {
    path: stamped ? "/hooks/stamped" : "/hooks/ided",
    headers: { "x-signature-256": signature, ...(stamped ? { "x-timestamp": stamp } : {}) },
    body,
  };
}

function heapMb(): number {
  const gc = (globalThis as { gc?: () => void }).gc;
  gc?.();
  gc?.();
  return Math.round((process.memoryUsage().heapUsed / 1024 / 1024) * 10) / 10;
}

/**
 * Runs `chatCases` chat lines and `webhookCases` webhook requests. `deps`: `{ core, testing, http, app, importPlugin }`
 * (core: @switchboard/core; testing: @switchboard/testing; http: @switchboard/http; app: the switchboard package;
 * importPlugin(name) imports @switchboard/plugin-<name>).
 */
export async function runFuzz(deps: FuzzDeps, options: FuzzOptions = {}): Promise<FuzzResult> {
  const { seed = 1, chatCases = 2000, webhookCases = 2000, onProgress } = options;
  const { http, app, importPlugin } = deps;
  const dir = mkdtempSync(join(tmpdir(), "sb-fuzz-"));
  const crashes: string[] = [];
  const onCrash = (error: unknown) => crashes.push(String((error as Error)?.stack ?? error).slice(0, 500));
  process.on("uncaughtException", onCrash);
  process.on("unhandledRejection", onCrash);
  const internal: FuzzResult["internal"] = [];
  const logger = silentLogger();
  // Every error the bot logs counts: core's "internal error" (with its E-… id), a webhook that could not be handled.
  const record = (obj: object, msg?: string) => {
    const o = obj as { errorId?: string; err?: { stack?: string } };
    internal.push({ msg, errorId: o?.errorId, err: String(o?.err?.stack ?? o?.err ?? "").slice(0, 600) });
  };
  logger.error = record;
  const warnings: FuzzResult["warnings"] = [];
  logger.warn = (obj: object, msg?: string) => {
    const o = obj as { err?: { stack?: string } };
    if (o?.err && warnings.length < 50) warnings.push({ msg, err: String(o.err?.stack ?? o.err).slice(0, 600) });
  };
  logger.child = () => logger;
  const chat = new MemoryAdapter("chat", { edits: true });
  const loaded = app.parseConfig(fuzzConfig(dir), "fuzz.yaml");
  const plugins = await app.loadPlugins(loaded as never, importPlugin);
  // With `deps.storage(dir)` ({ store, auditLog, close }: SQLite in the bench), what the bot keeps by design (every
  // audit entry, delivery ids for a day) is on disk, so the heap shows what is held in memory.
  const storage = deps.storage?.(dir);
  const bot = app.buildBot(
    loaded.config as never,
    {
      adapters: [chat],
      plugins,
      logger,
      ...(storage ? { store: storage.store, auditLog: storage.auditLog } : {}),
    } as never,
  );
  await bot.start();
  const httpConfig = http.httpConfigSchema.parse({
    listen: "127.0.0.1:0",
    rateLimit: { max: 1_000_000, window: "1m" },
    github: { secret: GITHUB_SECRET, repos: { "acme/*": ["chat:#dev"], "*": ["chat:#all"] } },
    alertmanager: {
      token: AM_TOKEN,
      routes: [{ matchers: ['severity="page"'], rooms: ["chat:#ops"] }, { rooms: ["chat:#all"] }],
    },
    hooks: {
      stamped: {
        secret: HOOK_SECRET,
        rooms: ["chat:#ops"],
        template: "backup of {{host}} {{result}} ({{stats.seconds}}s)",
        link: "{{report}}",
        timestampHeader: "X-Timestamp",
      },
      ided: {
        secret: HOOK_SECRET,
        rooms: ["chat:#ops"],
        template: "{{host}}: {{result}} {{constructor}}",
        deliveryField: "id",
        status: "info",
      },
    },
  });
  const server = await http.startHttpServer({ bot, config: httpConfig, logger } as never);
  const names = bot.commands().map((command) => command.name);
  const rand = prng(seed);
  const speakers = [
    { id: "mallory", name: "mallory", verified: false },
    { id: "zed", name: "zed", verified: true },
    { id: "rita", name: "rita", verified: true },
    { id: "alice", name: "alice", verified: true },
  ];
  const heap: FuzzResult["heap"] = [];
  const statuses = new Map<string, number>();
  const replies = new Map<string, number>();
  const kind = (text: string) =>
    /^✖ denied/.test(text)
      ? "denied"
      : /unknown command|needs a subcommand/.test(text)
        ? "unknown"
        : /^✖ (usage|.*\nusage:)|usage: /.test(text)
          ? "usage"
          : /^✖/.test(text)
            ? "refused or failed"
            : /approval/.test(text)
              ? "approval"
              : "answered";
  chat.onSend((sent) => {
    const text = renderText(sent.message.blocks);
    const k = sent.message.kind === "reply" || sent.message.kind === "notice" ? kind(text) : sent.message.kind;
    replies.set(k, (replies.get(k) ?? 0) + 1);
  });
  const started = process.hrtime.bigint();
  try {
    heap.push({ at: "chat 0", mb: heapMb() });
    for (let i = 0; i < chatCases; i++) {
      const sender = pick(rand, speakers);
      const text = chatLine(rand, names);
      const room = rand() < 0.1 ? { id: `@${sender.id}`, direct: true } : { id: "#ops", direct: false };
      await chat.inject({ id: `m${i}`, network: "chat", room, sender, text, time: new Date() });
      if (i % 500 === 499) {
        chat.sent.length = 0;
        await new Promise((resolve) => setImmediate(resolve));
      }
      if ((i + 1) % Math.max(1, Math.floor(chatCases / 4)) === 0) {
        heap.push({ at: `chat ${i + 1}`, mb: heapMb() });
        onProgress?.(`chat ${i + 1}/${chatCases}`);
      }
    }
    // jobs started by chat lines finish (or time out) before the webhooks
    for (let waited = 0; bot.jobs.list().length > 0 && waited < 600; waited++)
      await new Promise((r) => setTimeout(r, 100));
    chat.sent.length = 0;
    heap.push({ at: "webhooks 0", mb: heapMb() });
    for (let i = 0; i < webhookCases; i++) {
      const request = webhookRequest(rand, i);
      let status: number | string;
      try {
        const response = await fetch(`${server.url}${request.path}`, {
          method: "POST",
          headers: { "content-type": "application/json", ...request.headers },
          body: request.body,
        });
        await response.arrayBuffer();
        status = response.status;
      } catch (error) {
        crashes.push(`request ${i} to ${request.path}: ${String(error)}`);
        status = "no answer";
      }
      const key = `${request.path} ${status}`;
      statuses.set(key, (statuses.get(key) ?? 0) + 1);
      if (typeof status === "number" && status >= 500)
        internal.push({ err: `${request.path} answered ${status}`, body: request.body.slice(0, 300) });
      if (i % 500 === 499) chat.sent.length = 0;
      if ((i + 1) % Math.max(1, Math.floor(webhookCases / 4)) === 0) {
        heap.push({ at: `webhooks ${i + 1}`, mb: heapMb() });
        onProgress?.(`webhooks ${i + 1}/${webhookCases}`);
      }
    }
  } finally {
    await server.close();
    await bot.stop();
    storage?.close?.();
    process.off("uncaughtException", onCrash);
    process.off("unhandledRejection", onCrash);
    rmSync(dir, { recursive: true, force: true });
  }
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  return {
    seed,
    chatCases,
    webhookCases,
    seconds,
    crashes,
    internal,
    warnings,
    heap,
    statuses: Object.fromEntries(statuses),
    replies: Object.fromEntries(replies),
    commands: names.length,
  };
}
