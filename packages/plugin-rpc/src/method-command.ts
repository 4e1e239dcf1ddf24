/**
 * A listed method as a command of the registry: `<prefix> <method>` (and `<prefix> <first word of its pattern>`
 * when that differs), permission `rpc:<prefix>` unless configured, never for guests, a side effect (audited before
 * it starts). `prepare` resolves the params from the typed words, so rules, approvals and the audit log see exactly
 * what will be sent; the handler sends those params and nothing else.
 * @module
 */
import { type AnyCommand, arg, defineCommand, UserError } from "@switchboard/core";
import type { EndpointSpec } from "./endpoint.js";
import type { ListedMethod } from "./listing.js";
import { resolveParams, splitExtraParams } from "./params.js";

/** What the handler does with resolved params (the endpoints manager sends them). */
export type MethodCaller = (
  spec: EndpointSpec,
  method: ListedMethod,
  call: {
    params: Record<string, string>;
    actor: string;
    room: string;
    messageId: string;
    signal: AbortSignal;
  },
) => Promise<import("@switchboard/core").Reply>;

const summaryOf = (spec: EndpointSpec, method: ListedMethod) =>
  method.help ? method.help.replace(/\s+/g, " ").slice(0, 200) : `${method.name} on ${spec.url}`;

/** The command for one method. */
export function methodCommand(
  spec: EndpointSpec,
  method: ListedMethod,
  call: MethodCaller,
  { alias }: { alias: boolean },
): AnyCommand {
  const name = `${spec.prefix} ${method.word}`;
  const aliasName = alias && method.alias ? `${spec.prefix} ${method.alias}` : undefined;
  const usage = method.help ? `usage: ${method.help}` : `pattern: ${method.pattern.source}`;
  return defineCommand({
    name,
    aliases: aliasName ? [aliasName] : [],
    summary: summaryOf(spec, method),
    args: {
      text: arg.string({
        positional: true,
        rest: true,
        verbatim: true,
        description:
          "the rest of the command, matched against the method's pattern; --key value pairs are extra params",
      }),
    },
    permission: spec.permission,
    sideEffect: true,
    guests: false,
    // The HTTP request has its own timeout (with a message naming the endpoint); this one is a backstop.
    timeoutMs: spec.timeoutMs + 2000,
    prepare({ args, invokedAs }) {
      const typed = (args.text ?? "").split(" ").filter((w: string) => w !== "");
      const { words, extra } = splitExtraParams(typed);
      const said = invokedAs.toLowerCase().split(/\s+/).slice(1).join(" ");
      const rest = words.join(" ");
      // The method's word (or alias) is part of what the pattern matches; when the pattern does not start with the
      // method's name, the name only selects the method and the pattern matches what follows it.
      const params =
        resolveParams(method.pattern, rest ? `${said} ${rest}` : said, extra) ??
        (said === method.word ? resolveParams(method.pattern, rest, extra) : undefined);
      if (!params) throw new UserError(`"${[said, rest].filter(Boolean).join(" ")}" does not match ${name}`, usage);
      return params as never;
    },
    handler: ({ args, actor, message, signal }) =>
      call(spec, method, {
        params: args as unknown as Record<string, string>,
        actor: actor.id,
        room: message.room.id,
        messageId: message.id,
        signal,
      }),
  });
}
