/**
 * Atlassian Statuspage through its REST API v1 (`Authorization: OAuth <key>`): components by id (from the
 * configuration, else found by name), incidents created and updated on the page. Statuspage keeps the data; the bot
 * keeps nothing. The token never appears in errors or logs.
 * @module
 */
import { UserError } from "@switchboard/core";
import type { StatusConfig, StatuspageConfig } from "../config.js";
import {
  type Component,
  type ComponentStatus,
  type Impact,
  type Incident,
  type IncidentStatus,
  type NewIncident,
  STATUS_FOR_IMPACT,
  type StatusProvider,
} from "../model.js";
import { ownValue } from "../names.js";

/** Chat's component statuses → Statuspage's. */
const TO_STATUSPAGE: Record<ComponentStatus, string> = {
  operational: "operational",
  degraded: "degraded_performance",
  partial: "partial_outage",
  major: "major_outage",
};
const FROM_STATUSPAGE: Record<string, ComponentStatus> = {
  operational: "operational",
  under_maintenance: "degraded",
  degraded_performance: "degraded",
  partial_outage: "partial",
  major_outage: "major",
};

interface SpComponent {
  id: string;
  name: string;
  status: string;
}
interface SpIncident {
  id: string;
  name: string;
  status: IncidentStatus;
  impact: Impact;
  created_at: string;
  resolved_at?: string | null;
  components?: SpComponent[];
  incident_updates?: Array<{ body: string; status: IncidentStatus; created_at: string }>;
}

/** An answer of Statuspage that was not a success. */
export class StatuspageError extends Error {}

/** The provider. */
export class StatuspageProvider implements StatusProvider {
  readonly name = "statuspage";

  constructor(
    private readonly api: StatuspageConfig,
    private readonly config: StatusConfig,
  ) {}

  async #request<T>(method: string, path: string, body?: unknown, signal?: AbortSignal): Promise<T> {
    const url = `${this.api.apiUrl.replace(/\/$/, "")}/v1/pages/${encodeURIComponent(this.api.pageId)}${path}`;
    const timeout = AbortSignal.timeout(this.api.timeout);
    let response: Response;
    try {
      response = await fetch(url, {
        method,
        headers: {
          authorization: `OAuth ${this.api.token}`,
          accept: "application/json",
          ...(body === undefined ? {} : { "content-type": "application/json" }),
        },
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
        signal: signal ? AbortSignal.any([signal, timeout]) : timeout,
      });
    } catch (error) {
      throw new StatuspageError(`Statuspage did not answer ${method} ${path}: ${(error as Error).message}`);
    }
    const text = await response.text();
    if (!response.ok) {
      let reason = text.slice(0, 200);
      try {
        const parsed = JSON.parse(text) as { error?: unknown; message?: unknown };
        reason = String(parsed.error ?? parsed.message ?? reason);
      } catch {}
      throw new StatuspageError(`Statuspage answered ${response.status} to ${method} ${path}: ${reason}`);
    }
    return JSON.parse(text) as T;
  }

  /** Statuspage's components, and each configured key's id. */
  async #mapped(signal?: AbortSignal): Promise<{ all: SpComponent[]; ids: Map<string, string> }> {
    const all = await this.#request<SpComponent[]>("GET", "/components", undefined, signal);
    const ids = new Map<string, string>();
    for (const [key, c] of Object.entries(this.config.components)) {
      const found = all.find((sp) => (c.statuspageId ? sp.id === c.statuspageId : sp.name === (c.name ?? key)));
      if (found) ids.set(key, found.id);
    }
    return { all, ids };
  }

  #keyOf(ids: Map<string, string>, id: string): string | undefined {
    for (const [key, value] of ids) if (value === id) return key;
    return undefined;
  }

  async components(signal?: AbortSignal): Promise<Component[]> {
    const { all, ids } = await this.#mapped(signal);
    return Object.entries(this.config.components).map(([key, c]) => {
      const sp = all.find((s) => s.id === ids.get(key));
      return { key, name: c.name ?? key, status: FROM_STATUSPAGE[sp?.status ?? ""] ?? "operational" };
    });
  }

  async #idOf(key: string, signal?: AbortSignal): Promise<{ id: string; ids: Map<string, string> }> {
    if (!ownValue(this.config.components, key))
      throw new UserError(`no component ${key}`, `components: ${Object.keys(this.config.components).join(", ")}`);
    const { ids } = await this.#mapped(signal);
    const id = ids.get(key);
    if (!id) throw new UserError(`component ${key} is not on the Statuspage page (set its statuspageId)`);
    return { id, ids };
  }

  async setComponent(key: string, status: ComponentStatus, signal?: AbortSignal): Promise<Component> {
    const { id } = await this.#idOf(key, signal);
    const sp = await this.#request<SpComponent>(
      "PATCH",
      `/components/${encodeURIComponent(id)}`,
      { component: { status: TO_STATUSPAGE[status] } },
      signal,
    );
    return { key, name: this.config.components[key]?.name ?? key, status: FROM_STATUSPAGE[sp.status] ?? status };
  }

  #incident(sp: SpIncident, ids: Map<string, string>): Incident {
    return {
      id: sp.id,
      title: sp.name,
      impact: sp.impact,
      status: sp.status,
      components: (sp.components ?? []).map((c) => this.#keyOf(ids, c.id) ?? c.name),
      createdAt: sp.created_at,
      ...(sp.resolved_at ? { resolvedAt: sp.resolved_at } : {}),
      updates: (sp.incident_updates ?? [])
        .map((u) => ({ at: u.created_at, status: u.status, text: u.body }))
        .sort((a, b) => a.at.localeCompare(b.at)),
    };
  }

  async openIncidents(signal?: AbortSignal): Promise<Incident[]> {
    const { ids } = await this.#mapped(signal);
    const open = await this.#request<SpIncident[]>("GET", "/incidents/unresolved", undefined, signal);
    return open.map((i) => this.#incident(i, ids));
  }

  async createIncident(incident: NewIncident, signal?: AbortSignal): Promise<Incident> {
    const ids = new Map<string, string>();
    for (const key of incident.components) ids.set(key, (await this.#idOf(key, signal)).id);
    const componentStatus = TO_STATUSPAGE[STATUS_FOR_IMPACT[incident.impact]];
    const created = await this.#request<SpIncident>(
      "POST",
      "/incidents",
      {
        incident: {
          name: incident.title,
          status: "investigating",
          impact_override: incident.impact,
          body: incident.title,
          component_ids: [...ids.values()],
          components: Object.fromEntries([...ids.values()].map((id) => [id, componentStatus])),
        },
      },
      signal,
    );
    return this.#incident(created, ids);
  }

  async updateIncident(
    id: string,
    update: { text: string; status: IncidentStatus; by: string },
    signal?: AbortSignal,
  ): Promise<Incident> {
    const { ids } = await this.#mapped(signal);
    const path = `/incidents/${encodeURIComponent(id.replace(/^#/, ""))}`;
    const current = await this.#request<SpIncident>("GET", path, undefined, signal).catch((error: Error) => {
      throw new UserError(`no incident ${id} on Statuspage`, error.message);
    });
    if (current.status === "resolved") throw new UserError(`incident ${id} is already resolved`);
    const body: Record<string, unknown> = { status: update.status, body: update.text };
    if (update.status === "resolved" && current.components?.length)
      body.components = Object.fromEntries(current.components.map((c) => [c.id, "operational"]));
    const changed = await this.#request<SpIncident>("PATCH", path, { incident: body }, signal);
    return this.#incident(changed, ids);
  }
}
