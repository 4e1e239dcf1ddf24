/** Shared by the status tests: who may do what, and a harness with the plugin. */
import type { PolicyConfigInput } from "@switchboard/core";
import { createHarness, type Harness } from "@switchboard/testing";
import status from "../src/index.js";

/** alice runs incidents, bob may only read, guests get nothing. */
export const POLICY: PolicyConfigInput = {
  roles: {
    comms: { permissions: ["status:*"] },
    reader: { permissions: ["status:read"] },
    guest: { permissions: [] },
  },
  principals: {
    alice: { roles: ["comms"], identities: { test: "alice" } },
    bob: { roles: ["reader"], identities: { test: "bob" } },
  },
};

/** A harness whose status plugin has `config`. */
export function statusHarness(config: Record<string, unknown>): Promise<Harness> {
  return createHarness({ policy: POLICY, plugins: [[status, config]] });
}
