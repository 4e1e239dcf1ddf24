/**
 * `rpc add`, `rpc list`, `rpc remove`, `rpc refresh`: managing endpoints from chat (permission `rpc:admin`).
 * @module
 */
import {
  type AnyCommand,
  arg,
  defineCommand,
  formatDuration,
  out,
  type PluginHandle,
  UserError,
} from "@switchboard/core";
import { endpointUrlSchema } from "./config.js";
import type { EndpointState } from "./endpoint.js";
import type { Endpoints } from "./endpoints.js";
import { PERMISSIONS } from "./permissions.js";

/** What the plugin's commands read. */
export interface RpcState {
  endpoints: Endpoints;
}

const ago = (date: Date | undefined) =>
  date ? `${formatDuration(Math.max(1000, Math.round((Date.now() - date.getTime()) / 1000) * 1000))} ago` : "never";

/** One line about how an endpoint is doing. */
export function statusOf(state: EndpointState): string {
  const methods = state.commands.length;
  if (!state.lastError) return state.lastSuccess ? `ok, ${methods} methods` : "not fetched yet";
  const kept = state.listing ? `keeping ${methods} methods from ${ago(state.lastSuccess)}` : "no methods";
  return `failing ${state.failures}× (${state.lastError}); ${kept}`;
}

function summary(state: EndpointState): string {
  if (state.lastError && !state.listing) return `the listing could not be loaded: ${state.lastError} (retrying)`;
  return `${state.commands.length} methods: ${state.commands.join(", ") || "none"}`;
}

/** The admin commands. */
export function adminCommands(plugin: PluginHandle<RpcState>): AnyCommand[] {
  const common = { permission: PERMISSIONS.admin, guests: false } as const;
  return [
    defineCommand({
      name: "rpc add",
      summary: "Add a ChatOps RPC endpoint: its methods become commands under the prefix",
      examples: ["rpc add https://ops.example.com/_chatops --prefix ops"],
      args: {
        url: arg.string({ positional: true, required: true, description: "the listing URL" }),
        prefix: arg.string({ required: true, description: "the word its methods are typed after" }),
      },
      ...common,
      sideEffect: true,
      prepare({ args }) {
        if (!endpointUrlSchema.safeParse(args.url).success)
          throw new UserError(`"${args.url}" is not an http:// or https:// URL`, "no query, fragment or credentials");
        return { ...args, prefix: args.prefix.toLowerCase() };
      },
      handler: async ({ args, actor }) => {
        const state = await plugin.state.endpoints.add(args.url, args.prefix, actor.id);
        const level = state.lastError && !state.listing ? "warn" : "ok";
        return out.status(level, `added ${state.spec.prefix} (${state.spec.url}): ${summary(state)}`);
      },
    }),
    defineCommand({
      name: "rpc list",
      summary: "List the ChatOps RPC endpoints, their methods and how fetching their listings goes",
      ...common,
      handler: () => {
        const all = plugin.state.endpoints.all();
        if (all.length === 0) return out.text("no ChatOps RPC endpoints (add one with rpc add <url> --prefix <p>)");
        return out.table(
          ["prefix", "url", "from", "permission", "state", "commands"],
          all.map((s) => [
            s.spec.prefix,
            s.spec.url,
            s.spec.source === "config" ? "config" : `rpc add by ${s.spec.addedBy}`,
            s.spec.permission,
            statusOf(s),
            s.commands.join(", "),
          ]),
        );
      },
    }),
    defineCommand({
      name: "rpc remove",
      summary: "Remove an endpoint added with rpc add, and its commands",
      examples: ["rpc remove ops"],
      args: { prefix: arg.string({ positional: true, required: true }) },
      ...common,
      sideEffect: true,
      handler: async ({ args }) => {
        const state = await plugin.state.endpoints.remove(args.prefix);
        return out.status("ok", `removed ${state.spec.prefix} (${state.spec.url})`);
      },
    }),
    defineCommand({
      name: "rpc refresh",
      summary: "Fetch endpoints' listings now (one, or all)",
      examples: ["rpc refresh", "rpc refresh ops"],
      args: { prefix: arg.string({ positional: true }) },
      ...common,
      handler: async ({ args }) => {
        const states = await plugin.state.endpoints.refresh(args.prefix);
        return states.map((s) =>
          out.status(
            s.lastError ? "warn" : "ok",
            `${s.spec.prefix}: ${statusOf(s)}${s.lastError ? "" : ` — ${s.commands.join(", ")}`}`,
          ),
        );
      },
    }),
  ];
}
