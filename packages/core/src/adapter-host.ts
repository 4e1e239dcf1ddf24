/**
 * The host side of the adapter contract: what one adapter may call on the bot.
 * @module
 */
import type { ActionResult, Adapter, AdapterHost, AdapterStatus, ApprovalAction, ReceiveOptions } from "./adapter.js";
import type { ApprovalDesk } from "./approval-desk.js";
import type { AuditLog } from "./audit.js";
import { UserError } from "./errors.js";
import type { EventBus } from "./events.js";
import type { IdentityDirectory } from "./identity.js";
import type { Logger } from "./logger.js";
import type { IncomingMessage } from "./message.js";
import type { RouteTable } from "./routes.js";

/** What the bot lends to every adapter host. */
export interface AdapterHostDeps {
  receive(message: IncomingMessage, options?: ReceiveOptions): Promise<void>;
  isCommand(text: string, direct: boolean): boolean;
  desk: ApprovalDesk;
  identity: IdentityDirectory;
  auditLog: AuditLog;
  events: EventBus;
  routes: RouteTable;
  statuses: Map<string, AdapterStatus>;
  logger: Logger;
  botName: string;
  prefix: string;
  aliases: string[];
}

/** Builds the host for one adapter. */
export function createAdapterHost(adapter: Adapter, deps: AdapterHostDeps): AdapterHost {
  const logger = deps.logger.child({ network: adapter.network });
  return {
    receive: deps.receive,
    isCommand: deps.isCommand,
    decide: (action) => decide(action, deps, logger),
    status(status) {
      const before = deps.statuses.get(adapter.network);
      deps.statuses.set(adapter.network, status);
      if (
        before?.connected !== status.connected ||
        before?.detail !== status.detail ||
        before?.lease?.role !== status.lease?.role
      )
        deps.events.emit("adapter.status", { network: adapter.network, ...status });
    },
    route: (route) => deps.routes.add({ ...route, source: route.source ?? `adapter ${adapter.network}` }),
    events: deps.events,
    logger,
    botName: deps.botName,
    prefix: deps.prefix,
    aliases: deps.aliases,
  };
}

/**
 * A reaction or button: the same desk calls as `approve`/`deny`, for the person the network says acted.
 * A refusal is audited as a denied decision, like a refused `approve` command.
 */
async function decide(action: ApprovalAction, deps: AdapterHostDeps, logger: Logger): Promise<ActionResult> {
  const actor = deps.identity.resolve(action.network, action.sender);
  try {
    const text =
      action.decision === "approve"
        ? await deps.desk.approve(action.jobId, actor)
        : await deps.desk.deny(action.jobId, actor);
    return { ok: true, text };
  } catch (error) {
    if (!(error instanceof UserError)) throw error;
    await deps.auditLog
      .append([
        {
          event: "denied",
          jobId: action.jobId,
          actor: actor.id,
          command: action.decision,
          network: action.network,
          ...(action.room ? { room: action.room.id } : {}),
          decision: "denied",
          outcome: "denied",
          rule: "approval",
          detail: { reason: error.message, via: "reaction or button" },
        },
      ])
      .catch((err: unknown) => logger.error({ err }, "could not write to the audit log"));
    return { ok: false, text: error.message };
  }
}
