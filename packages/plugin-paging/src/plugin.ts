/**
 * The paging plugin: configuration schema, commands, and setup (the provider, the escalation timer of the local
 * rota, the PagerDuty webhook route).
 * @module
 */
import {
  type AnyCommand,
  definePlugin,
  type PluginHandle,
  type PluginInstance,
  type PluginSetupContext,
} from "@switchboard/core";
import { IncidentAnnouncer } from "./announcer.js";
import { incidentCommands } from "./commands/incidents.js";
import { linkCommands } from "./commands/link.js";
import { oncallCommands } from "./commands/oncall.js";
import { pagerMeCommand } from "./commands/pager-me.js";
import { scheduleCommands } from "./commands/schedules.js";
import { triggerCommands } from "./commands/trigger.js";
import { updateCommands } from "./commands/update.js";
import { type PagingConfig, pagingConfigSchema } from "./config.js";
import { Links } from "./links.js";
import { PERMISSIONS } from "./permissions.js";
import type { PagingState } from "./state.js";

/** Every command of the plugin; handlers read the state setup created. */
export function pagingCommands(_config: PagingConfig, handle: PluginHandle<PagingState>): AnyCommand[] {
  return [
    ...oncallCommands(handle),
    pagerMeCommand(handle),
    ...linkCommands(handle),
    ...incidentCommands(handle),
    ...updateCommands(handle),
    ...triggerCommands(handle),
    ...scheduleCommands(handle),
  ];
}

/** How often the local rota looks for incidents to escalate: a quarter of the shortest escalation time, 50 ms–5 s. */
export function escalationTick(config: PagingConfig): number {
  const times = [
    config.local.escalateAfter,
    ...Object.values(config.local.services).map((s) => s.escalateAfter ?? Infinity),
  ];
  return Math.min(5000, Math.max(50, Math.floor(Math.min(...times) / 4)));
}

async function setup(context: PluginSetupContext<PagingConfig>): Promise<PluginInstance<PagingState>> {
  const { config, store, logger } = context;
  const links = new Links(store, config);
  const announcer = new IncidentAnnouncer(
    store,
    (target, output, options) => context.announce(target, output, options),
    logger,
  );

  if (config.provider === "pagerduty") {
    const pd = config.pagerduty!;
    const { PagerDutyProvider } = await import("./pagerduty/provider.js");
    const provider = new PagerDutyProvider(pd, links, config.defaultSchedule);
    if (pd.webhook) {
      const { pagerDutyWebhookRoute } = await import("./pagerduty/webhook.js");
      context.route(
        pagerDutyWebhookRoute({
          config,
          webhook: pd.webhook,
          store,
          announcer,
          audit: (r) => context.audit(r),
          logger,
        }),
      );
    }
    return { state: { config, provider, links, pagerduty: provider } };
  }

  const [{ LocalRota }, { rotaListener }] = await Promise.all([
    import("./rota/provider.js"),
    import("./rota/notify.js"),
  ]);
  const rota = new LocalRota(
    config.local,
    store,
    config.defaultSchedule,
    rotaListener(config, context, announcer),
    logger,
  );
  if (config.local.alertmanager) {
    const { alertmanagerRoute } = await import("./rota/alertmanager.js");
    const hook = config.local.alertmanager;
    context.route(alertmanagerRoute({ hook, rota, store, audit: (r) => context.audit(r), logger }));
  }
  let running = false;
  const timer = setInterval(() => {
    if (running) return;
    running = true;
    rota
      .escalate()
      .catch((err) => logger.error({ err }, "escalation check failed"))
      .finally(() => {
        running = false;
      });
  }, escalationTick(config));
  timer.unref();
  return { state: { config, provider: rota, links }, teardown: () => clearInterval(timer) };
}

/** The plugin. */
export const pagingPlugin = definePlugin<PagingConfig, PagingState>({
  name: "paging",
  description: "Who is on call, take the pager, acknowledge and resolve incidents (PagerDuty, or a built-in rota)",
  configSchema: pagingConfigSchema,
  permissions: PERMISSIONS,
  commands: pagingCommands,
  setup,
});
