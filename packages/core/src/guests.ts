/**
 * Guests: people who hold no role but the guest role (senders the network did not verify, and verified identities
 * nobody linked to a principal or granted a role). Commands that act on jobs and approvals are not for them.
 * @module
 */
import type { AnyCommand } from "./command.js";
import type { Actor } from "./identity.js";
import type { Decision } from "./permissions.js";

/** Whether the actor holds nothing but the guest role. */
export function isGuest(actor: Actor, guestRole: string): boolean {
  return actor.roles.every((role) => role === guestRole);
}

/**
 * Why a verified sender holds nothing: their login is not linked to a principal. Names the login and where it would
 * be linked, so the owner of a demo running under another login sees why they are a guest.
 */
export function unlinkedLogin(actor: Actor): string {
  return `your login ${actor.sender.id} is not a principal: no principal lists it (identities: { ${actor.network}: ${actor.sender.id} }), so you are a guest`;
}

/** The denial for a guest running a command marked `guests: false`, or undefined when it does not apply. */
export function guestRefusal(command: AnyCommand, actor: Actor, guestRole: string): Decision | undefined {
  if (command.guests !== false || !isGuest(actor, guestRole)) return undefined;
  const who = actor.verified
    ? actor.known
      ? "you hold no role"
      : unlinkedLogin(actor)
    : "you are not identified with the network, so you are a guest";
  return {
    allowed: false,
    rule: `command ${command.name} (not for guests)`,
    reason: `command ${command.name} is not for guests, and ${who}`,
  };
}
