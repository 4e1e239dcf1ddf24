/**
 * A local Atlassian Statuspage speaking the documented REST API v1 (developer.statuspage.io) for the parts the
 * status plugin uses: components (list, update), incidents (create, read, update, list unresolved). It checks what the
 * real API checks — `Authorization: OAuth <key>`, the page id, JSON bodies, the allowed status and impact values — and
 * records every request so a test can see what the client sent.
 * @module
 */
import { randomBytes } from "node:crypto";
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";

const COMPONENT_STATUSES = [
  "operational",
  "under_maintenance",
  "degraded_performance",
  "partial_outage",
  "major_outage",
];
const INCIDENT_STATUSES = ["investigating", "identified", "monitoring", "resolved"];
const IMPACTS = ["none", "minor", "major", "critical"];

/** A component as the API returns it. */
export interface StatuspageComponent {
  id: string;
  page_id: string;
  name: string;
  status: string;
  updated_at: string;
}

/** An incident as the API returns it. */
export interface StatuspageIncident {
  id: string;
  page_id: string;
  name: string;
  status: string;
  impact: string;
  created_at: string;
  updated_at: string;
  resolved_at: string | null;
  shortlink: string;
  components: StatuspageComponent[];
  incident_updates: Array<{ id: string; body: string; status: string; created_at: string }>;
}

/** One request the fake received. */
export interface StatuspageRequest {
  method: string;
  path: string;
  authorization: string | undefined;
  body: unknown;
}

const id = () => randomBytes(6).toString("hex");

/** The fake Statuspage. */
export class FakeStatuspage {
  readonly token = `sp-${randomBytes(12).toString("hex")}`;
  readonly pageId = `pg${id()}`;
  readonly components: StatuspageComponent[] = [];
  readonly incidents: StatuspageIncident[] = [];
  readonly requests: StatuspageRequest[] = [];
  #server: Server | undefined;
  url = "";

  /** Starts it on a free loopback port. */
  static async start(): Promise<FakeStatuspage> {
    const fake = new FakeStatuspage();
    const server = createServer((request, response) => {
      fake.#handle(request, response).catch((error: Error) => fake.#send(response, 500, { error: error.message }));
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", () => resolve()));
    const address = server.address();
    fake.url = `http://127.0.0.1:${typeof address === "object" && address ? address.port : 0}`;
    fake.#server = server;
    return fake;
  }

  /** Adds a component to the page. */
  addComponent(name: string, status = "operational"): StatuspageComponent {
    const component = { id: id(), page_id: this.pageId, name, status, updated_at: new Date().toISOString() };
    this.components.push(component);
    return component;
  }

  stop(): Promise<void> {
    return new Promise((resolve) => {
      if (!this.#server) return resolve();
      this.#server.closeAllConnections();
      this.#server.close(() => resolve());
    });
  }

  #send(response: ServerResponse, status: number, body: unknown): void {
    response.writeHead(status, { "content-type": "application/json; charset=utf-8" }).end(JSON.stringify(body));
  }

  async #handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const chunk of request) chunks.push(chunk as Buffer);
    const raw = Buffer.concat(chunks).toString("utf8");
    const path = new URL(request.url ?? "/", "http://x").pathname;
    let body: unknown;
    if (raw.length) {
      if (!String(request.headers["content-type"]).startsWith("application/json"))
        return this.#send(response, 415, { error: "Content-Type must be application/json" });
      try {
        body = JSON.parse(raw);
      } catch {
        return this.#send(response, 400, { error: "malformed JSON" });
      }
    }
    this.requests.push({ method: request.method ?? "", path, authorization: request.headers.authorization, body });
    if (request.headers.authorization !== `OAuth ${this.token}`)
      return this.#send(response, 401, { error: "Could not authenticate" });
    const match = /^\/v1\/pages\/([^/]+)(\/.*)$/.exec(path);
    if (!match || match[1] !== this.pageId) return this.#send(response, 404, { error: "Page not found" });
    const rest = match[2]!;
    const method = request.method;
    const now = new Date().toISOString();

    if (method === "GET" && rest === "/components") return this.#send(response, 200, this.components);
    const component = /^\/components\/([^/]+)$/.exec(rest);
    if (component && (method === "PATCH" || method === "PUT")) {
      const found = this.components.find((c) => c.id === component[1]);
      if (!found) return this.#send(response, 404, { error: "Component not found" });
      const status = (body as { component?: { status?: string } })?.component?.status;
      if (status === undefined || !COMPONENT_STATUSES.includes(status))
        return this.#send(response, 422, { error: `status is not included in the list` });
      found.status = status;
      found.updated_at = now;
      return this.#send(response, 200, found);
    }
    if (method === "GET" && rest === "/incidents/unresolved")
      return this.#send(
        response,
        200,
        this.incidents.filter((i) => i.status !== "resolved").sort((a, b) => b.created_at.localeCompare(a.created_at)),
      );
    if (method === "POST" && rest === "/incidents") {
      const input = (body as { incident?: Record<string, unknown> })?.incident;
      if (!input || typeof input.name !== "string" || input.name === "")
        return this.#send(response, 422, { error: "name can't be blank" });
      const status = (input.status as string | undefined) ?? "investigating";
      if (!INCIDENT_STATUSES.includes(status)) return this.#send(response, 422, { error: "status is not valid" });
      const impact = (input.impact_override as string | undefined) ?? "none";
      if (!IMPACTS.includes(impact)) return this.#send(response, 422, { error: "impact_override is not valid" });
      const ids = (input.component_ids as string[] | undefined) ?? [];
      const components = ids.map((cid) => this.components.find((c) => c.id === cid));
      if (components.some((c) => !c)) return this.#send(response, 422, { error: "component_ids are not valid" });
      const statuses = (input.components as Record<string, string> | undefined) ?? {};
      for (const c of components) {
        const next = statuses[c!.id];
        if (next !== undefined) {
          if (!COMPONENT_STATUSES.includes(next))
            return this.#send(response, 422, { error: "components are not valid" });
          c!.status = next;
        }
      }
      const incident: StatuspageIncident = {
        id: id(),
        page_id: this.pageId,
        name: input.name,
        status,
        impact,
        created_at: now,
        updated_at: now,
        resolved_at: null,
        shortlink: `https://stspg.io/${id()}`,
        components: components as StatuspageComponent[],
        incident_updates: [{ id: id(), body: String(input.body ?? ""), status, created_at: now }],
      };
      this.incidents.push(incident);
      return this.#send(response, 201, incident);
    }
    const one = /^\/incidents\/([^/]+)$/.exec(rest);
    if (one) {
      const incident = this.incidents.find((i) => i.id === one[1]);
      if (!incident) return this.#send(response, 404, { error: "Incident not found" });
      if (method === "GET") return this.#send(response, 200, incident);
      if (method === "PATCH" || method === "PUT") {
        const input = (body as { incident?: Record<string, unknown> })?.incident ?? {};
        const status = (input.status as string | undefined) ?? incident.status;
        if (!INCIDENT_STATUSES.includes(status)) return this.#send(response, 422, { error: "status is not valid" });
        for (const [cid, next] of Object.entries((input.components as Record<string, string> | undefined) ?? {})) {
          const c = this.components.find((x) => x.id === cid);
          if (!c || !COMPONENT_STATUSES.includes(next))
            return this.#send(response, 422, { error: "components are not valid" });
          c.status = next;
        }
        incident.status = status;
        incident.updated_at = now;
        if (status === "resolved") incident.resolved_at = now;
        incident.incident_updates.unshift({ id: id(), body: String(input.body ?? ""), status, created_at: now });
        return this.#send(response, 200, incident);
      }
    }
    return this.#send(response, 404, { error: "Not found" });
  }
}
