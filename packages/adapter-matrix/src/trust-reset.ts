/**
 * Accepting a person's new cross-signing identity (`trust reset <user>`). The bot's crypto pins the identity it
 * first saw for each person; after they reset their cross-signing (a new identity) their devices count as unverified
 * for `requireVerifiedDevice` rules (device-trust.ts) until someone accepts the new one here.
 * @module
 */
import { type TrustReset, UserError } from "@switchboard/core";
import type { MatrixClient } from "matrix-js-sdk";

const USER_ID = /^@[^:\s]+:\S+$/;

/**
 * Pins `userId`'s current cross-signing identity (and withdraws a verification requirement of an identity verified
 * earlier), and says which identity (the master key) is accepted now.
 */
export async function resetTrust(client: MatrixClient, userId: string): Promise<TrustReset> {
  if (!USER_ID.test(userId)) throw new UserError(`"${userId}" is not a Matrix user id like @alice:example.org`);
  const crypto = client.getCrypto();
  if (!crypto) throw new UserError("encryption is off on this Matrix network: the bot keeps no identities to trust");
  if (userId === client.getUserId())
    throw new UserError("that is the bot itself; its identity is set up with setup-recovery");
  // Make sure the crypto tracks the user and has their current identity before pinning it.
  await crypto.getUserDeviceInfo([userId], true);
  const keys = await client.downloadKeysForUsers([userId]);
  const identity = Object.values(keys.master_keys?.[userId]?.keys ?? {})[0];
  if (!identity) throw new UserError(`${userId} has no cross-signing identity, so there is nothing to accept`);
  const status = await crypto.getUserVerificationStatus(userId);
  const withdraw = status.wasCrossSigningVerified() && !status.isCrossSigningVerified();
  if (status.needsUserApproval) await crypto.pinCurrentUserIdentity(userId);
  if (withdraw) await crypto.withdrawVerificationRequirement(userId);
  return { identity, changed: status.needsUserApproval || withdraw };
}
