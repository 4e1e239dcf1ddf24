/**
 * Inbound: helpers for received PRIVMSGs (is the target a channel); the rest of receiving is in irc-adapter.ts.
 * @module
 */

/** Whether `target` names a channel (its first character is one of the network's CHANTYPES). */
export function isChannelName(target: string, chantypes: readonly string[] | undefined): boolean {
  return (chantypes ?? ["#", "&"]).includes(target[0] ?? "");
}
