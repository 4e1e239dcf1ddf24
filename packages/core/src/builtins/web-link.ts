/**
 * Giving a signed web-view link in chat: only in a direct message, since a link is a bearer token for what its
 * owner may read and anyone in a shared room could open it.
 * @module
 */
import type { IncomingMessage } from "../adapters/message.js";
import type { WebLinkRequest } from "../plugins/web-links.js";
import { UserError } from "../runtime/errors.js";
import type { BotServices } from "../runtime/services.js";

/** A link for `principal`, or a user error in a shared room or when the web view is not configured. */
export function linkFor(bot: BotServices, message: IncomingMessage, request: WebLinkRequest, principal: string) {
  if (!message.room.direct)
    throw new UserError("links to the web view are given only in a direct message: ask me privately");
  return bot.webLinks.make(request, principal);
}
