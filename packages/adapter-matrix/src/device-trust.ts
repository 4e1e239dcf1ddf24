/**
 * Whether a message came from a device its owner verified: what rules with `requireVerifiedDevice` need.
 * @module
 */
import type { MatrixClient, MatrixEvent } from "matrix-js-sdk";
import { EventShieldColour } from "matrix-js-sdk/lib/crypto-api/index.js";

/**
 * True only for an encrypted event whose encryption info carries no shield: sent from a device cross-signed by its
 * owner and decrypted with keys that came from that device (not forwarded, not unsigned). Plain-text events, and any
 * event the crypto cannot vouch for, are false.
 */
export async function fromVerifiedDevice(client: MatrixClient, event: MatrixEvent): Promise<boolean> {
  if (!event.isEncrypted()) return false;
  const info = await client
    .getCrypto()
    ?.getEncryptionInfoForEvent(event)
    .catch(() => null);
  return info?.shieldColour === EventShieldColour.NONE;
}
