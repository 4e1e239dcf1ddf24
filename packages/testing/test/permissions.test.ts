import { MemoryAuditLog, MemoryStore } from "@switchboard/core";
import { describe, expect, it } from "vitest";
import { createHarness } from "../src/index.js";
import { deploy, policy } from "./fixtures.js";

describe("permissions through the bot", () => {
  it("allows a holder, denies others naming the permission, and audits the decision with its rule", async () => {
    const h = await createHarness({ policy, commands: [deploy] });
    expect((await h.as("bob").say("!deploy api")).text).toMatch(/deployed api\/main to staging for bob/);
    const denied = await h.as("carol").say("!deploy api");
    expect(denied.text).toBe(
      "✖ denied: command deploy requires permission deploy:run, and your roles (approver) do not grant it",
    );
    const decision = (await h.audit()).filter((e) => e.event === "denied").at(-1);
    expect(decision).toMatchObject({ actor: "carol", decision: "denied", outcome: "denied", rule: "command deploy" });
    await h.close();
  });

  it("a deny rule on the room wins over the role", async () => {
    const h = await createHarness({ policy, commands: [deploy] });
    expect((await h.as("alice", { room: "#random" }).say("!deploy api")).text).toBe(
      '✖ denied: rule "no-deploys-in-random" forbids this',
    );
    await h.close();
  });

  it("an unverified sender is a guest, even with an admin's nick", async () => {
    const h = await createHarness({ policy, commands: [deploy] });
    const spoof = await h.as("alice", { verified: false }).say("!deploy api");
    expect(spoof.text).toMatch(/denied: .*your roles \(guest\).*you are a guest/);
    expect((await h.as("alice", { verified: false }).say("!whoami")).text).toMatch(/you are: +a guest/);
    const entry = (await h.audit()).find((e) => e.event === "denied" && e.command === "deploy");
    expect(entry?.actor).toBe("guest:test:alice");
    await h.close();
  });

  it("a verified identity nobody configured is a guest too", async () => {
    const h = await createHarness({ policy, commands: [deploy] });
    expect((await h.as("zed").say("!deploy api")).text).toMatch(/your roles \(guest\) do not grant it/);
    await h.close();
  });

  it("why explains the decision and names the rule", async () => {
    const h = await createHarness({ policy, commands: [deploy] });
    const bob = (await h.as("bob").say("!why deploy api to production")).text;
    expect(bob).toMatch(/allowed after approval: you hold deploy:run via role deployer/);
    expect(bob).toMatch(/approval: +1 × deploy:approve \(rule production-needs-approval\)/);
    const carol = (await h.as("carol").say("!why role grant bob owner")).text;
    expect(carol).toMatch(
      /denied: command role grant requires permission role:grant, and your roles \(approver\) do not grant it/,
    );
    expect(carol).toMatch(/decided by: +command role grant/);
    await h.close();
  });
});

describe("runtime role grants", () => {
  it("need a permission, persist in the store, and are audited", async () => {
    // A restart keeps the store and the audit log (one file in the app): a grant counts only with its audit entry.
    const store = new MemoryStore();
    const auditLog = new MemoryAuditLog();
    const h = await createHarness({ policy, commands: [deploy], store, auditLog });
    expect((await h.as("bob").say("!role grant zed deployer")).text).toMatch(
      /denied: command role grant requires permission role:grant/,
    );
    expect((await h.as("alice").say("!role grant zed deployer")).text).toBe("✔ test:zed now has role deployer");
    expect((await h.as("zed").say("!deploy api")).text).toMatch(/deployed/);
    expect((await h.audit()).find((e) => e.event === "role")).toMatchObject({
      actor: "alice",
      detail: { change: "grant", role: "deployer", target: "test:zed" },
    });
    await h.close();

    const again = await createHarness({ policy, commands: [deploy], store, auditLog });
    expect((await again.as("zed").say("!deploy api")).text).toMatch(/deployed/);
    expect((await again.as("alice").say("!role revoke zed deployer")).text).toBe(
      "✔ test:zed no longer has role deployer",
    );
    expect((await again.as("zed").say("!deploy api")).text).toMatch(/denied/);
    expect((await again.as("alice").say("!role revoke bob deployer")).text).toMatch(/from the configuration file/);
    await again.close();
  });

  it("nobody can hand out a role with permissions they do not hold", async () => {
    const h = await createHarness({
      policy: {
        ...policy,
        roles: { ...policy.roles, lead: { permissions: ["role:grant", "deploy:run"] } },
        principals: { ...policy.principals, erin: { roles: ["lead"], identities: { test: "erin" } } },
      },
    });
    expect((await h.as("erin").say("!role grant zed owner")).text).toBe(
      "✖ you cannot grant role owner: it grants *, which you do not hold",
    );
    const outcome = (await h.audit()).filter((e) => e.event === "outcome").at(-1);
    expect(outcome).toMatchObject({ outcome: "denied", rule: "command role grant" });
    await h.close();
  });

  it("refuses unknown roles and unverified targets", async () => {
    const h = await createHarness({ policy });
    expect((await h.as("alice").say("!role grant zed wizard")).text).toMatch(
      /no role "wizard"\nroles: owner, deployer, approver, guest/,
    );
    await h.close();
  });
});
