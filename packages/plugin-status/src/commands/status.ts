/**
 * The status commands: `status`, `status set`, `status incident`, `status update`, `status resolve`. Incident
 * changes are posted into the rooms their components map to (the plugin's `rooms` otherwise).
 * @module
 */
import {
  type AnyCommand,
  arg,
  type CommandContext,
  defineCommand,
  type IncomingMessage,
  out,
  type PluginHandle,
  type Reply,
  type RoomRef,
  UserError,
} from "@switchboard/core";
import { COMPONENT_STATUSES, IMPACTS, INCIDENT_STATUSES, type Incident } from "../model.js";
import { incidentIdProblem, KEY_PATTERN, ownValue } from "../names.js";
import { PERMISSIONS } from "../permissions.js";
import { componentLine, incidentLine, levelOf } from "../render.js";
import type { StatusState } from "../state.js";

/** The rooms an incident is posted to: its components' rooms, else the plugin's. */
function roomsFor(state: StatusState, incident: Incident): RoomRef[] {
  const mapped = incident.components.flatMap((key) => ownValue(state.config.components, key)?.rooms ?? []);
  const rooms = mapped.length ? mapped : state.config.rooms;
  const seen = new Set<string>();
  return rooms.filter((r) => {
    const key = `${r.network}|${r.room}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

/** Posts `reply` into the incident's rooms, except the room it was asked in (it is answered there). */
async function postIncident(state: StatusState, incident: Incident, reply: Reply, message: IncomingMessage) {
  for (const room of roomsFor(state, incident))
    if (room.network !== message.network || room.room !== message.room.id) await state.announce(room, reply);
}

const componentArg = (state: () => StatusState) =>
  arg.string({
    positional: true,
    required: true,
    description: "the component",
    validate: (value) => {
      const key = value.toLowerCase();
      if (!KEY_PATTERN.test(key)) return `"${value}" is not a component name`;
      const { components } = state().config;
      return ownValue(components, key)
        ? undefined
        : `no component ${key}; components: ${Object.keys(components).join(", ")}`;
    },
  });

const incidentArg = arg.string({
  positional: true,
  required: true,
  description: "the incident id",
  validate: incidentIdProblem,
});

/** Every status command. */
export function statusCommands(handle: PluginHandle<StatusState>): AnyCommand[] {
  const state = () => handle.state;

  const show = defineCommand({
    name: "status",
    summary: "The status page: components and open incidents",
    permission: PERMISSIONS.read,
    async handler({ signal }): Promise<Reply> {
      const { provider, config } = state();
      const [components, open] = await Promise.all([provider.components(signal), provider.openIncidents(signal)]);
      const blocks: Reply = [];
      if (components.length)
        blocks.push(
          out.table(
            ["component", "status"],
            components.map((c) => [c.key, c.status]),
          ),
        );
      blocks.push(
        open.length
          ? out.text(`${open.length} open incident(s):\n${open.map(incidentLine).join("\n")}`)
          : out.status("ok", "No open incidents."),
      );
      if (config.provider === "embedded" && config.page.publicUrl)
        blocks.push(out.link(config.page.publicUrl, "status page"));
      return blocks;
    },
  });

  const set = defineCommand({
    name: "status set",
    summary: "Set a component's status on the status page",
    examples: ["status set web degraded", "status set api operational"],
    permission: PERMISSIONS.set,
    sideEffect: true,
    args: {
      component: componentArg(state),
      status: arg.enum(COMPONENT_STATUSES, { positional: true, required: true, description: "the new status" }),
    },
    prepare: ({ args }) => ({ ...args, component: args.component.toLowerCase() }),
    async handler({ args, signal, actor }): Promise<Reply> {
      const component = await state().provider.setComponent(args.component, args.status, signal);
      return out.status(levelOf(component.status), `${componentLine(component)} (set by ${actor.name})`);
    },
  });

  const incident = defineCommand({
    name: "status incident",
    summary: "Open an incident on the status page (its components take the impact's status)",
    examples: ['status incident "Checkout errors" --component web --impact major'],
    permission: PERMISSIONS.incident,
    sideEffect: true,
    args: {
      title: arg.string({ positional: true, required: true, rest: true, description: "what people see" }),
      component: arg.string({ description: "affected components, comma-separated" }),
      impact: arg.enum(IMPACTS, { description: "none, minor (default), major or critical" }),
    },
    prepare: ({ args }) => {
      const title = args.title.trim();
      if (title.length === 0 || title.length > 200) throw new UserError("a title has 1 to 200 characters");
      const keys = (args.component ?? "")
        .split(",")
        .map((k) => k.trim().toLowerCase())
        .filter(Boolean);
      const { components } = state().config;
      const unknown = keys.filter((k) => !KEY_PATTERN.test(k) || !ownValue(components, k));
      if (unknown.length)
        throw new UserError(`no component ${unknown.join(", ")}`, `components: ${Object.keys(components).join(", ")}`);
      return { title, component: [...new Set(keys)].join(",") || undefined, impact: args.impact ?? "minor" };
    },
    async handler({ args, signal, actor, message }): Promise<Reply> {
      const s = state();
      const created = await s.provider.createIncident(
        { title: args.title, impact: args.impact!, components: args.component?.split(",") ?? [], by: actor.name },
        signal,
      );
      const reply = out.status("fail", `Opened ${incidentLine(created)} (by ${actor.name})`);
      await postIncident(s, created, reply, message);
      return reply;
    },
  });

  const updateOrResolve = (resolve: boolean) =>
    defineCommand({
      name: resolve ? "status resolve" : "status update",
      summary: resolve
        ? "Resolve an incident (its components go back to operational)"
        : "Post an update to an incident (--state identified|monitoring moves it on)",
      examples: resolve
        ? ["status resolve 3", "status resolve 3 fixed by the rollback"]
        : ["status update 3 rolled back fe2", "status update 3 watching --state monitoring"],
      permission: PERMISSIONS.incident,
      sideEffect: true,
      args: {
        id: incidentArg,
        text: arg.string({ positional: true, required: !resolve, rest: true, description: "the update" }),
        ...(resolve
          ? {}
          : {
              state: arg.enum(
                INCIDENT_STATUSES.filter((s) => s !== "resolved"),
                { description: "the incident's new status" },
              ),
            }),
      },
      async handler(ctx: CommandContext<{ id: string; text?: string; state?: string }>): Promise<Reply> {
        const { args, signal, actor, message } = ctx;
        const s = state();
        const current = (await s.provider.openIncidents(signal)).find((i) => i.id === args.id.replace(/^#/, ""));
        const status = resolve
          ? "resolved"
          : ((args.state ?? current?.status ?? "investigating") as Incident["status"]);
        const text = args.text?.trim() || (resolve ? "Resolved." : "");
        if (text.length > 2000) throw new UserError("an update has at most 2000 characters");
        const changed = await s.provider.updateIncident(args.id, { text, status, by: actor.name }, signal);
        const reply = out.status(
          resolve ? "ok" : "info",
          `${resolve ? "Resolved" : "Updated"} ${incidentLine(changed)}: ${text} (by ${actor.name})`,
        );
        await postIncident(s, changed, reply, message);
        return reply;
      },
    });

  return [show, set, incident, updateOrResolve(false), updateOrResolve(true)];
}
