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

/** The denial for a guest running a command marked `guests: false`, or undefined when it does not apply. */
export function guestRefusal(command: AnyCommand, actor: Actor, guestRole: string): Decision | undefined {
  if (command.guests !== false || !isGuest(actor, guestRole)) return undefined;
  const who = actor.verified
    ? "you hold no role (your identity is not linked to a principal)"
    : "you are not identified with the network, so you are a guest";
  return {
    allowed: false,
    rule: `command ${command.name} (not for guests)`,
    reason: `command ${command.name} is not for guests, and ${who}`,
  };
}
