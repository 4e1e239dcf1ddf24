/**
 * A local server that speaks the parts of PagerDuty's documented REST API v2 and Events API v2 the plugin uses:
 * `Authorization: Token token=…` and the v2 `Accept` header on every REST call, a `From` header naming a user on
 * writes, `limit`/`offset`/`more` pagination, PagerDuty's error bodies, read-only tokens (403), and 429 answers
 * with `Retry-After` on demand. Schedules have layers (later layers on top) and overrides, and `/oncalls` renders
 * them, so a layer boundary is computed as PagerDuty does.
 * @module
 */
import { randomBytes } from "node:crypto";
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";

export interface PagerDutyUser {
  id: string;
  name: string;
  email: string;
}

export interface PagerDutyLayer {
  start: string;
  end?: string;
  rotation_virtual_start: string;
  rotation_turn_length_seconds: number;
  users: string[];
}

export interface PagerDutySchedule {
  id: string;
  name: string;
  time_zone: string;
  layers: PagerDutyLayer[];
  overrides: Array<{ id: string; start: string; end: string; user: string }>;
}

export interface PagerDutyIncident {
  id: string;
  incident_number: number;
  title: string;
  status: "triggered" | "acknowledged" | "resolved";
  service: string;
  assignees: string[];
  created_at: string;
  notes: Array<{ content: string; user: string }>;
  log: Array<{ action: string; by: string }>;
  /** What the account answers as the incident's web link (default: its PagerDuty page). */
  html_url?: string;
}

export interface PagerDutyService {
  id: string;
  name: string;
  routingKey: string;
  schedule: string;
}

/** A request the server received (for assertions on headers and order). */
export interface PagerDutyRequest {
  method: string;
  path: string;
  query: URLSearchParams;
  headers: IncomingMessage["headers"];
  body: unknown;
}

interface Answer {
  status: number;
  body?: unknown;
  headers?: Record<string, string>;
}

const error = (status: number, message: string, code: number, errors?: string[]): Answer => ({
  status,
  body: { error: { message, code, ...(errors ? { errors } : {}) } },
});

/** The fake account and its HTTP server. */
export class FakePagerDuty {
  readonly users: PagerDutyUser[] = [];
  readonly schedules: PagerDutySchedule[] = [];
  readonly services: PagerDutyService[] = [];
  readonly incidents: PagerDutyIncident[] = [];
  readonly maintenanceWindows: Array<{
    id: string;
    services: string[];
    start_time: string;
    end_time: string;
    by: string;
  }> = [];
  readonly requests: PagerDutyRequest[] = [];
  /** token → read-only? */
  readonly tokens = new Map<string, { readOnly: boolean }>();
  /** Page size the server uses when asked for more (to force pagination with few items). */
  maxLimit = 100;
  /** The next N requests get 429 with this Retry-After (seconds). */
  rateLimit = { count: 0, retryAfter: "1" };
  #server: Server | undefined;
  #counter = 0;
  url = "";

  async start(): Promise<string> {
    this.#server = createServer((req, res) => void this.#handle(req, res));
    await new Promise<void>((resolve) => this.#server!.listen(0, "127.0.0.1", resolve));
    this.url = `http://127.0.0.1:${(this.#server.address() as AddressInfo).port}`;
    return this.url;
  }

  async stop(): Promise<void> {
    this.#server?.closeAllConnections();
    await new Promise<void>((resolve) => (this.#server ? this.#server.close(() => resolve()) : resolve()));
  }

  id(prefix = "P"): string {
    return `${prefix}${randomBytes(4).toString("hex").toUpperCase().slice(0, 6)}${++this.#counter}`;
  }

  user(id: string): PagerDutyUser | undefined {
    return this.users.find((u) => u.id === id);
  }

  /** Adds an incident as PagerDuty would have it. */
  addIncident(
    incident: Omit<PagerDutyIncident, "id" | "incident_number" | "notes" | "log" | "created_at"> & {
      created_at?: string;
    },
  ) {
    const created: PagerDutyIncident = {
      id: this.id("Q"),
      incident_number: this.incidents.length + 1,
      notes: [],
      log: [],
      created_at: incident.created_at ?? new Date().toISOString(),
      ...incident,
    };
    this.incidents.push(created);
    return created;
  }

  /** Who holds a schedule at `t`: an override, else the highest layer covering `t`. */
  holderAt(schedule: PagerDutySchedule, t: number): string | undefined {
    const override = schedule.overrides.filter((o) => Date.parse(o.start) <= t && t < Date.parse(o.end)).at(-1);
    if (override) return override.user;
    for (const layer of [...schedule.layers].reverse()) {
      if (t < Date.parse(layer.start) || (layer.end && t >= Date.parse(layer.end))) continue;
      const turn = Math.floor(
        (t - Date.parse(layer.rotation_virtual_start)) / (layer.rotation_turn_length_seconds * 1000),
      );
      const n = layer.users.length;
      return layer.users[((turn % n) + n) % n];
    }
    return undefined;
  }

  /** The rendered schedule between two times: [user, start, end] segments. */
  render(
    schedule: PagerDutySchedule,
    since: number,
    until: number,
  ): Array<{ user: string; start: number; end: number }> {
    const from = since - 30 * 86_400_000;
    const to = until + 30 * 86_400_000;
    const edges = new Set<number>([from, to]);
    for (const layer of schedule.layers) {
      edges.add(Date.parse(layer.start));
      if (layer.end) edges.add(Date.parse(layer.end));
      const length = layer.rotation_turn_length_seconds * 1000;
      const rvs = Date.parse(layer.rotation_virtual_start);
      for (let t = rvs + Math.floor((from - rvs) / length) * length; t <= to; t += length) edges.add(t);
    }
    for (const o of schedule.overrides) edges.add(Date.parse(o.start)).add(Date.parse(o.end));
    const points = [...edges].filter((t) => t >= from && t <= to).sort((a, b) => a - b);
    const segments: Array<{ user: string; start: number; end: number }> = [];
    for (let i = 0; i < points.length - 1; i++) {
      const user = this.holderAt(schedule, points[i]!);
      const last = segments.at(-1);
      if (last && last.user === user && last.end === points[i]) last.end = points[i + 1]!;
      else if (user) segments.push({ user, start: points[i]!, end: points[i + 1]! });
    }
    return segments.filter((s) => s.end > since && s.start < until);
  }

  async #handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const raw = Buffer.concat(chunks).toString("utf8");
    const url = new URL(req.url ?? "/", this.url);
    let body: unknown;
    try {
      body = raw ? JSON.parse(raw) : undefined;
    } catch {
      body = raw;
    }
    this.requests.push({
      method: req.method ?? "GET",
      path: url.pathname,
      query: url.searchParams,
      headers: req.headers,
      body,
    });
    let answer: Answer;
    if (this.rateLimit.count > 0) {
      this.rateLimit.count--;
      answer = { ...error(429, "Rate Limit Exceeded", 2020), headers: { "Retry-After": this.rateLimit.retryAfter } };
    } else if (url.pathname === "/v2/enqueue") answer = this.#enqueue(req, body);
    else answer = this.#rest(req, url, body);
    res.writeHead(answer.status, { "Content-Type": "application/json", ...answer.headers });
    res.end(answer.body === undefined ? "" : JSON.stringify(answer.body));
  }

  #rest(req: IncomingMessage, url: URL, body: unknown): Answer {
    const auth = /^Token token=(.+)$/.exec(req.headers.authorization ?? "");
    const token = auth ? this.tokens.get(auth[1]!) : undefined;
    if (!token) return error(401, "Unauthorized", 2006);
    if (req.headers.accept !== "application/vnd.pagerduty+json;version=2")
      return error(406, "Not Acceptable", 2001, ["use Accept: application/vnd.pagerduty+json;version=2"]);
    const method = req.method ?? "GET";
    let from: PagerDutyUser | undefined;
    if (method !== "GET") {
      if (token.readOnly) return error(403, "Access Denied", 2010, ["The access level of this token is read-only"]);
      const header = req.headers.from;
      if (!header)
        return error(400, "Invalid Input Provided", 2001, ["A valid user email is required in the From header"]);
      from = this.users.find((u) => u.email.toLowerCase() === String(header).toLowerCase());
      if (!from) return error(400, "Requester User Not Found", 2100);
    }
    const path = url.pathname;
    const q = url.searchParams;
    const scheduleId = /^\/schedules\/([^/]+)$/.exec(path)?.[1];
    const overridesOf = /^\/schedules\/([^/]+)\/overrides$/.exec(path)?.[1];
    const notesOf = /^\/incidents\/([^/]+)\/notes$/.exec(path)?.[1];
    if (method === "GET" && path === "/users") {
      const query = (q.get("query") ?? "").toLowerCase();
      // PagerDuty's query is a fuzzy match on name and e-mail.
      return this.#page(
        q,
        "users",
        this.users.filter((u) => u.name.toLowerCase().includes(query) || u.email.toLowerCase().includes(query)),
      );
    }
    if (method === "GET" && path === "/schedules")
      return this.#page(
        q,
        "schedules",
        this.schedules.map((s) => this.#schedule(s)),
      );
    if (method === "GET" && scheduleId) {
      const schedule = this.schedules.find((s) => s.id === scheduleId);
      return schedule ? { status: 200, body: { schedule: this.#schedule(schedule) } } : error(404, "Not Found", 2100);
    }
    if (overridesOf) {
      const schedule = this.schedules.find((s) => s.id === overridesOf);
      if (!schedule) return error(404, "Not Found", 2100);
      if (method === "GET") {
        const since = Date.parse(q.get("since") ?? "");
        const until = Date.parse(q.get("until") ?? "");
        if (Number.isNaN(since) || Number.isNaN(until))
          return error(400, "Invalid Input Provided", 2001, ["since and until are required"]);
        const overrides = schedule.overrides
          .filter((o) => Date.parse(o.end) > since && Date.parse(o.start) < until)
          .map((o) => ({ id: o.id, start: o.start, end: o.end, user: this.#ref(o.user) }));
        return { status: 200, body: { overrides } };
      }
      if (method === "POST") {
        const list = (body as { overrides?: Array<{ start: string; end: string; user: { id: string } }> })?.overrides;
        if (!Array.isArray(list)) return error(400, "Invalid Input Provided", 2001, ["overrides is required"]);
        return {
          status: 201,
          body: list.map((o) => {
            if (!this.user(o.user?.id)) return { status: 400, errors: ["User not found"] };
            const created = { id: this.id("R"), start: o.start, end: o.end, user: o.user.id };
            schedule.overrides.push(created);
            return { status: 201, override: { ...created, user: this.#ref(created.user) } };
          }),
        };
      }
    }
    if (method === "GET" && path === "/oncalls") {
      const ids = q.getAll("schedule_ids[]");
      const since = Date.parse(q.get("since") ?? new Date().toISOString());
      const until = Date.parse(q.get("until") ?? new Date(since + 1).toISOString());
      const oncalls = this.schedules
        .filter((s) => ids.length === 0 || ids.includes(s.id))
        .flatMap((s) =>
          this.render(s, since, until).map((segment) => ({
            user: this.#ref(segment.user),
            schedule: { id: s.id, type: "schedule_reference", summary: s.name },
            escalation_level: 1,
            start: new Date(segment.start).toISOString(),
            end: new Date(segment.end).toISOString(),
          })),
        );
      return this.#page(q, "oncalls", oncalls);
    }
    if (method === "GET" && path === "/incidents") {
      const statuses = q.getAll("statuses[]");
      const list = this.incidents
        .filter((i) => statuses.length === 0 || statuses.includes(i.status))
        .sort((a, b) => (q.get("sort_by") === "created_at:desc" ? b.created_at.localeCompare(a.created_at) : 0))
        .map((i) => this.#incident(i));
      return this.#page(q, "incidents", list);
    }
    if (method === "PUT" && path === "/incidents") {
      const list = (body as { incidents?: Array<{ id: string; type: string; status: string }> })?.incidents;
      if (!Array.isArray(list)) return error(400, "Invalid Input Provided", 2001, ["incidents is required"]);
      const updated = [];
      for (const item of list) {
        const incident = this.incidents.find((i) => i.id === item.id);
        if (!incident || item.type !== "incident_reference")
          return error(400, "Invalid Input Provided", 2001, [`no incident ${item.id}`]);
        if (item.status !== "acknowledged" && item.status !== "resolved")
          return error(400, "Invalid Input Provided", 2001, ["bad status"]);
        incident.status = item.status;
        incident.log.push({ action: item.status, by: from!.id });
        updated.push(this.#incident(incident));
      }
      return { status: 200, body: { incidents: updated } };
    }
    if (method === "POST" && notesOf) {
      const incident = this.incidents.find((i) => i.id === notesOf);
      if (!incident) return error(404, "Not Found", 2100);
      const content = (body as { note?: { content?: string } })?.note?.content;
      if (!content) return error(400, "Invalid Input Provided", 2001, ["note content is required"]);
      incident.notes.push({ content, user: from!.id });
      return { status: 201, body: { note: { id: this.id("N"), content, user: this.#ref(from!.id) } } };
    }
    if (method === "POST" && path === "/maintenance_windows") {
      const window = (
        body as { maintenance_window?: { start_time: string; end_time: string; services: Array<{ id: string }> } }
      )?.maintenance_window;
      if (!window?.services?.length) return error(400, "Invalid Input Provided", 2001, ["services are required"]);
      const created = {
        id: this.id("M"),
        services: window.services.map((s) => s.id),
        start_time: window.start_time,
        end_time: window.end_time,
        by: from!.id,
      };
      this.maintenanceWindows.push(created);
      return { status: 201, body: { maintenance_window: created } };
    }
    return error(404, "Not Found", 2100);
  }

  /** Events API v2: no auth header; the routing key picks the service. */
  #enqueue(req: IncomingMessage, body: unknown): Answer {
    if (req.method !== "POST") return { status: 405 };
    const event = body as {
      routing_key?: string;
      event_action?: string;
      payload?: { summary?: string; source?: string; severity?: string };
    };
    const service = this.services.find((s) => s.routingKey === event?.routing_key);
    const errors: string[] = [];
    if (!service) errors.push("Length of 'routing_key' is incorrect (should be 32 characters)");
    if (event?.event_action !== "trigger") errors.push("'event_action' is invalid");
    if (!event?.payload?.summary || !event.payload.source || !event.payload.severity)
      errors.push("'payload' is missing fields");
    if (errors.length)
      return { status: 400, body: { status: "invalid event", message: "Event object is invalid", errors } };
    const schedule = this.schedules.find((s) => s.id === service!.schedule);
    const holder = schedule ? this.holderAt(schedule, Date.now()) : undefined;
    const dedupKey = randomBytes(16).toString("hex");
    this.addIncident({
      title: event.payload!.summary!,
      status: "triggered",
      service: service!.id,
      assignees: holder ? [holder] : [],
    });
    return { status: 202, body: { status: "success", message: "Event processed", dedup_key: dedupKey } };
  }

  #page(q: URLSearchParams, key: string, items: unknown[]): Answer {
    const limit = Math.min(Number(q.get("limit") ?? 25), this.maxLimit);
    const offset = Number(q.get("offset") ?? 0);
    const page = items.slice(offset, offset + limit);
    return { status: 200, body: { [key]: page, limit, offset, more: offset + limit < items.length, total: null } };
  }

  #ref(userId: string) {
    return { id: userId, type: "user_reference", summary: this.user(userId)?.name ?? userId };
  }

  #schedule(s: PagerDutySchedule) {
    return {
      id: s.id,
      name: s.name,
      summary: s.name,
      time_zone: s.time_zone,
      html_url: `https://example.pagerduty.com/schedules/${s.id}`,
    };
  }

  #incident(i: PagerDutyIncident) {
    const service = this.services.find((s) => s.id === i.service);
    return {
      id: i.id,
      incident_number: i.incident_number,
      title: i.title,
      status: i.status,
      created_at: i.created_at,
      html_url: i.html_url ?? `https://example.pagerduty.com/incidents/${i.id}`,
      service: { id: i.service, type: "service_reference", summary: service?.name ?? i.service },
      assignments: i.status === "resolved" ? [] : i.assignees.map((a) => ({ assignee: this.#ref(a) })),
    };
  }
}
