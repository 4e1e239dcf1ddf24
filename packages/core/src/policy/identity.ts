/**
 * Identity: who is speaking, as far as the network verified it. Nicks and display names never grant anything.
 * @module
 */

import type { Sender } from "../adapters/message.js";
import type { Store, StoreChanges } from "../store/store.js";
import { Policy } from "./permissions.js";
import type { PolicyConfig } from "./policy-config.js";
import { GRANTED, grantKey, readGrant, type StoredGrant, storedGrant } from "./role-grant-store.js";

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

/**
 * The store namespaces runtime grants are kept in (an approval on several instances reads them in its transaction):
 * one entry per grant (role-grant-store.ts).
 */
export const GRANT_NAMESPACES: readonly string[] = [GRANTED];

/** Entries of store namespaces as read together (namespace → `[key, value]` pairs). */
export type NamespaceEntries = ReadonlyMap<string, ReadonlyArray<readonly [string, unknown]>>;

/** Runtime role grants as read at one moment: the granted roles of each actor, and who granted each. */
export interface GrantView {
  readonly grants: ReadonlyMap<string, readonly string[]>;
  /** `actor\0role` → the principal who granted it. */
  readonly grantors: ReadonlyMap<string, string>;
}

/**
 * Maps verified network identities to principals and their roles; keeps runtime role grants in the store. On a store
 * shared by several instances (with {@link StoreChanges}) it reads the grants again whenever any instance changes
 * them; decisions that must not use a stale view pass a {@link GrantView} read from the store itself.
 */
export class IdentityDirectory {
  readonly #byIdentity = new Map<string, string>();
  #view: GrantView = { grants: new Map(), grantors: new Map() };
  readonly #roleCache = new Map<string, string[]>();
  #unverifiedRoles: string[] | undefined;
  #policy: Policy | undefined;
  #unwatch: (() => void) | undefined;
  /** The chain of reads (one at a time, in order) and the read asked for but not started yet. */
  #reads: Promise<void> = Promise.resolve();
  #queued: Promise<void> | undefined;
  /** A read tried again after a failed one. */
  #retry: NodeJS.Timeout | undefined;

  /**
   * @param onResolve called with every actor {@link resolve} returns (the bot counts them: one per message).
   * @param onReloadError called when reading the grants again after a change failed (tried again 2 s later, until
   *   a read succeeds).
   */
  constructor(
    readonly policy: PolicyConfig,
    private readonly store: Store,
    private readonly onResolve?: (network: string, actor: Actor) => void,
    private readonly onReloadError?: (error: unknown) => void,
  ) {
    for (const [principal, config] of Object.entries(policy.principals)) {
      for (const [network, ids] of Object.entries(config.identities)) {
        for (const id of Array.isArray(ids) ? ids : [ids]) this.#byIdentity.set(`${network}\u0000${id}`, principal);
      }
    }
  }

  /**
   * Loads runtime role grants from the store; on a store with {@link StoreChanges}, also starts following them (each
   * change, made through any instance, reads them again).
   */
  async load(): Promise<void> {
    const changes = this.store.changes;
    if (changes && !this.#unwatch) {
      // A failed read (the database away for a moment) is tried again until one succeeds.
      const reload = (): void =>
        void this.#read().catch((error: unknown) => {
          this.onReloadError?.(error);
          if (this.#retry || !this.#unwatch) return;
          this.#retry = setTimeout(() => {
            this.#retry = undefined;
            reload();
          }, 2000);
          this.#retry.unref?.();
        });
      const stops = GRANT_NAMESPACES.map((namespace) => changes.watch(namespace, reload));
      this.#unwatch = () => {
        for (const stop of stops) stop();
      };
    }
    await this.#read();
  }

  /** Stops following changes of the grants (the bot is stopping). */
  stop(): void {
    this.#unwatch?.();
    this.#unwatch = undefined;
    clearTimeout(this.#retry);
    this.#retry = undefined;
  }

  /** Reads the grants from the store (now, fresh: not the copy in memory). */
  async readGrants(): Promise<GrantView> {
    const entries = new Map<string, Array<[string, unknown]>>();
    for (const namespace of GRANT_NAMESPACES) entries.set(namespace, await this.store.list<unknown>(namespace));
    return this.grantsFrom(entries);
  }

  /** The grants in store entries read together (entries that are not what {@link grant} writes are ignored). */
  grantsFrom(entries: NamespaceEntries): GrantView {
    const grants = new Map<string, string[]>();
    const grantors = new Map<string, string>();
    for (const [key, value] of entries.get(GRANTED) ?? []) {
      const grant = readGrant(key, value);
      if (grant.problem) continue;
      const roles = grants.get(grant.actor);
      if (roles) roles.push(grant.role);
      else grants.set(grant.actor, [grant.role]);
      if (grant.grantor !== undefined) grantors.set(grantKey(grant.actor, grant.role), grant.grantor);
    }
    for (const roles of grants.values()) roles.sort();
    return { grants, grantors };
  }

  /**
   * Reads the grants into memory, one read at a time and in order: a read asked for while none is queued starts
   * after the running one, so the last view kept was read after the last change anyone was told about.
   */
  #read(): Promise<void> {
    if (this.#queued) return this.#queued;
    const read = this.#reads
      .catch(() => {})
      .then(async () => {
        this.#queued = undefined;
        const view = await this.readGrants();
        this.#view = view;
        this.#roleCache.clear();
      });
    this.#queued = read;
    this.#reads = read;
    return read;
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
      roles = Object.freeze(unique([...configured, ...(this.#view.grants.get(actorId) ?? [])])) as string[];
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

  /** Roles granted at runtime (in `view`; by default the grants in memory). */
  grantedRoles(actorId: string, view: GrantView = this.#view): string[] {
    return [...(view.grants.get(actorId) ?? [])];
  }

  /** An actor's roles by the grants in `view`: configured (or the guest role) plus granted. */
  rolesIn(actor: Pick<Actor, "id" | "known">, view: GrantView = this.#view): string[] {
    const configured = actor.known ? this.configuredRoles(actor.id) : [this.policy.guestRole];
    return unique([...configured, ...this.grantedRoles(actor.id, view)]);
  }

  /** Every actor with runtime grants. */
  allGrants(): Array<[string, string[]]> {
    return [...this.#view.grants.entries()]
      .map(([actor, roles]): [string, string[]] => [actor, [...roles]])
      .sort(([a], [b]) => a.localeCompare(b));
  }

  /**
   * The roles that count when `actor` approves a job requested by `requester`: configured roles, and runtime
   * grants that {@link grantCountsFor} the requester's jobs (so a requester cannot make a second account an
   * approver, directly or through a chain of accounts). `view`: the grants to decide from (default: in memory).
   */
  approvalRoles(actor: Pick<Actor, "id" | "verified">, requester: string, view: GrantView = this.#view): string[] {
    if (!actor.verified) return [];
    const granted = this.grantedRoles(actor.id, view).filter((role) =>
      this.grantCountsFor(actor.id, role, requester, view),
    );
    return unique([...this.configuredRoles(actor.id), ...granted]);
  }

  /**
   * Whether a runtime grant of `role` to `actorId` counts toward approving `requester`'s jobs: only when it was made
   * by someone other than the requester whose roles from the configuration alone let them grant it. Provenance then
   * ends at the configuration in one step: a grant made with power that itself came from a runtime grant (which the
   * requester may have made, through any number of accounts) never counts.
   */
  grantCountsFor(actorId: string, role: string, requester: string, view: GrantView = this.#view): boolean {
    const by = view.grantors.get(grantKey(actorId, role));
    if (by === undefined || by === requester) return false;
    this.#policy ??= new Policy(this.policy);
    return this.#policy.mayGrant(this.configuredRoles(by), role);
  }

  /** Who granted a runtime role (undefined for grants from before grantors were kept). */
  grantorOf(actorId: string, role: string, view: GrantView = this.#view): string | undefined {
    return view.grantors.get(grantKey(actorId, role));
  }

  /**
   * Adds a runtime role granted by `grantedBy`; returns false when the actor already had it (from the configuration,
   * or granted in the store, through any instance). The grant is its own store entry, inserted only if absent: it
   * cannot undo a concurrent change of another of the actor's roles, and of concurrent grants of one role one wins.
   */
  async grant(actorId: string, role: string, grantedBy: string): Promise<boolean> {
    if (this.configuredRoles(actorId).includes(role)) return false;
    if (!(await this.store.setIfAbsent<StoredGrant>(GRANTED, grantKey(actorId, role), storedGrant(grantedBy))))
      return false;
    this.#keep(actorId, role, grantedBy);
    return true;
  }

  /**
   * Removes a runtime role; returns false when it was not granted at runtime (by the store: the delete of the grant's
   * entry reports whether this call removed it, so of concurrent revokes one does).
   */
  async revoke(actorId: string, role: string): Promise<boolean> {
    const removed = await this.store.delete(GRANTED, grantKey(actorId, role));
    // Not in the store (revoked through another instance, not heard of yet): not in the view either.
    this.#keep(actorId, role, undefined);
    return removed;
  }

  /** Applies a grant (with its grantor) or, with `grantor` undefined, a revoke to the view in memory at once. */
  #keep(actorId: string, role: string, grantor: string | undefined): void {
    const had = this.#view.grants.get(actorId) ?? [];
    if (grantor === undefined && !had.includes(role)) return;
    const roles = grantor === undefined ? had.filter((r) => r !== role) : unique([...had, role]).sort();
    const grants = new Map(this.#view.grants);
    const grantors = new Map(this.#view.grantors);
    if (roles.length) grants.set(actorId, roles);
    else grants.delete(actorId);
    if (grantor === undefined) grantors.delete(grantKey(actorId, role));
    else grantors.set(grantKey(actorId, role), grantor);
    this.#view = { grants, grantors };
    this.#roleCache.delete(actorId);
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
