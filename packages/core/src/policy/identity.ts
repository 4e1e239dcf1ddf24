/**
 * Identity: who is speaking, as far as the network verified it. Nicks and display names never grant anything.
 * @module
 */

import type { Sender } from "../adapters/message.js";
import type { Store } from "../store/store.js";
import { Policy } from "./permissions.js";
import type { PolicyConfig } from "./policy-config.js";

/** The person behind a message, with the roles they hold right now. */
export interface Actor {
  /** Principal id; `<network>:<id>` for a verified identity not linked to a principal; `guest:<network>:<id>` otherwise. */
  id: string;
  /** What to call them. */
  name: string;
  /** True when the id comes from a configured principal. */
  known: boolean;
  /** True when the network verified the sender. */
  verified: boolean;
  /**
   * Roles from config and runtime grants (a guest has only the guest role). As resolved by the bot, a frozen list
   * that stays the same array until the actor's roles change.
   */
  roles: string[];
  network: string;
  sender: Sender;
}

const GRANTS = "role-grants";
const GRANTORS = "role-grantors";
const grantKey = (actorId: string, role: string) => `${actorId}\u0000${role}`;

/** Maps verified network identities to principals and their roles; keeps runtime role grants in the store. */
export class IdentityDirectory {
  readonly #byIdentity = new Map<string, string>();
  #grants = new Map<string, string[]>();
  /** Who granted each runtime role (`actor\0role` → principal id). */
  #grantors = new Map<string, string>();
  readonly #roleCache = new Map<string, string[]>();
  #unverifiedRoles: string[] | undefined;
  #policy: Policy | undefined;

  /**
   * @param onResolve called with every actor {@link resolve} returns (the bot counts them: one per message).
   */
  constructor(
    readonly policy: PolicyConfig,
    private readonly store: Store,
    private readonly onResolve?: (network: string, actor: Actor) => void,
  ) {
    for (const [principal, config] of Object.entries(policy.principals)) {
      for (const [network, ids] of Object.entries(config.identities)) {
        for (const id of Array.isArray(ids) ? ids : [ids]) this.#byIdentity.set(`${network}\u0000${id}`, principal);
      }
    }
  }

  /** Loads runtime role grants from the store. */
  async load(): Promise<void> {
    this.#grants = new Map(await this.store.list<string[]>(GRANTS));
    this.#grantors = new Map(await this.store.list<string>(GRANTORS));
    this.#roleCache.clear();
  }

  /** The actor for a sender on a network. */
  resolve(network: string, sender: Sender): Actor {
    const actor = this.#resolve(network, sender);
    this.onResolve?.(network, actor);
    return actor;
  }

  #resolve(network: string, sender: Sender): Actor {
    const guest = this.policy.guestRole;
    if (!sender.verified) {
      return {
        id: `guest:${network}:${sender.id}`,
        name: sender.name,
        known: false,
        verified: false,
        roles: this.#guestRoles(guest),
        network,
        sender,
      };
    }
    const principal = this.#byIdentity.get(`${network}\u0000${sender.id}`);
    if (principal) {
      const config = this.policy.principals[principal]!;
      const roles = this.#rolesOf(principal, config.roles);
      return { id: principal, name: config.name ?? principal, known: true, verified: true, roles, network, sender };
    }
    const id = `${network}:${sender.id}`;
    return { id, name: sender.name, known: false, verified: true, roles: this.#rolesOf(id, [guest]), network, sender };
  }

  /**
   * Configured plus granted roles of an actor, computed once until the next grant or revoke. The list is frozen and
   * is the same array until the roles change, so the policy can cache decisions by the list itself.
   */
  #rolesOf(actorId: string, configured: string[]): string[] {
    let roles = this.#roleCache.get(actorId);
    if (!roles) {
      roles = Object.freeze(unique([...configured, ...(this.#grants.get(actorId) ?? [])])) as string[];
      this.#roleCache.set(actorId, roles);
    }
    return roles;
  }

  /** The one (frozen) role list of every unverified sender: the guest role. */
  #guestRoles(guest: string): string[] {
    if (this.#unverifiedRoles?.[0] !== guest) this.#unverifiedRoles = Object.freeze([guest]) as string[];
    return this.#unverifiedRoles;
  }

  /** Turns what someone typed (`bob`, `irc:bob`) into an actor id: a principal, or an identity on `network`. */
  actorIdFor(name: string, network: string): string {
    if (Object.hasOwn(this.policy.principals, name)) return name;
    if (name.includes(":")) {
      const [net, ...rest] = name.split(":");
      const id = rest.join(":");
      return this.#byIdentity.get(`${net}\u0000${id}`) ?? name;
    }
    return this.#byIdentity.get(`${network}\u0000${name}`) ?? `${network}:${name}`;
  }

  /** The principal a verified network identity is linked to, if any. */
  principalOf(network: string, id: string): string | undefined {
    return this.#byIdentity.get(`${network}\u0000${id}`);
  }

  /** The network identities linked to a principal in the configuration. */
  identitiesOf(principal: string): Array<{ network: string; id: string }> {
    if (!Object.hasOwn(this.policy.principals, principal)) return [];
    const identities = this.policy.principals[principal]!.identities;
    return Object.entries(identities).flatMap(([network, ids]) =>
      (Array.isArray(ids) ? ids : [ids]).map((id) => ({ network, id })),
    );
  }

  /** Every configured principal id. */
  principals(): string[] {
    return Object.keys(this.policy.principals);
  }

  /** Roles from config for an actor id. */
  configuredRoles(actorId: string): string[] {
    return Object.hasOwn(this.policy.principals, actorId) ? this.policy.principals[actorId]!.roles : [];
  }

  /** Roles granted at runtime. */
  grantedRoles(actorId: string): string[] {
    return this.#grants.get(actorId) ?? [];
  }

  /** Every actor with runtime grants. */
  allGrants(): Array<[string, string[]]> {
    return [...this.#grants.entries()].sort(([a], [b]) => a.localeCompare(b));
  }

  /**
   * The roles that count when `actor` approves a job requested by `requester`: configured roles, and runtime
   * grants that {@link grantCountsFor} the requester's jobs (so a requester cannot make a second account an
   * approver, directly or through a chain of accounts).
   */
  approvalRoles(actor: Pick<Actor, "id" | "verified">, requester: string): string[] {
    if (!actor.verified) return [];
    const granted = this.grantedRoles(actor.id).filter((role) => this.grantCountsFor(actor.id, role, requester));
    return unique([...this.configuredRoles(actor.id), ...granted]);
  }

  /**
   * Whether a runtime grant of `role` to `actorId` counts toward approving `requester`'s jobs: only when it was made
   * by someone other than the requester whose roles from the configuration alone let them grant it. Provenance then
   * ends at the configuration in one step: a grant made with power that itself came from a runtime grant (which the
   * requester may have made, through any number of accounts) never counts.
   */
  grantCountsFor(actorId: string, role: string, requester: string): boolean {
    const by = this.#grantors.get(grantKey(actorId, role));
    if (by === undefined || by === requester) return false;
    this.#policy ??= new Policy(this.policy);
    return this.#policy.mayGrant(this.configuredRoles(by), role);
  }

  /** Who granted a runtime role (undefined for grants from before grantors were kept). */
  grantorOf(actorId: string, role: string): string | undefined {
    return this.#grantors.get(grantKey(actorId, role));
  }

  /** Adds a runtime role granted by `grantedBy`; returns false when the actor already had it. */
  async grant(actorId: string, role: string, grantedBy: string): Promise<boolean> {
    const current = this.grantedRoles(actorId);
    if (current.includes(role) || this.configuredRoles(actorId).includes(role)) return false;
    const next = [...current, role].sort();
    await this.store.set(GRANTORS, grantKey(actorId, role), grantedBy);
    this.#grantors.set(grantKey(actorId, role), grantedBy);
    await this.store.set(GRANTS, actorId, next);
    this.#grants.set(actorId, next);
    this.#roleCache.delete(actorId);
    return true;
  }

  /** Removes a runtime role; returns false when it was not granted at runtime. */
  async revoke(actorId: string, role: string): Promise<boolean> {
    const current = this.grantedRoles(actorId);
    if (!current.includes(role)) return false;
    const next = current.filter((r) => r !== role);
    if (next.length) await this.store.set(GRANTS, actorId, next);
    else await this.store.delete(GRANTS, actorId);
    await this.store.delete(GRANTORS, grantKey(actorId, role));
    this.#grantors.delete(grantKey(actorId, role));
    this.#grants.set(actorId, next);
    this.#roleCache.delete(actorId);
    return true;
  }
}

function unique(values: string[]): string[] {
  return [...new Set(values)];
}

/**
 * How to name an actor in chat where it matters who acted ("approved by", "for"): a configured principal by its
 * name, anyone else by their network id — never by a display name they chose, so nobody can pose as "Alice".
 */
export function who(actor: Actor): string {
  return actor.known ? actor.name : actor.id;
}
