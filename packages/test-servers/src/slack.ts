/**
 * A local Slack for tests (Slack itself can't run here), speaking the documented wire protocol so the real `@slack/web-api` and
 * `@slack/socket-mode` clients can be pointed at it: the Web API over HTTP (`POST /api/<method>`, form or JSON
 * bodies, `Authorization: Bearer`), the upload URLs of `files.getUploadURLExternal`, response URLs, and Socket
 * Mode over WebSocket (see {@link FakeSocketMode}). It records everything the bot does.
 * @module
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { FakeSocketMode } from "./slack-socket-mode.js";

/** A person in the fake workspace (or in another organisation, for shared channels). */
export interface FakeUser {
  id: string;
  team: string;
  name: string;
  displayName?: string;
}

/** A message the bot posted (with its edits). */
export interface PostedMessage {
  channel: string;
  ts: string;
  text: string;
  blocks: Array<Record<string, unknown>>;
  thread_ts?: string;
  /** Earlier versions, oldest first, when it was edited with `chat.update`. */
  history: Array<{ text: string; blocks: Array<Record<string, unknown>> }>;
}

/** A file shared by `files.completeUploadExternal`. */
export interface SharedFile {
  id: string;
  filename: string;
  title?: string;
  altText?: string;
  length: number;
  bytes: Buffer;
  channel: string;
  thread_ts?: string;
  /** The three steps seen, in order. */
  steps: string[];
}

/** One Web API request as received. */
export interface ApiCall {
  method: string;
  args: Record<string, unknown>;
  token: string | undefined;
  contentType: string;
  at: number;
  status: number;
}

/** How {@link FakeSlack.loseNextAnswer} loses an answer. */
export type LostAnswer = { drop: true } | { delayMs: number };

/** The fake workspace. */
export const slackTeam = { id: "T0HOME", domain: "home" };
/** The bot in the fake workspace (what `auth.test` answers). */
export const slackBot = { userId: "U0BOT", botId: "B0BOT", appId: "A0APP" };
const team = slackTeam;
const bot = slackBot;

/** The fake Slack server. */
export class FakeSlack {
  readonly calls: ApiCall[] = [];
  readonly messages: PostedMessage[] = [];
  readonly ephemerals: Array<{ channel: string; user: string; text: string; thread_ts?: string }> = [];
  readonly files: SharedFile[] = [];
  /** What people see appear in each channel, in order: message texts and shared files (as `[file: title]`). */
  readonly timeline: Array<{ channel: string; text: string }> = [];
  /** Posts to response URLs, by URL id (with the Authorization header, which a bot must never send there). */
  readonly responses: Array<{ id: string; body: Record<string, unknown>; authorization?: string }> = [];
  readonly users = new Map<string, FakeUser>();
  /** Channels the bot is not a member of (`chat.postMessage` answers `not_in_channel`). */
  readonly notInChannel = new Set<string>();
  readonly socket: FakeSocketMode;
  /** This many `apps.connections.open` calls fail (`internal_error`) before they work again. */
  failConnectionsOpen = 0;
  /** The bot user's display name (App Home → Display Name); {@link SlackPeople.renameBot} changes it. */
  botName = "switchboard";
  #server: Server;
  #seq = 0;
  #rateLimits = new Map<string, number>();
  #lostAnswers = new Map<string, LostAnswer>();
  #pendingUploads = new Map<string, SharedFile>();
  #waiters = new Set<() => void>();
  url = "";

  constructor(
    readonly tokens = { bot: "xoxb-test-bot", app: "xapp-test-app" },
    /** How long before an unacknowledged envelope is delivered again. */
    redeliverAfterMs = 400,
  ) {
    this.#server = createServer((req, res) => {
      this.#handle(req, res).catch((err: unknown) => {
        res.writeHead(500).end(String(err));
      });
    });
    this.socket = new FakeSocketMode(this.#server, redeliverAfterMs, () => this.#changed());
  }

  /** Starts on a free loopback port. */
  static async start(options: { redeliverAfterMs?: number } = {}): Promise<FakeSlack> {
    const fake = new FakeSlack(undefined, options.redeliverAfterMs);
    await new Promise<void>((resolve) => fake.#server.listen(0, "127.0.0.1", resolve));
    const { port } = fake.#server.address() as AddressInfo;
    fake.url = `http://127.0.0.1:${port}`;
    fake.socket.baseUrl = `ws://127.0.0.1:${port}`;
    return fake;
  }

  /** The Web API base URL (`apiUrl`). */
  get apiUrl(): string {
    return `${this.url}/api/`;
  }

  async close(): Promise<void> {
    this.socket.close();
    this.#server.closeAllConnections();
    await new Promise<void>((resolve) => this.#server.close(() => resolve()));
  }

  addUser(user: FakeUser): FakeUser {
    this.users.set(user.id, user);
    return user;
  }

  /** The bot user as `users.info` and `user_change` events show it: its user name stays, its display name changes. */
  botUser(): Record<string, unknown> {
    return {
      id: bot.userId,
      team_id: team.id,
      name: "switchboard",
      real_name: this.botName,
      is_bot: true,
      profile: { display_name: this.botName, real_name: this.botName, bot_id: bot.botId },
    };
  }

  /** The next call of `method` gets a 429 with `Retry-After: seconds`. */
  rateLimitNext(method: string, seconds: number): void {
    this.#rateLimits.set(method, seconds);
  }

  /**
   * The next call of `method` is carried out (a message is posted) but its answer is lost: `drop` closes the
   * connection without answering (a connection lost after the request arrived), `delayMs` answers that much later
   * (past the client's timeout). What a client sees as a failure although Slack did post.
   */
  loseNextAnswer(method: string, how: LostAnswer): void {
    this.#lostAnswers.set(method, how);
  }

  /** A new message timestamp (unique, near now). */
  nextTs(): string {
    this.#seq += 1;
    return `${Math.floor(Date.now() / 1000)}.${String(this.#seq).padStart(6, "0")}`;
  }

  /** Waits until `check` returns something truthy (re-checked whenever the fake records something). */
  async until<T>(what: string, check: () => T | undefined | false, timeoutMs = 10_000): Promise<T> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const value = check();
      if (value) return value;
      if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
      await new Promise<void>((resolve) => {
        const timer = setTimeout(done, 50);
        function done() {
          clearTimeout(timer);
          resolve();
        }
        this.#waiters.add(done);
      });
    }
  }

  /** Messages posted to `channel` (optionally in one thread). */
  messagesIn(channel: string, thread?: string): PostedMessage[] {
    return this.messages.filter((m) => m.channel === channel && (thread === undefined || m.thread_ts === thread));
  }

  /** Calls of one Web API method. */
  callsOf(method: string): ApiCall[] {
    return this.calls.filter((c) => c.method === method);
  }

  #changed(): void {
    const waiters = [...this.#waiters];
    this.#waiters.clear();
    for (const waiter of waiters) waiter();
  }

  async #handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const raw = Buffer.concat(chunks);
    const url = new URL(req.url ?? "/", this.url);
    const contentType = req.headers["content-type"] ?? "";
    if (url.pathname.startsWith("/upload/")) return this.#upload(url.pathname.slice(8), req, raw, res);
    if (url.pathname.startsWith("/respond/")) {
      this.responses.push({
        id: url.pathname.slice(9),
        body: JSON.parse(raw.toString("utf8")),
        ...(req.headers.authorization ? { authorization: req.headers.authorization } : {}),
      });
      this.#changed();
      res.writeHead(200, { "content-type": "text/plain" }).end("ok");
      return;
    }
    if (!url.pathname.startsWith("/api/") || req.method !== "POST") {
      res.writeHead(404).end();
      return;
    }
    const method = url.pathname.slice(5);
    const args = parseArgs(raw, contentType);
    const token = /^Bearer (.+)$/.exec(req.headers.authorization ?? "")?.[1];
    const call: ApiCall = { method, args, token, contentType, at: Date.now(), status: 200 };
    this.calls.push(call);
    const limited = this.#rateLimits.get(method);
    if (limited !== undefined) {
      this.#rateLimits.delete(method);
      call.status = 429;
      res.writeHead(429, { "retry-after": String(limited), "content-type": "application/json" });
      res.end(JSON.stringify({ ok: false, error: "ratelimited" }));
      this.#changed();
      return;
    }
    const expected = method === "apps.connections.open" ? this.tokens.app : this.tokens.bot;
    const answer = !token
      ? { ok: false, error: "not_authed" }
      : token !== expected
        ? { ok: false, error: "invalid_auth" }
        : this.#method(method, args);
    const lost = this.#lostAnswers.get(method);
    this.#lostAnswers.delete(method);
    const reply = () => {
      if (res.destroyed) return;
      res.writeHead(200, { "content-type": "application/json; charset=utf-8" }).end(JSON.stringify(answer));
    };
    if (lost && "drop" in lost) req.socket.destroy();
    else if (lost) setTimeout(reply, lost.delayMs).unref();
    else reply();
    this.#changed();
  }

  #method(method: string, args: Record<string, unknown>): Record<string, unknown> {
    const s = (key: string) => (typeof args[key] === "string" ? (args[key] as string) : undefined);
    switch (method) {
      case "auth.test":
        return {
          ok: true,
          url: `https://${team.domain}.slack.com/`,
          team: "Home",
          user: "switchboard",
          team_id: team.id,
          user_id: bot.userId,
          bot_id: bot.botId,
          is_enterprise_install: false,
        };
      case "apps.connections.open":
        if (this.failConnectionsOpen > 0) {
          this.failConnectionsOpen -= 1;
          return { ok: false, error: "internal_error" };
        }
        return { ok: true, url: this.socket.issueUrl() };
      case "chat.postMessage": {
        const channel = s("channel") ?? "";
        if (this.notInChannel.has(channel)) return { ok: false, error: "not_in_channel" };
        const message: PostedMessage = {
          channel,
          ts: this.nextTs(),
          text: s("text") ?? "",
          blocks: jsonArg(args.blocks),
          ...(s("thread_ts") ? { thread_ts: s("thread_ts")! } : {}),
          history: [],
        };
        this.messages.push(message);
        this.timeline.push({ channel, text: message.text });
        return { ok: true, channel, ts: message.ts, message: { text: message.text, ts: message.ts } };
      }
      case "chat.update": {
        const found = this.messages.find((m) => m.channel === s("channel") && m.ts === s("ts"));
        if (!found) return { ok: false, error: "message_not_found" };
        found.history.push({ text: found.text, blocks: found.blocks });
        found.text = s("text") ?? "";
        found.blocks = jsonArg(args.blocks);
        return { ok: true, channel: found.channel, ts: found.ts, text: found.text };
      }
      case "chat.postEphemeral": {
        this.ephemerals.push({
          channel: s("channel") ?? "",
          user: s("user") ?? "",
          text: s("text") ?? "",
          ...(s("thread_ts") ? { thread_ts: s("thread_ts")! } : {}),
        });
        return { ok: true, message_ts: this.nextTs() };
      }
      case "conversations.open": {
        const user = s("users");
        if (!user || !this.users.has(user)) return { ok: false, error: "user_not_found" };
        return { ok: true, channel: { id: `D${user}` } };
      }
      case "users.info": {
        if (s("user") === bot.userId) return { ok: true, user: this.botUser() };
        const user = this.users.get(s("user") ?? "");
        if (!user) return { ok: false, error: "user_not_found" };
        return {
          ok: true,
          user: {
            id: user.id,
            team_id: user.team,
            name: user.name,
            real_name: user.name,
            profile: { display_name: user.displayName ?? user.name, real_name: user.name },
          },
        };
      }
      case "files.getUploadURLExternal": {
        const id = `F${String(++this.#seq).padStart(6, "0")}`;
        const length = Number(s("length") ?? args.length);
        this.#pendingUploads.set(id, {
          id,
          filename: s("filename") ?? "",
          ...(s("alt_text") ? { altText: s("alt_text")! } : {}),
          length,
          bytes: Buffer.alloc(0),
          channel: "",
          steps: ["getUploadURLExternal"],
        });
        return { ok: true, upload_url: `${this.url}/upload/${id}`, file_id: id };
      }
      case "files.completeUploadExternal": {
        const files = jsonArg(args.files) as Array<{ id: string; title?: string }>;
        const shared = [];
        for (const entry of files) {
          const file = this.#pendingUploads.get(entry.id);
          if (!file?.steps.includes("upload")) return { ok: false, error: "file_not_found" };
          this.#pendingUploads.delete(entry.id);
          file.steps.push("completeUploadExternal");
          file.channel = s("channel_id") ?? "";
          if (s("thread_ts")) file.thread_ts = s("thread_ts")!;
          if (entry.title) file.title = entry.title;
          this.files.push(file);
          this.timeline.push({ channel: file.channel, text: `[file: ${file.title ?? file.filename}]` });
          shared.push({ id: file.id, title: file.title ?? file.filename });
        }
        return { ok: true, files: shared };
      }
      default:
        return { ok: false, error: "unknown_method" };
    }
  }

  /** The upload URL: the file's bytes, raw or as the one part of a multipart form. */
  async #upload(id: string, req: IncomingMessage, raw: Buffer, res: ServerResponse): Promise<void> {
    const file = this.#pendingUploads.get(id);
    if (!file) {
      res.writeHead(404).end();
      return;
    }
    let bytes = raw;
    const contentType = req.headers["content-type"] ?? "";
    if (contentType.startsWith("multipart/form-data")) {
      const form = await new Request("http://x/", {
        method: "POST",
        body: raw,
        headers: { "content-type": contentType },
      })
        .formData()
        .catch(() => undefined);
      const part = form ? [...form.values()].find((v) => typeof v !== "string") : undefined;
      bytes = part ? Buffer.from(await (part as Blob).arrayBuffer()) : Buffer.alloc(0);
    }
    file.bytes = bytes;
    file.steps.push("upload");
    res.writeHead(200, { "content-type": "text/plain" }).end(`OK - ${bytes.length}`);
    this.#changed();
  }
}

/** Web API arguments from a form or JSON body. */
function parseArgs(raw: Buffer, contentType: string): Record<string, unknown> {
  const text = raw.toString("utf8");
  if (contentType.startsWith("application/json")) return text ? (JSON.parse(text) as Record<string, unknown>) : {};
  return Object.fromEntries(new URLSearchParams(text));
}

/** A JSON-valued argument: sent as a JSON string in forms, as itself in JSON bodies. */
function jsonArg(value: unknown): Array<Record<string, unknown>> {
  if (typeof value === "string") return JSON.parse(value) as Array<Record<string, unknown>>;
  return Array.isArray(value) ? (value as Array<Record<string, unknown>>) : [];
}
