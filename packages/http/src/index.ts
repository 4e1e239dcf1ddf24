/**
 * `@switchboard/http`: the bot's HTTP endpoint. Signed webhooks into rooms (GitHub, Alertmanager, generic hooks),
 * `/healthz`, `/readyz`, `/metrics`, and the routes plugins and adapters register through core.
 * @packageDocumentation
 */
export type { LabelMatcher } from "./alertmanager/matchers.js";
export type { HttpBot } from "./bot-surface.js";
export {
  type AlertmanagerConfig,
  type GithubConfig,
  type GithubEventKind,
  type HookConfig,
  type HttpConfig,
  type HttpConfigInput,
  httpConfigSchema,
  type RateLimit,
  type WebConfig,
} from "./config.js";
export { type HttpServer, type StartHttpServerOptions, startHttpServer } from "./server.js";
