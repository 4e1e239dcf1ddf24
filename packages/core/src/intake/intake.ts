/**
 * Intake: the one path a received message takes into core. Addressing (is it for the bot, and what is the command
 * text), the sender's identity (resolved once, here), the rate limits and the stale-command guard run in this
 * order, once per message; what passes goes to dispatch with the resolved actor.
 * @module
 */
import type { ReceiveOptions } from "../adapters/adapter.js";
import type { IncomingMessage } from "../adapters/message.js";
import type { Responder } from "../jobs/jobs.js";
import type { Actor, IdentityDirectory } from "../policy/identity.js";
import type { RateLimiter } from "../policy/rate-limit.js";
import type { EventBus } from "../runtime/events.js";
import type { Logger } from "../runtime/logger.js";
import { type AddressingOptions, extractCommandText } from "./addressing.js";
import { deliver } from "./dispatch.js";
import { staleCommandNotice } from "./stale-guard.js";

/** What intake needs from the bot. */
export interface IntakeDeps {
  addressing: AddressingOptions;
  identity: IdentityDirectory;
  events: EventBus;
  logger: Logger;
  limiter: RateLimiter | undefined;
  /** The stale-command limit of a network, in ms. */
  staleAfterMs(network: string): number;
  /** Runs a command line for an actor (dispatch). */
  dispatch(message: IncomingMessage, text: string, respond: Responder, actor: Actor): Promise<void>;
}

/**
 * The command text of a message, or undefined when it is not for the bot: the prefix, the bot's names and
 * `nick` (its current nick on the network, when that differs), or every message of a direct conversation.
 */
export function commandTextOf(
  addressing: AddressingOptions,
  text: string,
  { direct, nick }: { direct: boolean; nick?: string | undefined },
): string | undefined {
  const names = nick && !addressing.names.includes(nick) ? [...addressing.names, nick] : addressing.names;
  return extractCommandText(text, { prefix: addressing.prefix, names, direct });
}

/** Takes one received message through addressing, identity, rate limits and the stale guard into dispatch. */
export function intake(
  deps: IntakeDeps,
  message: IncomingMessage,
  respond: Responder,
  options: ReceiveOptions,
): Promise<void> {
  const text = addressedText(deps.addressing, message, options);
  if (deps.events.has("message.received"))
    deps.events.emit("message.received", { network: message.network, command: text !== undefined });
  if (text === undefined) return Promise.resolve();
  const actor = deps.identity.resolve(message.network, message.sender);
  const admission = deps.limiter?.admit(actor);
  if (admission && !admission.ok)
    return admission.notice ? deliver(respond, deps.logger, admission.notice, "notice") : Promise.resolve();
  const stale = staleCommandNotice(text, message.time, deps.staleAfterMs(message.network));
  const handling = stale ? deliver(respond, deps.logger, stale) : deps.dispatch(message, text, respond, actor);
  return admission?.release ? releasing(handling, admission.release) : handling;
}

/** Settles as `handling` does, calling `release` once it has. */
async function releasing(handling: Promise<void>, release: () => void): Promise<void> {
  try {
    await handling;
  } finally {
    release();
  }
}

function addressedText(
  addressing: AddressingOptions,
  message: IncomingMessage,
  options: ReceiveOptions,
): string | undefined {
  const { addressed } = options;
  if (addressed === true) return message.text.trim() || undefined;
  if (addressed !== undefined) return addressed.command;
  return commandTextOf(addressing, message.text, { direct: message.room.direct, nick: options.nick });
}
