import { describe, expect, it } from "vitest";
import { defineCommand } from "../src/index.js";
import type { Actor } from "../src/policy/identity.js";
import { Policy, permissionMatches } from "../src/policy/permissions.js";
import { policyConfigSchema } from "../src/policy/policy-config.js";

const actor = (roles: string[], verified = true): Actor => ({
  id: "alice",
  name: "alice",
  known: true,
  verified,
  roles,
  network: "test",
  sender: { id: "alice", name: "alice", verified },
});

describe("permission patterns", () => {
  it.each([
    ["*", "deploy:run", true],
    ["deploy:*", "deploy:run", true],
    ["deploy:*", "deploy:production:force", true],
    ["deploy:*", "deploy", false],
    ["deploy:run", "deploy:run", true],
    ["deploy:run", "deploy:runner", false],
    ["deploy:*:force", "deploy:prod:force", true],
    ["puppet:*", "deploy:run", false],
  ])("%s covers %s: %s", (pattern, permission, expected) => {
    expect(permissionMatches(pattern, permission)).toBe(expected);
  });
});

describe("policy decisions", () => {
  const policy = new Policy(
    policyConfigSchema.parse({
      roles: {
        deployer: { permissions: ["deploy:*", "!deploy:production"] },
        releaser: { permissions: ["deploy:*"] },
        guest: { permissions: [] },
      },
      rules: [
        {
          name: "prod-needs-release",
          command: "deploy",
          when: { args: { env: "production" } },
          require: "deploy:production",
          approval: { permission: "deploy:approve", count: 2, ttl: "10m" },
        },
        { name: "no-deploys-in-random", command: "deploy*", when: { room: "#random" }, deny: true },
      ],
    }),
  );
  const deploy = defineCommand({
    name: "deploy",
    summary: "deploy",
    permission: "deploy:run",
    handler: () => undefined,
  });
  const decide = (roles: string[], args: Record<string, unknown>, room = "#ops", verified = true) =>
    policy.decide({ actor: actor(roles, verified), command: deploy, args, network: "test", room });

  it("allows with the role that grants the permission and says so", () => {
    const decision = decide(["deployer"], { env: "staging" });
    expect(decision).toMatchObject({ allowed: true, rule: "command deploy" });
    expect(decision.reason).toMatch(/deploy:run via role deployer \(deploy:\*\)/);
  });

  it("a rule on arguments adds a permission, and a role's !deny wins over its wildcard", () => {
    const decision = decide(["deployer"], { env: "production" });
    expect(decision).toMatchObject({ allowed: false, rule: "rule prod-needs-release" });
    expect(decision.reason).toMatch(/role deployer denies it \(!deploy:production\)/);
  });

  it("deny in one role wins over a grant in another", () => {
    expect(decide(["releaser", "deployer"], { env: "production" }).allowed).toBe(false);
  });

  it("a matching rule can require approval with its own count and ttl", () => {
    const decision = decide(["releaser"], { env: "production" });
    expect(decision).toMatchObject({
      allowed: true,
      approval: { count: 2, permission: "deploy:approve", ttlMs: 600_000, rule: "rule prod-needs-release" },
    });
  });

  it("a deny rule on the room wins over every grant", () => {
    expect(decide(["releaser"], { env: "staging" }, "#random")).toMatchObject({
      allowed: false,
      rule: "rule no-deploys-in-random",
    });
  });

  it("tells a guest why", () => {
    expect(decide(["guest"], {}, "#ops", false).reason).toMatch(/not identified with the network, so you are a guest/);
  });

  it("rejects a rule that does nothing", () => {
    expect(() => policyConfigSchema.parse({ rules: [{ name: "x", command: "deploy" }] })).toThrow(
      /at least one of require, deny, approval or requireVerifiedDevice/,
    );
  });
});

describe("decisions are cached per command and what they depend on", () => {
  const policy = new Policy(
    policyConfigSchema.parse({
      roles: { reader: { permissions: ["status:read"] }, ops: { permissions: ["status:*", "deploy:run"] } },
      rules: [
        { name: "prod-needs-ops", command: "deploy", when: { args: { env: "production" } }, require: "deploy:prod" },
        { name: "quiet-room", command: "status", when: { room: "#quiet" }, deny: true },
        { name: "matrix-devices", command: "status", when: { network: "matrix" }, requireVerifiedDevice: true },
      ],
    }),
  );
  const status = defineCommand({ name: "status", summary: "s", permission: "status:read", handler: () => "" });
  const deploy = defineCommand({ name: "deploy", summary: "d", permission: "deploy:run", handler: () => "" });
  const decide = (
    roles: string[],
    command = status,
    where: { room?: string; network?: string; args?: Record<string, unknown>; device?: boolean } = {},
  ) => {
    const a = actor(roles);
    if (where.device !== undefined) a.sender = { ...a.sender, deviceVerified: where.device };
    return policy.decide({
      actor: a,
      command,
      args: where.args ?? {},
      network: where.network ?? "irc",
      room: where.room ?? "#ops",
    });
  };

  it("a change of roles (a grant, then a revoke) is decided anew, not answered from the cache", () => {
    expect(decide([]).allowed).toBe(false);
    expect(decide(["reader"]).allowed).toBe(true);
    expect(decide([]).allowed).toBe(false);
    // The same roles in a new array are the same key: the cached decision is the same object.
    expect(decide(["reader"])).toBe(decide(["reader"]));
  });

  it("keeps room, network and device apart when a rule looks at them", () => {
    expect(decide(["reader"]).allowed).toBe(true);
    expect(decide(["reader"], status, { room: "#quiet" })).toMatchObject({ allowed: false, rule: "rule quiet-room" });
    expect(decide(["reader"]).allowed).toBe(true);
    expect(decide(["reader"], status, { network: "matrix", device: false })).toMatchObject({
      allowed: false,
      rule: "rule matrix-devices",
    });
    expect(decide(["reader"], status, { network: "matrix", device: true }).allowed).toBe(true);
    expect(decide(["reader"], status, { network: "matrix", device: false }).allowed).toBe(false);
  });

  it("decides every call anew when a rule looks at the arguments", () => {
    expect(decide(["ops"], deploy, { args: { env: "staging" } }).allowed).toBe(true);
    expect(decide(["ops"], deploy, { args: { env: "production" } })).toMatchObject({
      allowed: false,
      rule: "rule prod-needs-ops",
    });
    expect(decide(["ops"], deploy, { args: { env: "staging" } }).allowed).toBe(true);
  });

  it("tells a guest and a verified person without roles apart (the reason differs)", () => {
    const verified = policy.refusePermission(actor([], true), status);
    const guest = policy.refusePermission(actor([], false), status);
    expect(verified?.reason).not.toMatch(/guest/);
    expect(guest?.reason).toMatch(/not identified with the network, so you are a guest/);
    expect(policy.refusePermission(actor(["reader"]), status)).toBeUndefined();
  });

  it("attack: a role name holding a separator does not share a cache key with two roles", () => {
    const tricky = new Policy(
      policyConfigSchema.parse({ roles: { a: { permissions: ["status:read"] }, b: { permissions: [] } } }),
    );
    const run = (roles: string[]) =>
      tricky.decide({ actor: actor(roles), command: status, args: {}, network: "irc", room: "#ops" }).allowed;
    expect(run(["a", "b"])).toBe(true);
    expect(run(["a\u0000b"])).toBe(false);
    expect(run(["1:a"])).toBe(false);
    expect(tricky.refusePermission(actor(["a\u0000b"]), status)).toBeDefined();
  });

  it("a shared decision cannot be changed by the caller that got it", () => {
    const decision = decide(["reader"]);
    expect(() => {
      (decision as { reason: string }).reason = "forged";
    }).toThrow(TypeError);
    expect(decide(["reader"]).reason).toMatch(/you hold status:read via role reader/);
  });
});
