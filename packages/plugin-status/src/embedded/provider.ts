/**
 * The embedded provider: components and incidents kept in the bot's store (namespaced by the plugin), served by
 * {@link statusRoutes}. Incident numbers come from a counter in the store; writes of this process are serialised.
 * @module
 */
import { type Store, UserError } from "@switchboard/core";
import type { StatusConfig } from "../config.js";
import {
  type Component,
  type ComponentStatus,
  type Incident,
  type IncidentStatus,
  type NewIncident,
  STATUS_FOR_IMPACT,
  type StatusProvider,
} from "../model.js";
import { ownValue } from "../names.js";

const COMPONENTS = "components";
const INCIDENTS = "incidents";
const META = "meta";

/** Resolved incidents kept for the page's history. */
const HISTORY = 20;

/** Components and incidents in the store. */
export class EmbeddedProvider implements StatusProvider {
  readonly name = "embedded";
  #queue: Promise<unknown> = Promise.resolve();

  constructor(
    private readonly store: Store,
    private readonly config: StatusConfig,
  ) {}

  /** Runs `work` after every earlier write of this process (read-modify-write without lost updates). */
  #serial<T>(work: () => Promise<T>): Promise<T> {
    const next = this.#queue.then(work, work);
    this.#queue = next.catch(() => undefined);
    return next;
  }

  async components(): Promise<Component[]> {
    const stored = new Map(await this.store.list<ComponentStatus>(COMPONENTS));
    return Object.entries(this.config.components).map(([key, c]) => ({
      key,
      name: c.name ?? key,
      status: stored.get(key) ?? "operational",
    }));
  }

  setComponent(key: string, status: ComponentStatus): Promise<Component> {
    const component = ownValue(this.config.components, key);
    if (!component)
      throw new UserError(`no component ${key}`, `components: ${Object.keys(this.config.components).join(", ")}`);
    return this.#serial(async () => {
      await this.store.set(COMPONENTS, key, status);
      return { key, name: component.name ?? key, status };
    });
  }

  async #all(): Promise<Incident[]> {
    return (await this.store.list<Incident>(INCIDENTS)).map(([, incident]) => incident);
  }

  async openIncidents(): Promise<Incident[]> {
    return (await this.#all()).filter((i) => i.status !== "resolved").sort((a, b) => Number(b.id) - Number(a.id));
  }

  /** The latest resolved incidents, newest first. */
  async resolvedIncidents(): Promise<Incident[]> {
    return (await this.#all())
      .filter((i) => i.status === "resolved")
      .sort((a, b) => Number(b.id) - Number(a.id))
      .slice(0, HISTORY);
  }

  createIncident(incident: NewIncident): Promise<Incident> {
    return this.#serial(async () => {
      const next = ((await this.store.get<number>(META, "next")) ?? 0) + 1;
      await this.store.set(META, "next", next);
      const now = new Date().toISOString();
      const created: Incident = {
        id: String(next),
        title: incident.title,
        impact: incident.impact,
        status: "investigating",
        components: incident.components,
        createdAt: now,
        updates: [{ at: now, status: "investigating", text: incident.title, by: incident.by }],
      };
      await this.store.set(INCIDENTS, created.id, created);
      if (incident.impact !== "none")
        for (const key of incident.components)
          await this.store.set(COMPONENTS, key, STATUS_FOR_IMPACT[incident.impact]);
      return created;
    });
  }

  updateIncident(id: string, update: { text: string; status: IncidentStatus; by: string }): Promise<Incident> {
    return this.#serial(async () => {
      const incident = await this.store.get<Incident>(INCIDENTS, id.replace(/^#/, ""));
      if (!incident || incident.status === "resolved")
        throw new UserError(`no open incident ${id}`, "status lists them");
      const now = new Date().toISOString();
      const changed: Incident = {
        ...incident,
        status: update.status,
        updates: [...incident.updates, { at: now, status: update.status, text: update.text, by: update.by }],
        ...(update.status === "resolved" ? { resolvedAt: now } : {}),
      };
      await this.store.set(INCIDENTS, changed.id, changed);
      if (update.status === "resolved") {
        const stillOpen = (await this.#all()).filter((i) => i.status !== "resolved" && i.id !== changed.id);
        for (const key of changed.components)
          if (!stillOpen.some((i) => i.components.includes(key))) await this.store.set(COMPONENTS, key, "operational");
      }
      return changed;
    });
  }
}
