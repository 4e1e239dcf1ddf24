/**
 * Which PagerDuty user each chat principal acts as: from `people.<principal>.email` in the configuration, or linked
 * by the person themselves with `pager me as <email>` and kept in the plugin's store. One e-mail belongs to one
 * principal: nobody can link an address the configuration or an earlier link gives to someone else.
 * @module
 */
import type { Store } from "@switchboard/core";
import type { PagingConfig } from "./config.js";
import { ownValue } from "./names.js";

const LINKS = "links";
const EMAILS = "link-emails";

/** A principal's link to a provider user. */
export interface Link {
  email: string;
  /** PagerDuty user id, when known. */
  userId?: string;
  /** Where it came from. */
  source: "config" | "chat";
}

/** Reads and writes links. */
export class Links {
  readonly #configured = new Map<string, string>();
  readonly #people: PagingConfig["people"];

  constructor(
    private readonly store: Store,
    config: PagingConfig,
  ) {
    this.#people = config.people;
    for (const [principal, person] of Object.entries(config.people))
      if (person.email) this.#configured.set(person.email.toLowerCase(), principal);
  }

  /** The principal's link, configured first. */
  async of(principal: string): Promise<Link | undefined> {
    const configured = ownValue(this.#people, principal)?.email;
    if (configured) return { email: configured.toLowerCase(), source: "config" };
    const stored = await this.store.get<{ email: string; userId?: string }>(LINKS, principal);
    return stored ? { ...stored, source: "chat" } : undefined;
  }

  /** The principal an e-mail belongs to (configuration or chat link). */
  async ownerOf(email: string): Promise<string | undefined> {
    return this.#configured.get(email) ?? (await this.store.get<string>(EMAILS, email));
  }

  /** The principal linked to a provider user id (for naming people in replies). */
  async principalOfUser(userId: string): Promise<string | undefined> {
    for (const [principal, link] of await this.store.list<{ userId?: string }>(LINKS))
      if (link.userId === userId) return principal;
    return undefined;
  }

  /** Links `principal` to `email` (the caller has checked the e-mail is theirs to take). */
  async link(principal: string, email: string, userId: string): Promise<void> {
    const previous = await this.store.get<{ email: string }>(LINKS, principal);
    if (previous) await this.store.delete(EMAILS, previous.email);
    await this.store.set(EMAILS, email, principal);
    await this.store.set(LINKS, principal, { email, userId });
  }

  /** Removes a chat link; returns the e-mail it had. */
  async forget(principal: string): Promise<string | undefined> {
    const previous = await this.store.get<{ email: string }>(LINKS, principal);
    if (!previous) return undefined;
    await this.store.delete(LINKS, principal);
    if ((await this.store.get<string>(EMAILS, previous.email)) === principal)
      await this.store.delete(EMAILS, previous.email);
    return previous.email;
  }
}
