/**
 * Alertmanager's webhook payload, version 4 (https://prometheus.io/docs/alerting/latest/configuration/#webhook_config).
 * @module
 */
import { z } from "zod";

const labels = z.record(z.string(), z.string()).default({});

export const alertSchema = z.looseObject({
  status: z.enum(["firing", "resolved"]),
  labels,
  annotations: labels,
  startsAt: z.string().optional(),
  endsAt: z.string().optional(),
  generatorURL: z.string().optional(),
  fingerprint: z.string().optional(),
});

export const alertmanagerPayloadSchema = z.looseObject({
  version: z.literal("4"),
  groupKey: z.string().min(1).max(2000),
  truncatedAlerts: z.number().int().nonnegative().default(0),
  status: z.enum(["firing", "resolved"]),
  receiver: z.string().default(""),
  groupLabels: labels,
  commonLabels: labels,
  commonAnnotations: labels,
  externalURL: z.string().default(""),
  alerts: z.array(alertSchema).min(1).max(10_000),
});

export type AlertmanagerPayload = z.output<typeof alertmanagerPayloadSchema>;
export type Alert = z.output<typeof alertSchema>;

/** Labels as a Map (own keys only: a label named `constructor` is just a label). */
export const labelMap = (record: Record<string, string>): Map<string, string> => new Map(Object.entries(record));
