/**
 * `graph save <alias> <target>`: saves a query under a name for everyone (its own permission; audited by core
 * with its arguments like every command).
 * @module
 */
import { arg, defineCommand, out, type PluginHandle, UserError } from "@switchboard/core";
import { aliasNameProblem, aliasParams } from "../aliases.js";
import { PERMISSIONS } from "../permissions.js";
import { rawRest } from "../raw-text.js";
import type { MetricsState } from "../state.js";
import { MAX_EXPRESSION_LENGTH } from "../targets.js";

/** The `graph save` command. */
export function saveCommand(plugin: PluginHandle<MetricsState>) {
  return defineCommand({
    name: "graph save",
    summary: "Save a query as an alias everyone can graph ($name marks a parameter)",
    examples: [
      'graph save load node_load1{instance=~"$host(:.*)?"}',
      "graph save disk graphite:servers.$host.disk.used",
    ],
    args: {
      alias: arg.string({
        positional: true,
        required: true,
        description: "the name",
        validate: (name) => aliasNameProblem(name.toLowerCase()),
      }),
      target: arg.string({ positional: true, rest: true, required: true, description: "the query, [backend:]expr" }),
    },
    permission: PERMISSIONS.save,
    prepare: ({ args, invokedAs, message }) => {
      const raw = rawRest(message.text, invokedAs, `${args.alias} ${args.target}`);
      const target = raw.replace(/^\S+\s+/, "").trim();
      return { alias: args.alias.toLowerCase(), target: target || args.target };
    },
    handler: async ({ args, store, actor }) => {
      const { backends, aliases } = plugin.state;
      let target = args.target;
      let backend: string | undefined;
      const prefixed = /^([a-z][a-z0-9_-]{0,31}):(.+)$/s.exec(target);
      if (prefixed && backends.has(prefixed[1]!)) {
        backend = prefixed[1]!;
        target = prefixed[2]!.trim();
      }
      if (target.length > MAX_EXPRESSION_LENGTH)
        throw new UserError(`the target is longer than ${MAX_EXPRESSION_LENGTH} characters`);
      const { replaced } = await aliases.save(store, args.alias, {
        target,
        ...(backend ? { backend } : {}),
        savedBy: actor.id,
        savedAt: new Date().toISOString(),
      });
      const params = aliasParams(target);
      const usage = `graph ${args.alias}${params.map((p) => ` <${p}>`).join("")}`;
      return out.status("ok", `${replaced ? "replaced" : "saved"} alias ${args.alias}: ${usage}`);
    },
  });
}
