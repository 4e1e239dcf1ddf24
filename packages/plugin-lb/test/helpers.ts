/** Shared by the lb tests: who may do what, and a harness with the plugin pointed at real HAProxy instances. */
import type { PolicyConfigInput } from "@switchboard/core";
import { createHarness, type Harness } from "@switchboard/testing";
import lb from "../src/index.js";

/** alice and bob operate (lb:read, lb:change), fiona may also force, carol approves, guests get nothing. */
export const POLICY: PolicyConfigInput = {
  roles: {
    operator: { permissions: ["lb:read", "lb:change"] },
    forcer: { permissions: ["lb:*"] },
    approver: { permissions: ["lb:read", "lb:approve"] },
    guest: { permissions: [] },
  },
  principals: {
    alice: { roles: ["operator"], identities: { test: "alice" } },
    bob: { roles: ["operator"], identities: { test: "bob" } },
    fiona: { roles: ["forcer"], identities: { test: "fiona" } },
    carol: { roles: ["approver"], identities: { test: "carol" } },
  },
};

/** A harness whose lb plugin has `sites` (site → instance → runtime API address). */
export function lbHarness(
  sites: Record<string, Record<string, string>>,
  extra: { rules?: PolicyConfigInput["rules"]; config?: Record<string, unknown> } = {},
): Promise<Harness> {
  return createHarness({
    policy: { ...POLICY, rules: extra.rules ?? [] },
    plugins: [
      [
        lb,
        {
          sites: Object.fromEntries(Object.entries(sites).map(([site, instances]) => [site, { instances }])),
          ...extra.config,
        },
      ],
    ],
  });
}
