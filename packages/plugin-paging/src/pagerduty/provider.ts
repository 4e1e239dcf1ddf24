/**
 * The PagerDuty provider: schedules, on-call, overrides and incidents through the REST API v2 as the asker's
 * PagerDuty user (`From: <their e-mail>`), and `pager trigger` through the Events API v2.
 * @module
 */
import { UserError } from "@switchboard/core";
import type { PagerDutyConfig } from "../config.js";
import type { Links } from "../links.js";
import type {
  Acting,
  Asker,
  Incident,
  MaintenanceResult,
  Override,
  PagingProvider,
  ScheduleInfo,
  Shift,
  TriggerResult,
} from "../model.js";
import { normaliseName, ownValue } from "../names.js";
import { PagerDutyClient } from "./client.js";
import {
  hasValidId,
  incidentOf,
  overrideOf,
  type PdIncident,
  type PdOncall,
  type PdOverride,
  type PdSchedule,
  type PdUser,
  personOf,
  scheduleOf,
} from "./types.js";

const CACHE_MS = 5 * 60_000;
/** At most this many e-mail lookups are kept (`pager me as` takes any address a person types). */
const MAX_CACHED_USERS = 500;

/** How an unlinked person links themselves. */
export const LINK_HINT = "say `pager me as you@example.com` with the e-mail you log in to PagerDuty with";

export class PagerDutyProvider implements PagingProvider {
  readonly kind = "pagerduty";
  readonly client: PagerDutyClient;
  #schedules: { at: number; list: ScheduleInfo[] } | undefined;
  readonly #users = new Map<string, { at: number; user: PdUser | undefined }>();

  constructor(
    private readonly config: PagerDutyConfig,
    private readonly links: Links,
    private readonly defaultSchedule: string | undefined,
  ) {
    this.client = new PagerDutyClient({
      token: config.token,
      apiUrl: config.apiUrl,
      timeoutMs: config.timeout,
      maxRetries: config.maxRetries,
      maxRetryWaitMs: config.maxRetryWait,
    });
  }

  /** The PagerDuty user whose login e-mail is exactly `email` (case-insensitive), if any. */
  async userByEmail(email: string): Promise<PdUser | undefined> {
    const cached = this.#users.get(email);
    if (cached && Date.now() - cached.at < CACHE_MS) return cached.user;
    const users = await this.client.list<PdUser>("/users", "users", { query: email });
    const user = users.find((u) => u.email.toLowerCase() === email);
    this.#remember(email, user);
    return user;
  }

  /** How many e-mail lookups are cached (bounded by expiry and a size limit). */
  get cachedUsers(): number {
    return this.#users.size;
  }

  /** Caches a lookup: expired entries go first, then the oldest while the cache is full. */
  #remember(email: string, user: PdUser | undefined): void {
    const now = Date.now();
    this.#users.delete(email);
    for (const [key, entry] of this.#users) {
      if (now - entry.at < CACHE_MS && this.#users.size < MAX_CACHED_USERS) break;
      this.#users.delete(key);
    }
    this.#users.set(email, { at: now, user });
  }

  async acting(principal: string): Promise<Acting> {
    const link = await this.links.of(principal);
    if (!link) throw new UserError("you are not linked to a PagerDuty user", LINK_HINT);
    const user = await this.userByEmail(link.email);
    if (!user)
      throw new UserError(
        `no PagerDuty user has the e-mail ${link.email}`,
        link.source === "config" ? "ask an admin to fix plugins.paging.people" : LINK_HINT,
      );
    return { principal, person: { name: user.name, id: user.id, email: user.email, principal } };
  }

  async schedules(): Promise<ScheduleInfo[]> {
    if (this.#schedules && Date.now() - this.#schedules.at < CACHE_MS) return this.#schedules.list;
    const configured = Object.entries(this.config.schedules);
    const list =
      configured.length > 0
        ? await Promise.all(
            configured.map(async ([name, id]) =>
              scheduleOf(
                (await this.client.get<{ schedule: PdSchedule }>(`/schedules/${encodeURIComponent(id)}`)).schedule,
                name,
              ),
            ),
          )
        : (await this.client.list<PdSchedule>("/schedules", "schedules")).map((s) => scheduleOf(s));
    this.#schedules = { at: Date.now(), list };
    return list;
  }

  async schedule(typed: string | undefined): Promise<ScheduleInfo> {
    const all = await this.schedules();
    const wanted = typed ?? this.defaultSchedule;
    if (wanted === undefined) {
      if (all.length === 1) return all[0]!;
      throw new UserError("which schedule?", `one of: ${all.map((s) => s.name).join(", ") || "(none)"}`);
    }
    const lower = wanted.trim().toLowerCase();
    if (Object.keys(this.config.schedules).length > 0) {
      const id = ownValue(this.config.schedules, normaliseName(wanted, "schedule"));
      const found = id === undefined ? undefined : all.find((s) => s.id === id);
      if (found) return found;
    } else {
      const found = all.find((s) => s.name.toLowerCase() === lower || s.id === wanted.trim());
      if (found) return found;
    }
    throw new UserError(`no schedule "${wanted}"`, `one of: ${all.map((s) => s.name).join(", ") || "(none)"}`);
  }

  async onCall(schedule: ScheduleInfo, since: Date, until: Date): Promise<Shift[]> {
    const oncalls = await this.client.list<PdOncall>("/oncalls", "oncalls", {
      schedule_ids: [schedule.id],
      since: since.toISOString(),
      until: until.toISOString(),
    });
    const seen = new Set<string>();
    const shifts: Shift[] = [];
    for (const oncall of oncalls) {
      if (oncall.schedule && oncall.schedule.id !== schedule.id) continue;
      const key = `${oncall.user.id}|${oncall.start}|${oncall.end}`;
      if (seen.has(key)) continue;
      seen.add(key);
      const shift: Shift = { person: personOf(oncall.user), start: new Date(oncall.start ?? since) };
      if (oncall.end) shift.end = new Date(oncall.end);
      shifts.push(shift);
    }
    return shifts.sort((a, b) => a.start.getTime() - b.start.getTime());
  }

  async overrides(schedule: ScheduleInfo, since: Date, until: Date): Promise<Override[]> {
    const answer = await this.client.get<{ overrides: PdOverride[] }>(
      `/schedules/${encodeURIComponent(schedule.id)}/overrides`,
      {
        since: since.toISOString(),
        until: until.toISOString(),
      },
    );
    return (answer.overrides ?? []).map((o) => overrideOf(o, schedule));
  }

  async createOverride(acting: Acting, schedule: ScheduleInfo, start: Date, end: Date): Promise<Override> {
    const body = {
      overrides: [
        {
          start: start.toISOString(),
          end: end.toISOString(),
          user: { id: acting.person.id, type: "user_reference" },
          time_zone: schedule.timeZone,
        },
      ],
    };
    const answer = await this.client.write<
      Array<{ status: number; override?: PdOverride; errors?: string[] }> | { override: PdOverride }
    >("POST", `/schedules/${encodeURIComponent(schedule.id)}/overrides`, body, acting.person.email!);
    const created = Array.isArray(answer) ? answer[0] : { status: 201, override: answer.override };
    if (!created?.override)
      throw new UserError(
        `PagerDuty did not create the override: ${(created && "errors" in created ? created.errors : undefined)?.join("; ") ?? "no reason given"}`,
      );
    return overrideOf(created.override, schedule);
  }

  async openIncidents(): Promise<Incident[]> {
    const incidents = await this.client.list<PdIncident>("/incidents", "incidents", {
      statuses: ["triggered", "acknowledged"],
      sort_by: "created_at:desc",
    });
    // An incident whose id could not go into a URL path is not offered to anyone (a hostile or broken answer).
    return incidents
      .filter(hasValidId)
      .map(incidentOf)
      .sort((a, b) => b.createdAt.getTime() - a.createdAt.getTime());
  }

  async setStatus(acting: Acting, incidents: Incident[], status: "acknowledged" | "resolved"): Promise<Incident[]> {
    const changed: Incident[] = [];
    for (let i = 0; i < incidents.length; i += 250) {
      const batch = incidents
        .slice(i, i + 250)
        .map((incident) => ({ id: incident.id, type: "incident_reference", status }));
      const answer = await this.client.write<{ incidents: PdIncident[] }>(
        "PUT",
        "/incidents",
        { incidents: batch },
        acting.person.email!,
      );
      changed.push(...(answer.incidents ?? []).filter(hasValidId).map(incidentOf));
    }
    return changed;
  }

  async addNote(acting: Acting, incident: Incident, text: string): Promise<void> {
    await this.client.write(
      "POST",
      `/incidents/${encodeURIComponent(incident.id)}/notes`,
      { note: { content: text } },
      acting.person.email!,
    );
  }

  services(): string[] {
    return Object.keys(this.config.services);
  }

  async trigger(asker: Asker, service: string, summary: string): Promise<TriggerResult> {
    const config = ownValue(this.config.services, service);
    if (!config?.routingKey)
      throw new UserError(
        `no service "${service}" to trigger`,
        `one of: ${this.triggerable().join(", ") || "(none configured)"}`,
      );
    const by = asker.person?.email ?? asker.principal;
    const answer = await this.client.enqueue<{ status?: string; dedup_key?: string }>(this.config.eventsUrl, {
      routing_key: config.routingKey,
      event_action: "trigger",
      payload: {
        summary,
        source: "switchboard",
        severity: "critical",
        custom_details: { triggered_by: by, principal: asker.principal },
      },
    });
    return answer?.dedup_key ? { dedupKey: answer.dedup_key } : {};
  }

  /** Services with a routing key. */
  triggerable(): string[] {
    return Object.entries(this.config.services)
      .filter(([, s]) => s.routingKey)
      .map(([name]) => name);
  }

  async maintenance(acting: Acting, service: string, start: Date, end: Date): Promise<MaintenanceResult> {
    const id = ownValue(this.config.services, service)?.id;
    if (!id)
      throw new UserError(
        `no service "${service}" with a PagerDuty id`,
        `one of: ${
          Object.entries(this.config.services)
            .filter(([, s]) => s.id)
            .map(([n]) => n)
            .join(", ") || "(none configured)"
        }`,
      );
    const answer = await this.client.write<{
      maintenance_window: { id: string; start_time: string; end_time: string };
    }>(
      "POST",
      "/maintenance_windows",
      {
        maintenance_window: {
          type: "maintenance_window",
          start_time: start.toISOString(),
          end_time: end.toISOString(),
          description: `from chat by ${acting.person.name}`,
          services: [{ id, type: "service_reference" }],
        },
      },
      acting.person.email!,
    );
    const window = answer.maintenance_window;
    return { id: window.id, service, start: new Date(window.start_time), end: new Date(window.end_time) };
  }
}
