/**
 * Whether a message came from a device its owner verified: what rules with `requireVerifiedDevice` need.
 * @module
 */
import type { Logger } from "@switchboard/core";
import type { MatrixClient, MatrixEvent } from "matrix-js-sdk";
import { EventShieldColour } from "matrix-js-sdk/lib/crypto-api/index.js";

/**
 * True only for an encrypted event whose encryption info carries no shield: sent from a device cross-signed by its
 * owner and decrypted with keys that came from that device (not forwarded, not unsigned) — and only while the
 * owner's cross-signing identity is the one the bot first saw. Without that last check, anyone with the password
 * could log in a new device, reset cross-signing (the homeserver asks only for the password) and sign it; the SDK's
 * default shield does not mark an identity the bot never verified. Plain-text events, and any event the crypto
 * cannot vouch for, are false.
 */
export async function fromVerifiedDevice(client: MatrixClient, event: MatrixEvent, logger?: Logger): Promise<boolean> {
  const crypto = client.getCrypto();
  const sender = event.getSender();
  if (!event.isEncrypted() || !crypto || !sender) return false;
  const info = await crypto.getEncryptionInfoForEvent(event).catch(() => null);
  if (info?.shieldColour !== EventShieldColour.NONE) return false;
  const identity = await crypto.getUserVerificationStatus(sender).catch(() => null);
  if (!identity) return false;
  if (identity.needsUserApproval) {
    logger?.warn(
      { sender, eventId: event.getId() },
      "the sender's cross-signing identity changed since the bot first saw it; their devices count as unverified",
    );
    return false;
  }
  return true;
}

/**
 * The refusal of an approval by reaction, with the way out when a verified device was needed: most clients
 * (matrix-js-sdk, so Element Web) send reactions unencrypted, and nothing in a plain-text event shows the device.
 */
export function reactionRefusal(text: string, event: MatrixEvent, approveCommand: string): string {
  if (event.isEncrypted() || !/verified device/.test(text)) return text;
  return `${text}: reactions are sent unencrypted, so they cannot show which device sent them; approve with "${approveCommand}" from a verified device`;
}
