/**
 * Hosts and groups (the puppet plugin's inventory shape) and target resolution: a host, a group, a glob over host
 * names, or `all` — always within the hosts a service is configured for. Lookups use Maps, so a chat word such as
 * `constructor` or `__proto__` is simply unknown.
 * @module
 */
import { UserError } from "@switchboard/core";
import type { HostConfig, Inventory } from "./config.js";
import { globProblem, globRegExp, isGlob, printable, targetProblem } from "./names.js";

/** A host and how to reach it. */
export interface Host {
  name: string;
  config: HostConfig;
}

/** The hosts and groups, ready for lookups. */
export class HostInventory {
  readonly hosts: Map<string, Host>;
  readonly groups: Map<string, string[]>;

  constructor(inventory: Inventory) {
    this.hosts = new Map(Object.entries(inventory.hosts).map(([name, config]) => [name, { name, config }]));
    this.groups = new Map();
    for (const [group, members] of Object.entries(inventory.groups)) this.groups.set(group, this.#expand(members));
  }

  /**
   * The host names a target word stands for among `known` (default: every host), in inventory order; never empty —
   * throws a UserError naming what exists when it stands for no host.
   */
  resolve(word: string, known = [...this.hosts.keys()]): string[] {
    const problem = targetProblem(word);
    if (problem) throw new UserError(`${problem}; a target is a host, a group, a glob (fe*) or all`);
    if (word === "all") {
      if (known.length === 0) throw new UserError("there are no hosts here");
      return known;
    }
    if (isGlob(word)) {
      const globIssue = globProblem(word);
      if (globIssue) throw new UserError(globIssue);
      const matcher = globRegExp(word);
      const hosts = known.filter((h) => matcher.test(h));
      if (hosts.length === 0) throw new UserError(`no host matches ${word}`, this.#list(known));
      return hosts;
    }
    const group = this.groups.get(word);
    if (group) {
      const hosts = known.filter((h) => group.includes(h));
      if (hosts.length === 0) throw new UserError(`group ${word} has no hosts here`, this.#list(known));
      return hosts;
    }
    if (this.hosts.has(word) && known.includes(word)) return [word];
    throw new UserError(`no host or group ${printable(word)} here`, this.#list(known));
  }

  #expand(members: string[]): string[] {
    const names = [...this.hosts.keys()];
    const chosen = new Set<string>();
    for (const member of members) {
      if (isGlob(member)) {
        const matcher = globRegExp(member);
        for (const host of names) if (matcher.test(host)) chosen.add(host);
      } else if (this.hosts.has(member)) chosen.add(member);
    }
    return names.filter((h) => chosen.has(h));
  }

  #list(known: string[]): string {
    const groups = [...this.groups].filter(([, m]) => m.some((h) => known.includes(h))).map(([g]) => g);
    const cut = (items: string[]) => (items.length > 8 ? `${items.slice(0, 8).join(", ")}, …` : items.join(", "));
    return `groups: ${groups.length ? cut(groups) : "none"}; hosts: ${known.length ? cut(known) : "none"}`;
  }
}
