/**
 * `lb drain|disable|enable <backend>/<server>` and `lb weight <backend>/<server> <n>`: the same change on every
 * instance of the site, each result read back from HAProxy and reported, posted to the configured rooms and audited.
 * The check (before any approval) finds the server in the live lists and takes its state and sessions as facts the
 * approver sees; the handler reads the state again and applies the last-server guard once more before changing.
 * @module
 */
import {
  type AnyCommand,
  arg,
  type CommandContext,
  defineCommand,
  out,
  type PluginHandle,
  type Reply,
  UserError,
} from "@switchboard/core";
import { type Action, apply, describeAction, factsOf, guardLastServer, locate, takesOut } from "../change.js";
import { PERMISSIONS } from "../permissions.js";
import { siteName, snapshot } from "../site.js";
import type { LbState } from "../state.js";
import { backendArg, serverArg, siteArg } from "./args.js";

const forceArg = arg.flag({ description: "take out the last server taking traffic too (needs lb:force)" });

/** The prepared arguments every change has (`lb enable` has no `--force`). */
interface ChangeArgs {
  backend: string;
  server: string;
  site?: string | undefined;
  force?: boolean | undefined;
}

type Facts = { state: string; sessions: string };

/** What a change needs from the job besides its arguments. */
type JobParts = Pick<CommandContext<ChangeArgs, Facts>, "signal" | "message" | "actor" | "job">;

/** Finds the server on every instance of the prepared site (see {@link locate}). */
async function locateTarget(handle: PluginHandle<LbState>, args: ChangeArgs, signal: AbortSignal) {
  const site = args.site!;
  return locate(await snapshot(handle.state.sites.get(site)!, signal), site, args.backend, args.server);
}

/** The check of every change: the server is there, the guard lets it pass; its state and sessions become facts. */
async function checkChange(handle: PluginHandle<LbState>, action: Action, args: ChangeArgs, signal: AbortSignal) {
  const located = await locateTarget(handle, args, signal);
  guardLastServer(located, action, { force: args.force === true });
  return factsOf(located);
}

/** What one instance did. */
interface Outcome {
  instance: string;
  ok: boolean;
  result: string;
  after?: { status: string; weight: number; current: number };
}

async function runChange(
  handle: PluginHandle<LbState>,
  action: Action,
  args: ChangeArgs,
  { signal, message, actor, job }: JobParts,
): Promise<Reply> {
  const state = handle.state;
  const site = args.site!;
  const { backend, server } = args;
  const force = args.force === true;
  // Read again: the approval may have taken minutes, and another change may have happened since the check.
  const located = await locateTarget(handle, args, signal);
  guardLastServer(located, action, { force });
  const outcomes: Outcome[] = [];
  for (const { instance } of located) {
    try {
      await apply(instance, backend, server, action, signal);
      const row = (await instance.servers(signal)).find((r) => r.backend === backend && r.server === server);
      outcomes.push({
        instance: instance.name,
        ok: true,
        result: "done",
        ...(row ? { after: { status: row.status, weight: row.weight, current: row.current } } : {}),
      });
    } catch (error) {
      outcomes.push({ instance: instance.name, ok: false, result: (error as Error).message });
    }
  }
  const failed = outcomes.filter((o) => !o.ok);
  for (const o of outcomes)
    await state.audit({
      event: "plugin",
      network: message.network,
      room: message.room.id,
      outcome: o.ok ? "succeeded" : "failed",
      detail: {
        plugin: "lb",
        event: "change",
        job: job.id,
        actor: actor.id,
        site,
        instance: o.instance,
        backend,
        server,
        action: describeAction(action),
        force,
        result: o.result,
        ...(o.after ? { after: `${o.after.status}, weight ${o.after.weight}` } : {}),
      },
    });
  const what = `${describeAction(action)} ${backend}/${server} on ${site}`;
  const headline =
    failed.length === 0
      ? out.status("ok", `${actor.name}: ${what}: done on ${outcomes.map((o) => o.instance).join(", ")}`)
      : out.status("fail", `${actor.name}: ${what}: failed on ${failed.map((o) => o.instance).join(", ")}`);
  const table = out.table(
    ["instance", "result", "state", "weight", "current"],
    outcomes.map((o) => [
      o.instance,
      o.result,
      o.after?.status ?? "-",
      o.after ? String(o.after.weight) : "-",
      o.after ? String(o.after.current) : "-",
    ]),
  );
  const reply: Reply = [headline, table];
  if (force && takesOut(action)) reply.push(out.status("warn", `forced past the last-server guard`));
  for (const room of state.config.rooms)
    if (room.network !== message.network || room.room !== message.room.id) await state.announce(room, reply);
  if (failed.length === outcomes.length)
    throw new UserError(`${what} failed: ${failed.map((o) => `${o.instance}: ${o.result}`).join("; ")}`);
  return reply;
}

function changeCommand(
  handle: PluginHandle<LbState>,
  kind: "drain" | "disable" | "enable",
  summary: string,
): AnyCommand {
  return defineCommand({
    name: `lb ${kind}`,
    summary,
    examples: [`lb ${kind} web/fe2`, `lb ${kind} web/fe2 --site dc2`],
    pattern: "{backend}/{server}",
    permission: PERMISSIONS.change,
    sideEffect: true,
    args: {
      backend: backendArg,
      server: serverArg,
      site: siteArg,
      ...(kind === "enable" ? {} : { force: forceArg }),
    },
    prepare: ({ args }) => ({ ...args, site: siteName(handle.state.config, args.site) }),
    requirements: (args: ChangeArgs) => (args.force ? [{ reason: "force", permission: PERMISSIONS.force }] : []),
    check: ({ args, signal }): Promise<Facts> => checkChange(handle, { kind }, args, signal),
    handler: (ctx) => runChange(handle, { kind }, ctx.args, ctx),
  });
}

function weightCommand(handle: PluginHandle<LbState>): AnyCommand {
  return defineCommand({
    name: "lb weight",
    summary: "Set a server's weight (0–256) on every instance of the site; 0 takes it out of rotation",
    examples: ["lb weight web/fe2 10", "lb weight web/fe2 0 --force"],
    pattern: "{backend}/{server} {weight}",
    permission: PERMISSIONS.change,
    sideEffect: true,
    args: {
      backend: backendArg,
      server: serverArg,
      weight: arg.number({
        required: true,
        description: "the weight, 0–256",
        validate: (n) =>
          Number.isInteger(n) && n >= 0 && n <= 256 ? undefined : "weight is a whole number from 0 to 256",
      }),
      site: siteArg,
      force: forceArg,
    },
    prepare: ({ args }) => ({ ...args, site: siteName(handle.state.config, args.site) }),
    requirements: (args) => (args.force ? [{ reason: "force", permission: PERMISSIONS.force }] : []),
    check: ({ args, signal }): Promise<Facts> =>
      checkChange(handle, { kind: "weight", weight: args.weight }, args, signal),
    handler: (ctx) => runChange(handle, { kind: "weight", weight: ctx.args.weight }, ctx.args, ctx),
  });
}

/** Every command that changes a server. */
export function changeCommands(handle: PluginHandle<LbState>): AnyCommand[] {
  return [
    changeCommand(
      handle,
      "drain",
      "Drain a server on every instance of the site: no new sessions, current ones finish",
    ),
    changeCommand(handle, "disable", "Put a server into maintenance on every instance of the site (out of rotation)"),
    changeCommand(handle, "enable", "Put a server back into rotation on every instance of the site (ready)"),
    weightCommand(handle),
  ];
}
