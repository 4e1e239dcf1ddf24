/**
 * `logs <service> [on <host|group|glob>] [--since 10m] [--grep text] [--lines N]`: the newest lines of a service's
 * configured sources. Only configured services, files and units are read; chat picks a service, hosts within the
 * service's hosts, a time and a fixed string — never a path, a command or a pattern.
 * @module
 */
import {
  type Actor,
  arg,
  defineCommand,
  formatDuration,
  type IncomingMessage,
  out,
  type PluginHandle,
  type Reply,
  suggest,
  UserError,
} from "@switchboard/core";
import type { LogsConfig, ServiceConfig } from "../config.js";
import type { Host } from "../inventory.js";
import { printable, SERVICE_PATTERN } from "../names.js";
import { readPermission } from "../permissions.js";
import { readSource, type SourceResult, sourceLabel } from "../read.js";
import { type Asked, fitsRoom, fullOutput, roomOutput } from "../render.js";
import type { LogsState } from "../state.js";

/** The longest `--grep` text. */
const MAX_GREP = 200;

function serviceOf(config: LogsConfig, name: string): ServiceConfig | undefined {
  return Object.hasOwn(config.services, name) ? config.services[name] : undefined;
}

function unknownService(config: LogsConfig, name: string): UserError {
  const names = Object.keys(config.services);
  const close = suggest(name, names);
  return new UserError(
    `no service ${printable(name)}${close.length ? `; did you mean ${close.join(" or ")}?` : ""}`,
    `services: ${names.join(", ")} (logs lists them)`,
  );
}

/** The hosts a service is read on: `on <target>` within the service's hosts; `undefined` for this machine. */
export function hostsFor(
  state: LogsState,
  service: ServiceConfig,
  name: string,
  target?: string,
): string[] | undefined {
  if (service.hosts === undefined) {
    if (target !== undefined) throw new UserError(`${name} is read on this machine only; it has no hosts to pick from`);
    return undefined;
  }
  const allowed = state.inventory.resolve(service.hosts);
  if (target === undefined) return allowed;
  return state.inventory.resolve(target, allowed);
}

/** The logs command. */
export function logsCommand(config: LogsConfig, handle: PluginHandle<LogsState>) {
  return defineCommand({
    name: "logs",
    summary: "The newest lines of a service's logs, on its hosts or one of them, filtered by time and text",
    examples: ["logs web", "logs web on fe2 --since 10m --grep error", "logs web on fe* --lines 20", "logs"],
    pattern: "[{service}] [on {target}]",
    guests: false,
    timeoutMs: Math.max(5 * 60_000, config.timeout * 6),
    args: {
      service: arg.string({ description: "a configured service; needs logs:read:<service> (logs alone lists them)" }),
      target: arg.string({ description: "a host, group or glob (fe*) among the service's hosts, or all" }),
      since: arg.duration({ description: "only lines from this long ago (10m, 2h)" }),
      grep: arg.string({ description: "only lines containing this text (a fixed string, any case)" }),
      lines: arg.number({ description: `the newest N lines per host and source (default ${config.defaultLines})` }),
    },
    prepare: ({ args, actor }) => {
      if (args.service === undefined) {
        if (args.target !== undefined || args.since !== undefined || args.grep !== undefined)
          throw new UserError("name a service first: logs <service> [on <host>] …");
        return args;
      }
      const name = args.service;
      if (!SERVICE_PATTERN.test(name)) throw new UserError(`"${printable(name)}" is not a service name`);
      const service = serviceOf(config, name);
      // People the configuration knows get a suggestion; others learn nothing here (the permission check refuses).
      if (!service) {
        if (actor.known) throw unknownService(config, name);
        return args;
      }
      const lines = args.lines ?? config.defaultLines;
      if (!Number.isInteger(lines) || lines < 1 || lines > config.maxLines)
        throw new UserError(`--lines is a whole number from 1 to ${config.maxLines}`);
      if (args.since !== undefined) {
        if (args.since <= 0 || args.since > config.maxSince)
          throw new UserError(`--since is a duration from 1s to ${formatDuration(config.maxSince)}`);
        const untimed = service.sources.filter((s) => "path" in s && s.timestamps === "none");
        if (untimed.length)
          throw new UserError(
            `--since is not supported for ${untimed.map((s) => sourceLabel(s, undefined)).join(", ")} of ${name}: ` +
              "its lines have no configured timestamp format",
            "the configuration can name one per file (timestamps: iso8601 or clf); use --lines or --grep meanwhile",
          );
      }
      if (args.grep !== undefined) {
        // biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are refused
        if (args.grep.length === 0 || args.grep.length > MAX_GREP || /[\u0000-\u001f\u007f]/.test(args.grep))
          throw new UserError(`--grep is 1 to ${MAX_GREP} printable characters`);
      }
      const target = args.target?.trim();
      if (target !== undefined) hostsFor(handle.state, service, name, target);
      return { ...args, target, lines };
    },
    requirements: (args) =>
      args.service === undefined
        ? []
        : [{ reason: `service ${args.service}`, permission: readPermission(args.service) }],
    check: ({ args }) => {
      if (args.service === undefined) return {};
      const service = serviceOf(config, args.service);
      if (!service) throw unknownService(config, args.service);
      const hosts = hostsFor(handle.state, service, args.service, args.target);
      return { hosts: hosts ? hosts.join(",") : "local" };
    },
    handler: async (ctx) => {
      const state = handle.state;
      const { args } = ctx;
      if (args.service === undefined) return listServices(state);
      const service = serviceOf(config, args.service)!;
      const hosts = checkedHosts(state, ctx.checked.hosts);
      const since = args.since === undefined ? undefined : Date.now() - args.since;
      const lines = args.lines ?? config.defaultLines;
      const results = await pool(hosts, config.concurrency, async (host) => {
        const found: SourceResult[] = [];
        for (const source of service.sources)
          found.push(
            await readSource(config, state.redactor, {
              host,
              source,
              since,
              grep: args.grep,
              lines,
              signal: ctx.signal,
            }),
          );
        return found;
      });
      const all = results.flat();
      const asked: Asked = { service: args.service, since: args.since, grep: args.grep, lines };
      if (ctx.message.room.direct || fitsRoom(all, config.output.roomLines)) return fullOutput(asked, all);
      return deliverLong(state, ctx, asked, all);
    },
  });
}

/** The hosts the check fixed (`local`: this machine); every name is one of the inventory's. */
function checkedHosts(state: LogsState, checked: unknown): Array<Host | undefined> {
  if (checked === "local") return [undefined];
  const names = typeof checked === "string" ? checked.split(",") : [];
  const hosts = names.map((name) => state.inventory.hosts.get(name));
  if (hosts.length === 0 || hosts.some((h) => h === undefined)) throw new Error(`unexpected checked hosts ${checked}`);
  return hosts;
}

/**
 * Output longer than the room should see: the newest lines in the room, and the whole output in a thread of that
 * message where the network has threads, else privately to the asker, else a note saying how to narrow it.
 */
async function deliverLong(
  state: LogsState,
  ctx: { message: IncomingMessage; actor: Actor },
  asked: Asked,
  results: SourceResult[],
): Promise<Reply | undefined> {
  const { config, delivery } = state;
  const total = results.reduce((sum, r) => sum + r.lines.length, 0);
  const { network, room, thread } = ctx.message;
  if (delivery.capabilities(network)?.threads) {
    const where = { network, room: room.id, ...(thread ? { thread } : {}) };
    const note = `The whole output (${total} lines) is in the thread of this message.`;
    const sent = await delivery.announce(where, roomOutput(asked, results, config.output.roomLines, note));
    if (sent) {
      await delivery.announce(where, fullOutput(asked, results), { inThreadOf: sent });
      return undefined;
    }
  }
  const reached = ctx.actor.known ? await delivery.directMessage(ctx.actor.id, fullOutput(asked, results)) : [];
  const rest = reached.length
    ? `The whole output (${total} lines) was sent to you privately (${reached.join(", ")}).`
    : "Older lines were left out, and the bot has no private conversation with you to send them to: narrow it with --lines, --since or --grep, or ask in a direct message.";
  return roomOutput(asked, results, config.output.roomLines, rest);
}

function listServices(state: LogsState) {
  const rows = Object.entries(state.config.services).map(([name, service]) => [
    name,
    service.description ?? "",
    service.sources.map((s) => sourceLabel(s, undefined)).join(", "),
    service.hosts ?? "this machine",
  ]);
  return [out.table(["service", "what", "sources", "hosts"], rows)];
}

/** Runs `work` over `items`, `limit` at a time, keeping their order. */
async function pool<T, R>(items: T[], limit: number, work: (item: T) => Promise<R>): Promise<R[]> {
  const results: R[] = new Array(items.length);
  let next = 0;
  const runners = Array.from({ length: Math.min(limit, items.length) }, async () => {
    while (next < items.length) {
      const index = next++;
      results[index] = await work(items[index]!);
    }
  });
  await Promise.all(runners);
  return results;
}
