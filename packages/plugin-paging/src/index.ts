/**
 * `@switchboard/plugin-paging`: who is on call, take the pager, acknowledge and resolve incidents — on PagerDuty, or
 * on a built-in rota kept in the bot's store. The default export is the plugin (`bot.use(paging, config)`, or
 * `plugins: { paging: … }` in the switchboard configuration).
 * @module
 */
import { pagingPlugin } from "./plugin.js";

export { PERMISSIONS } from "./commands/permissions.js";
export type {
  LocalConfig,
  LocalScheduleConfig,
  PagerDutyConfig,
  PagingConfig,
  PagingConfigInput,
  WebhookConfig,
} from "./config.js";
export { pagingConfigSchema } from "./config.js";
export type {
  Acting,
  Asker,
  Incident,
  IncidentStatus,
  MaintenanceResult,
  Override,
  PagingProvider,
  Person,
  ScheduleInfo,
  Shift,
  TriggerResult,
} from "./model.js";
export { signBody, verifySignature } from "./pagerduty/signature.js";
export { pagingCommands } from "./plugin.js";

export default pagingPlugin;
