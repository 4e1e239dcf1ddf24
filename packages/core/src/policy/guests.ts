/**
 * Guests: people who hold no role but the guest role (senders the network did not verify, and verified identities
 * nobody linked to a principal or granted a role). Closed by default: a guest may run a command only when it says
 * `guests: true` (help, whoami, why, ping) or its permission is one the guest role grants.
 * @module
 */
import type { AnyCommand } from "../commands/command.js";
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

/**
 * The denial for a guest running a command that is not open to guests (`guests: false`, or no `guests: true` and no
 * permission), or undefined when it does not apply. A command with a permission is decided by that permission.
 */
export function guestRefusal(command: AnyCommand, actor: Actor, guestRole: string): Decision | undefined {
  if (command.guests === true || !isGuest(actor, guestRole)) return undefined;
  if (command.guests !== false && command.permission) return undefined;
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

/**
 * The start-time registry check: every command must say who may run it — a `permission`, or `guests` (true: anyone,
 * false: anyone holding a role). Throws naming each command that says neither, so nothing is open by omission.
 */
export function assertAccessDeclared(commands: readonly AnyCommand[]): void {
  const open = commands.filter((c) => !c.permission && c.guests === undefined);
  if (open.length === 0) return;
  const names = open.map((c) => `"${c.name}"${c.plugin ? ` (plugin ${c.plugin})` : ""}`).join(", ");
  throw new Error(
    `command ${names} declares neither a permission nor who may run it without one: give it a permission, ` +
      "or guests: true (anyone, guests included) or guests: false (anyone holding a role)",
  );
}
