/**
 * `@switchboard/core/app`: what the CLI (apps/bot), the HTTP endpoint and the testing kit wire up — configuration
 * schemas, plugin validation, the rate limiter and clock, room references, web links. Commands, adapters and plugins
 * do not need it.
 * @module
 */

// Configuration: policy, rate limits, schedules.
export {
  approvalConfigSchema,
  policyConfigSchema,
  principalConfigSchema,
  roleConfigSchema,
  ruleConfigSchema,
} from "./policy/policy-config.js";
export type { BucketLimit, RateLimitOptions } from "./policy/rate-limit.js";
export { RateLimiter } from "./policy/rate-limit.js";
export type { ScheduleOptions } from "./schedules/schedule-record.js";
export { isTimeZone } from "./schedules/schedule-when.js";
export type { Clock } from "./schedules/clock.js";
// Plugins: validated once, by core.
export { PluginConfigError, type ValidPluginConfig, validatePluginConfig } from "./plugins/plugin-config.js";
export { namespacedStore } from "./plugins/plugin.js";
// The HTTP endpoint: events, room references, web links.
export type { BotEvents } from "./runtime/events.js";
export { parseRoomRef } from "./util/room-ref.js";
export type { WebLinkMaker, WebLinkRequest } from "./plugins/web-links.js";
