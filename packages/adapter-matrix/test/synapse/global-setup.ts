/**
 * Vitest global setup: builds the Synapse chroot once, before any test file starts, when it is missing (so no test
 * hook has to wait for it). A failure is printed and left to the Matrix tests, which then fail with the message.
 * @module
 */
import { ensureChroot } from "./homeserver.js";

export default async function setup(): Promise<void> {
  try {
    await ensureChroot();
  } catch (error) {
    console.error(`Matrix tests: ${error instanceof Error ? error.message : String(error)}`);
  }
}
