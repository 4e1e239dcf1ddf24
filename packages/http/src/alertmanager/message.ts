/**
 * One alert group → one message: a status line (firing or resolved, the group's labels), a line per alert with its
 * summary, and the runbook link. Label values are text from whoever wrote the alert rules and the scraped targets:
 * each is cleaned to one short line.
 * @module
 */
import { type Block, out } from "@switchboard/core";
import { httpUrl, oneLine } from "../text.js";
import type { Alert, AlertmanagerPayload } from "./payload.js";

const labelText = (labels: Record<string, string>, skip: ReadonlySet<string> = new Set()) =>
  Object.entries(labels)
    .filter(([key]) => !skip.has(key))
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([key, value]) => `${oneLine(key, 40)}=${oneLine(value, 80)}`)
    .join(" ");

function alertLine(alert: Alert, common: ReadonlySet<string>): string {
  const summary = alert.annotations.summary ?? alert.annotations.description ?? alert.labels.alertname ?? "alert";
  const own = labelText(alert.labels, common);
  const state = alert.status === "resolved" ? "resolved: " : "";
  return `- ${state}${oneLine(summary, 200)}${own ? ` (${oneLine(own, 200)})` : ""}`;
}

/** The message for one notification of a group. */
export function alertGroupMessage(payload: AlertmanagerPayload, maxAlerts: number): Block[] {
  const firing = payload.alerts.filter((a) => a.status === "firing").length;
  const name = payload.groupLabels.alertname ?? payload.commonLabels.alertname ?? "alerts";
  const groupLabels = labelText(payload.groupLabels, new Set(["alertname"]));
  const head =
    payload.status === "firing"
      ? `FIRING${firing > 1 ? ` (${firing})` : ""}: ${oneLine(name, 80)}`
      : `RESOLVED: ${oneLine(name, 80)}`;
  const blocks: Block[] = [
    out.status(
      payload.status === "firing" ? "fail" : "ok",
      `${head}${groupLabels ? ` ${oneLine(groupLabels, 160)}` : ""}`,
    ),
  ];
  const common = new Set(Object.keys(payload.commonLabels));
  const shown = payload.alerts.slice(0, maxAlerts).map((alert) => alertLine(alert, common));
  const hidden = payload.alerts.length - shown.length + payload.truncatedAlerts;
  if (hidden > 0) shown.push(`- and ${hidden} more`);
  blocks.push(out.text(shown.join("\n")));
  const runbook =
    httpUrl(payload.commonAnnotations.runbook_url) ??
    payload.alerts.map((a) => httpUrl(a.annotations.runbook_url)).find((url) => url !== undefined);
  if (runbook) blocks.push(out.link(runbook, "runbook"));
  return blocks;
}
