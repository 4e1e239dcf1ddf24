/**
 * The host side of the adapter contract: what one adapter may call on the bot.
 * @module
 */

import type { AddressingOptions } from "../intake/addressing.js";
import { commandTextOf } from "../intake/intake.js";
import type { Responder } from "../jobs/jobs.js";
import type { Block } from "../output/output.js";
import { renderText } from "../output/render-text.js";
import type { RouteTable } from "../plugins/routes.js";
import type { Actor, IdentityDirectory } from "../policy/identity.js";
import type { EventBus } from "../runtime/events.js";
import type { Logger } from "../runtime/logger.js";
import type { ActionResult, Adapter, AdapterHost, AdapterStatus, ApprovalAction, ReceiveOptions } from "./adapter.js";
import type { IncomingMessage } from "./message.js";

/** What the bot lends to every adapter host. */
export interface AdapterHostDeps {
  receive(message: IncomingMessage, options?: ReceiveOptions): Promise<void>;
  addressing: AddressingOptions;
  identity: IdentityDirectory;
  /** Runs a command line for an actor (dispatch, without the rate limits: a click is not a flood). */
  decide(message: IncomingMessage, text: string, respond: Responder, actor: Actor): Promise<void>;
  events: EventBus;
  routes: RouteTable;
  statuses: Map<string, AdapterStatus>;
  logger: Logger;
}

/** Builds the host for one adapter. */
export function createAdapterHost(adapter: Adapter, deps: AdapterHostDeps): AdapterHost {
  const logger = deps.logger.child({ network: adapter.network });
  let actions = 0;
  return {
    receive: deps.receive,
    address(text, options) {
      const command = commandTextOf(deps.addressing, text, options.direct, options.nick);
      return command === undefined ? undefined : { command };
    },
    decide: (action) => decide(action, deps, `${adapter.network}-action-${Date.now().toString(36)}-${++actions}`),
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
    botName: deps.addressing.names[0]!,
    prefix: deps.addressing.prefix,
    aliases: deps.addressing.names.slice(1),
  };
}

const JOB_ID = /^[A-Za-z0-9_-]{1,64}$/;

/**
 * A reaction or button: runs the `approve`/`deny` command as the person the network says acted, through the same
 * dispatch as a typed `approve <id>`, so the checks and the audit records are the same whichever way people decide.
 */
async function decide(action: ApprovalAction, deps: AdapterHostDeps, id: string): Promise<ActionResult> {
  if (!JOB_ID.test(action.jobId)) return { ok: false, text: "that is not a job id" };
  const message: IncomingMessage = {
    id,
    network: action.network,
    room: action.room ?? { id: action.sender.id, direct: true },
    sender: action.sender,
    text: `${action.decision} ${action.jobId}`,
    time: new Date(),
  };
  const answers: Block[] = [];
  const respond: Responder = (output) => {
    answers.push(...output.blocks);
  };
  await deps.decide(message, message.text, respond, deps.identity.resolve(action.network, action.sender));
  const first = answers.find((block) => block.type === "status");
  const text = first?.type === "status" ? first.text : renderText(answers) || `${action.decision}: no answer`;
  const ok = first?.type === "status" && first.level === "ok";
  // A refusal before the desk (a guest, say) does not name the job: the person who clicked should see which.
  return { ok, text: ok || text.includes(action.jobId) ? text : `job ${action.jobId}: ${text}` };
}
