/**
 * The local rota: rotations from the configuration, overrides, incidents and maintenance windows in the store,
 * and escalation to the next person when nobody acknowledges in time. For teams without PagerDuty.
 * @module
 */
import { type Logger, type Store, silentLogger, UserError } from "@switchboard/core";
import type { LocalConfig, LocalScheduleConfig } from "../config.js";
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
import { escalation, pruneRecords } from "./escalation.js";
import {
  INCIDENTS,
  type IncidentRecord,
  incidentKey,
  incidentOfRecord,
  MAINTENANCE,
  type MaintenanceRecord,
  nextNumber,
  OVERRIDES,
  type OverrideRecord,
  overrideOfRecord,
} from "./records.js";
import { type Rotation, turnAt, turnsBetween } from "./rotation.js";

/** What happened to a local incident, for messages and direct pages. */
export interface RotaEvent {
  kind: "triggered" | "acknowledged" | "resolved" | "escalated" | "exhausted" | "note";
  /** Principal who did it (absent for escalations). */
  by?: string;
  /** The note's text. */
  text?: string;
  /** Who was paged before an escalation. */
  previous?: string;
}

/** Receives every change of a local incident (the plugin posts it and pages people). */
export type RotaListener = (incident: IncidentRecord, event: RotaEvent) => Promise<void>;

export class LocalRota implements PagingProvider {
  readonly kind = "local";
  /** Serialises read-modify-write of incidents in this process (chat commands and the escalation timer). */
  #queue: Promise<unknown> = Promise.resolve();

  constructor(
    private readonly config: LocalConfig,
    private readonly store: Store,
    private readonly defaultSchedule: string | undefined,
    private readonly listener: RotaListener,
    private readonly logger: Logger = silentLogger(),
  ) {}

  #exclusive<T>(work: () => Promise<T>): Promise<T> {
    const run = this.#queue.then(work, work);
    this.#queue = run.catch(() => undefined);
    return run;
  }

  async acting(principal: string): Promise<Acting> {
    return { principal, person: { name: principal, principal } };
  }

  #rotation(name: string): Rotation {
    const schedule = ownValue(this.config.schedules, name) as LocalScheduleConfig | undefined;
    if (!schedule) throw new UserError(`the schedule "${name}" is no longer configured`);
    return { ...schedule, timeZone: schedule.timeZone ?? this.config.timeZone };
  }

  #info(name: string): ScheduleInfo {
    return { id: name, name, timeZone: this.#rotation(name).timeZone };
  }

  async schedules(): Promise<ScheduleInfo[]> {
    return Object.keys(this.config.schedules).map((name) => this.#info(name));
  }

  async schedule(typed: string | undefined): Promise<ScheduleInfo> {
    const names = Object.keys(this.config.schedules);
    const wanted = typed ?? this.defaultSchedule ?? (names.length === 1 ? names[0] : undefined);
    const choices = `one of: ${names.join(", ") || "(none: add local.schedules to the configuration)"}`;
    if (wanted === undefined) throw new UserError("which schedule?", choices);
    const name = normaliseName(wanted, "schedule");
    if (!ownValue(this.config.schedules, name)) throw new UserError(`no schedule "${wanted}"`, choices);
    return this.#info(name);
  }

  async #overrideRecords(schedule: string): Promise<OverrideRecord[]> {
    return (await this.store.list<OverrideRecord>(OVERRIDES)).map(([, o]) => o).filter((o) => o.schedule === schedule);
  }

  /** Who holds `schedule` at `at`: the newest override covering it, else the rotation's turn. */
  #holderAt(rotation: Rotation, overrides: OverrideRecord[], at: number): string {
    let holder: OverrideRecord | undefined;
    for (const o of overrides)
      if (Date.parse(o.start) <= at && at < Date.parse(o.end) && (!holder || o.createdAt >= holder.createdAt))
        holder = o;
    return holder?.principal ?? turnAt(rotation, new Date(at)).principal;
  }

  async onCall(schedule: ScheduleInfo, since: Date, until: Date): Promise<Shift[]> {
    const rotation = this.#rotation(schedule.id);
    const overrides = await this.#overrideRecords(schedule.id);
    const s = since.getTime();
    const u = until.getTime();
    const turns = turnsBetween(rotation, since, until);
    // Every moment the holder can change: handovers and override edges; look one turn beyond `until` for the end.
    const edges = new Set<number>([s]);
    for (const t of turns) edges.add(t.end.getTime());
    for (const o of overrides) for (const at of [Date.parse(o.start), Date.parse(o.end)]) if (at > s) edges.add(at);
    const points = [...edges].sort((a, b) => a - b);
    const shifts: Shift[] = [];
    for (const at of points) {
      const principal = this.#holderAt(rotation, overrides, at);
      const last = shifts.at(-1);
      if (last && last.person.principal === principal) continue;
      if (last) last.end = new Date(at);
      if (at >= u && last) break;
      shifts.push({
        person: { name: principal, principal },
        start: new Date(at === s ? this.#startOf(rotation, overrides, s, principal) : at),
      });
    }
    return shifts;
  }

  /** When the holder at `at` took over (their turn's start, or their override's). */
  #startOf(rotation: Rotation, overrides: OverrideRecord[], at: number, principal: string): number {
    const override = overrides
      .filter((o) => o.principal === principal && Date.parse(o.start) <= at && at < Date.parse(o.end))
      .sort((a, b) => (a.createdAt < b.createdAt ? 1 : -1))[0];
    return override ? Date.parse(override.start) : turnAt(rotation, new Date(at)).start.getTime();
  }

  async overrides(schedule: ScheduleInfo, since: Date, until: Date): Promise<Override[]> {
    return (await this.#overrideRecords(schedule.id))
      .filter((o) => Date.parse(o.end) > since.getTime() && Date.parse(o.start) < until.getTime())
      .sort((a, b) => a.start.localeCompare(b.start))
      .map((o) => overrideOfRecord(o, schedule));
  }

  async createOverride(acting: Acting, schedule: ScheduleInfo, start: Date, end: Date): Promise<Override> {
    return this.#exclusive(async () => {
      const id = `O${await nextNumber(this.store, "override")}`;
      const record: OverrideRecord = {
        id,
        schedule: schedule.id,
        principal: acting.principal,
        start: start.toISOString(),
        end: end.toISOString(),
        createdBy: acting.principal,
        createdAt: new Date().toISOString(),
      };
      await this.store.set(OVERRIDES, id, record);
      return overrideOfRecord(record, schedule);
    });
  }

  async #records(): Promise<IncidentRecord[]> {
    return (await this.store.list<IncidentRecord>(INCIDENTS)).map(([, r]) => r);
  }

  async openIncidents(): Promise<Incident[]> {
    return (await this.#records())
      .filter((r) => r.status !== "resolved")
      .sort((a, b) => b.number - a.number)
      .map(incidentOfRecord);
  }

  async setStatus(acting: Acting, incidents: Incident[], status: "acknowledged" | "resolved"): Promise<Incident[]> {
    const events: Array<[IncidentRecord, RotaEvent]> = [];
    const changed = await this.#exclusive(async () => {
      const result: Incident[] = [];
      for (const incident of incidents) {
        const key = incidentKey(Number(incident.id));
        const record = await this.store.get<IncidentRecord>(INCIDENTS, key);
        if (!record || record.status === "resolved" || record.status === status) continue;
        record.status = status;
        if (status === "acknowledged") record.acknowledgedBy = acting.principal;
        else {
          record.resolvedBy = acting.principal;
          record.resolvedAt = new Date().toISOString();
        }
        await this.store.set(INCIDENTS, key, record);
        events.push([record, { kind: status, by: acting.principal }]);
        result.push(incidentOfRecord(record));
      }
      return result;
    });
    for (const [record, event] of events) await this.listener(record, event);
    return changed;
  }

  async addNote(acting: Acting, incident: Incident, text: string): Promise<void> {
    const record = await this.#exclusive(async () => {
      const key = incidentKey(Number(incident.id));
      const found = await this.store.get<IncidentRecord>(INCIDENTS, key);
      if (!found) throw new UserError(`no incident ${incident.id}`);
      found.notes.push({ by: acting.principal, at: new Date().toISOString(), text });
      await this.store.set(INCIDENTS, key, found);
      return found;
    });
    await this.listener(record, { kind: "note", by: acting.principal, text });
  }

  services(): string[] {
    return Object.keys(this.config.services);
  }

  #service(name: string) {
    const service = ownValue(this.config.services, name);
    if (!service)
      throw new UserError(`no service "${name}"`, `one of: ${this.services().join(", ") || "(none configured)"}`);
    return service;
  }

  /** The maintenance window of a service that covers `at`, if any. */
  async #maintenanceAt(service: string, at: number): Promise<MaintenanceRecord | undefined> {
    return (await this.store.list<MaintenanceRecord>(MAINTENANCE, `${service}/`))
      .map(([, m]) => m)
      .find((m) => Date.parse(m.start) <= at && at < Date.parse(m.end));
  }

  async trigger(asker: Asker, serviceName: string, summary: string): Promise<TriggerResult> {
    const service = this.#service(serviceName);
    const now = Date.now();
    const window = await this.#maintenanceAt(serviceName, now);
    if (window) return { suppressed: `${serviceName} is in maintenance until ${window.end} (${window.by})` };
    const schedule = await this.schedule(service.schedule);
    const [shift] = await this.onCall(schedule, new Date(now), new Date(now + 1));
    const assignee = shift!.person.principal!;
    const record = await this.#exclusive(async () => {
      const number = await nextNumber(this.store, "incident");
      const created: IncidentRecord = {
        id: String(number),
        number,
        title: summary,
        status: "triggered",
        service: serviceName,
        schedule: schedule.id,
        assignee,
        escalations: 0,
        pagedAt: new Date(now).toISOString(),
        createdAt: new Date(now).toISOString(),
        createdBy: asker.principal,
        notes: [],
      };
      await this.store.set(INCIDENTS, incidentKey(number), created);
      return created;
    });
    await this.listener(record, { kind: "triggered", by: asker.principal });
    return { incident: incidentOfRecord(record), paged: [{ name: assignee, principal: assignee }] };
  }

  async maintenance(acting: Acting, service: string, start: Date, end: Date): Promise<MaintenanceResult> {
    this.#service(service);
    // Numbered inside the exclusive section: two windows opened at once get two ids.
    return this.#exclusive(async () => {
      const id = `M${await nextNumber(this.store, "maintenance")}`;
      const record: MaintenanceRecord = {
        id,
        service,
        start: start.toISOString(),
        end: end.toISOString(),
        by: acting.principal,
      };
      await this.store.set(MAINTENANCE, `${service}/${id}`, record);
      return { id, service, start, end };
    });
  }

  /**
   * Pages the next person for every triggered incident nobody acknowledged within its service's `escalateAfter`,
   * stops after `maxEscalations`, and prunes old records. Called by the plugin's timer. One incident that cannot be
   * escalated (its schedule was removed from the configuration) or one page that fails (an audit write) is logged
   * and the others go on.
   */
  async escalate(now = Date.now()): Promise<void> {
    const events = await this.#exclusive(async () => {
      const found: Array<[IncidentRecord, RotaEvent]> = [];
      for (const record of await this.#records()) {
        try {
          const event = escalation(record, this.config, (name) => this.#rotation(name), now);
          if (!event) continue;
          await this.store.set(INCIDENTS, incidentKey(record.number), record);
          found.push([record, event]);
        } catch (err) {
          this.logger.error({ err, incident: record.id, schedule: record.schedule }, "could not escalate an incident");
        }
      }
      try {
        await pruneRecords(this.store, now);
      } catch (err) {
        this.logger.error({ err }, "could not prune old paging records");
      }
      return found;
    });
    for (const [record, event] of events) {
      try {
        await this.listener(record, event);
      } catch (err) {
        this.logger.error({ err, incident: record.id, event: event.kind }, "could not page for an escalation");
      }
    }
  }
}
