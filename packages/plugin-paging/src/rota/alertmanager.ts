/**
 * Alertmanager's webhook receiver for the local rota: a firing alert group opens one incident on the service its
 * label names (paging whoever is on call), repeats of the group do not open more (copies arriving together are
 * handled one after the other, so the group is mapped to its incident before the next copy looks), and the group's
 * resolution resolves the incident. Authenticated with a bearer token (core's check, as the HTTP endpoint's
 * Alertmanager source uses); chat never sees the token; audited in core's webhook record shape.
 * @module
 */
import {
  bearerMatches,
  type HttpResponse,
  type HttpRoute,
  type Logger,
  type PluginAuditRecord,
  type Store,
  webhookAuditRecord,
} from "@switchboard/core";
import type { AlertmanagerHookConfig } from "../config.js";
import { flatTitle, NAME_PATTERN } from "../names.js";
import type { LocalRota } from "./provider.js";

const GROUPS = "alertmanager-groups";
const ACTOR = "alertmanager";

interface AlertGroup {
  status?: string;
  groupKey?: string;
  alerts?: unknown[];
  commonLabels?: Record<string, string>;
  commonAnnotations?: Record<string, string>;
}

/** What the route needs from the plugin. */
export interface AlertmanagerDeps {
  hook: AlertmanagerHookConfig;
  rota: LocalRota;
  store: Store;
  audit(record: PluginAuditRecord): Promise<void>;
  logger: Logger;
}

const json = (status: number, body: Record<string, unknown>): HttpResponse => ({ status, body });

const label = (labels: Record<string, string> | undefined, key: string) =>
  labels && Object.hasOwn(labels, key) && typeof labels[key] === "string" ? labels[key] : undefined;

/**
 * Runs `work` after every earlier piece of work with the same key has finished: deliveries of one alert group are
 * handled one at a time, so the group is mapped to its incident before the next copy looks.
 */
function keyedQueue() {
  const tails = new Map<string, Promise<unknown>>();
  return <T>(key: string, work: () => Promise<T>): Promise<T> => {
    const run = (tails.get(key) ?? Promise.resolve()).then(work, work);
    const tail = run.catch(() => undefined);
    tails.set(key, tail);
    void tail.then(() => {
      if (tails.get(key) === tail) tails.delete(key);
    });
    return run;
  };
}

/** The route for `local.alertmanager.path`. */
export function alertmanagerRoute(deps: AlertmanagerDeps): HttpRoute {
  const { hook, rota, store } = deps;
  const oneAtATime = keyedQueue();
  return {
    method: "POST",
    path: hook.path,
    source: "plugin paging",
    bodyLimit: 1024 * 1024,
    async handler(request) {
      if (!bearerMatches(request.headers.authorization, hook.token)) {
        deps.logger.warn({ ip: request.ip }, "Alertmanager hook without the right token refused");
        return json(401, { error: "bad token" });
      }
      let group: AlertGroup;
      try {
        group = JSON.parse(request.rawBody.toString("utf8")) as AlertGroup;
      } catch {
        return json(400, { error: "body is not JSON" });
      }
      if (
        group === null ||
        typeof group !== "object" ||
        typeof group.groupKey !== "string" ||
        (group.status !== "firing" && group.status !== "resolved")
      )
        return json(400, { error: "not an Alertmanager webhook (groupKey, status)" });
      return oneAtATime(group.groupKey, () => handleGroup(group as AlertGroup & { groupKey: string }));
    },
  };

  /** One delivery of a group, alone with its group: look up its incident, then open, keep or resolve it. */
  async function handleGroup(group: AlertGroup & { groupKey: string }): Promise<HttpResponse> {
    const known = await store.get<string>(GROUPS, group.groupKey);
    const open = known ? (await rota.openIncidents()).find((i) => i.id === known) : undefined;

    if (group.status === "resolved") {
      if (!open) return json(200, { ignored: "no open incident for this group" });
      await rota.setStatus(await rota.acting(ACTOR), [open], "resolved");
      await store.delete(GROUPS, group.groupKey);
      await deps.audit(
        webhookAuditRecord({
          source: ACTOR,
          event: "alert group",
          detail: { group: group.groupKey, resolved: open.id },
        }),
      );
      return json(200, { resolved: open.id });
    }
    if (open) return json(200, { open: open.id });

    const typed = label(group.commonLabels, hook.serviceLabel)?.toLowerCase();
    const service = typed && NAME_PATTERN.test(typed) && rota.services().includes(typed) ? typed : hook.defaultService;
    if (!service) return json(422, { error: `no configured service in label "${hook.serviceLabel}"` });
    const alerts = Array.isArray(group.alerts) ? group.alerts.length : 1;
    const summary =
      label(group.commonAnnotations, "summary") ?? label(group.commonLabels, "alertname") ?? "alert from Alertmanager";
    const title = `${flatTitle(summary, 300, "alert from Alertmanager")}${alerts > 1 ? ` (${alerts} alerts)` : ""}`;
    const result = await rota.trigger({ principal: ACTOR }, service, title);
    if (result.incident) await store.set(GROUPS, group.groupKey, result.incident.id);
    await deps.audit(
      webhookAuditRecord({
        source: ACTOR,
        event: "alert group",
        detail: { group: group.groupKey, service, incident: result.incident?.id, suppressed: result.suppressed },
      }),
    );
    return json(200, result.incident ? { opened: result.incident.id } : { suppressed: result.suppressed });
  }
}
