/**
 * The inventory (hosts and groups from the configuration, merged with an optional YAML file) and target
 * resolution: a host, a group, a glob over host names, or `all`. Lookups use Maps, so a chat word such as
 * `constructor` or `__proto__` is simply unknown.
 * @module
 */
import { readFileSync } from "node:fs";
import { UserError } from "@switchboard/core";
import { parse } from "yaml";
import { type HostConfig, type Inventory, inventorySchema, type PuppetConfig } from "./config.js";
import { globProblem, globRegExp, hostProblem, isGlob, printable } from "./names.js";

/** A host and how to reach it. */
export interface Host {
  name: string;
  config: HostConfig;
}

/** What a target word resolved to. */
export interface Target {
  /** The word as given (normalised): `fs1`, `fileservers`, `fs*`, `all`. */
  name: string;
  kind: "host" | "group" | "glob" | "all";
  /** Host names, in inventory order. */
  hosts: string[];
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

  /** Resolves a target word; throws a UserError naming what exists when it matches nothing. */
  resolve(word: string): Target {
    const name = word.trim();
    if (name === "all") return { name, kind: "all", hosts: [...this.hosts.keys()] };
    if (isGlob(name)) {
      const problem = globProblem(name);
      if (problem) throw new UserError(problem);
      const matcher = globRegExp(name);
      const hosts = [...this.hosts.keys()].filter((h) => matcher.test(h));
      if (hosts.length === 0) throw new UserError(`no host matches ${name}`, this.#known());
      return { name, kind: "glob", hosts };
    }
    const group = this.groups.get(name);
    if (group) {
      if (group.length === 0) throw new UserError(`group ${name} has no hosts in the inventory`);
      return { name, kind: "group", hosts: group };
    }
    if (this.hosts.has(name)) return { name, kind: "host", hosts: [name] };
    const problem = hostProblem(name);
    if (problem) throw new UserError(`${problem}; a target is a host, a group, a glob (fs*) or all`, this.#known());
    throw new UserError(`no host or group ${printable(name)} in the inventory`, this.#known());
  }

  /** The groups a host belongs to. */
  groupsOf(host: string): string[] {
    return [...this.groups].filter(([, members]) => members.includes(host)).map(([group]) => group);
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

  #known(): string {
    const groups = [...this.groups.keys()];
    const hosts = [...this.hosts.keys()];
    const list = (items: string[]) => (items.length > 8 ? `${items.slice(0, 8).join(", ")}, …` : items.join(", "));
    return `groups: ${groups.length ? list(groups) : "none"}; hosts: ${hosts.length ? list(hosts) : "none"} (see puppet hosts)`;
  }
}

/**
 * The inventory of the configuration, merged with `inventoryFile` when one is set (the file is read on every call,
 * so edits apply without a restart). Hosts in both: the file's settings win. Throws a UserError for a bad file.
 */
export function loadInventory(config: PuppetConfig): HostInventory {
  if (!config.inventoryFile) return new HostInventory(config.inventory);
  const file = readInventoryFile(config.inventoryFile);
  return new HostInventory({
    hosts: { ...config.inventory.hosts, ...file.hosts },
    groups: { ...config.inventory.groups, ...file.groups },
  });
}

function readInventoryFile(path: string): Inventory {
  let text: string;
  try {
    text = readFileSync(path, "utf8");
  } catch (error) {
    throw new UserError(`cannot read the inventory file ${path}: ${(error as NodeJS.ErrnoException).code ?? error}`);
  }
  let raw: unknown;
  try {
    raw = parse(text, { maxAliasCount: 100 }) ?? {};
  } catch (error) {
    throw new UserError(`the inventory file ${path} is not valid YAML: ${(error as Error).message.split("\n")[0]}`);
  }
  const parsed = inventorySchema.safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    throw new UserError(`the inventory file ${path}: ${issue.path.join(".") || "(top)"}: ${issue.message}`);
  }
  for (const group of Object.keys(parsed.data.groups))
    if (group === "all" || Object.hasOwn(parsed.data.hosts, group))
      throw new UserError(`the inventory file ${path}: group ${group} has the name of a host (or all)`);
  return parsed.data;
}
