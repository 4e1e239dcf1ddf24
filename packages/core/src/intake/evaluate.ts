/**
 * The one evaluation step shared by dispatch and `why`: lookup → identity → may they run it at all → parse →
 * prepare → decide. Whatever
 * `why` answers is what dispatch would do with the same line from the same person in the same room.
 * @module
 */

import type { IncomingMessage } from "../adapters/message.js";
import type { AliasBook, Expansion } from "../commands/aliases.js";
import { parseArgs } from "../commands/parse.js";
import type { CommandRegistry, Lookup, RegisteredCommand } from "../commands/registry.js";
import { tokenize } from "../commands/tokenize.js";
import { guestRefusal } from "../policy/guests.js";
import type { Actor, IdentityDirectory } from "../policy/identity.js";
import type { Decision, Policy } from "../policy/permissions.js";
import { DeniedError, UserError } from "../runtime/errors.js";

/** No literal words (a line that named no alias). Shared: nothing adds to it. */
const NO_LITERALS: ReadonlySet<number> = new Set<number>();

/** What evaluation needs from the bot. */
export interface EvaluationDeps {
  registry: CommandRegistry;
  identity: IdentityDirectory;
  policy: Policy;
  prefix: string;
  /** The team's aliases, expanded before lookup (none when absent). */
  aliases?: AliasBook;
}

/** A command line that named a command, evaluated for one person. */
export interface Evaluated {
  found: true;
  entry: RegisteredCommand;
  /** The name or alias typed. */
  name: string;
  actor: Actor;
  /** The prepared arguments: what rules saw, what the audit log records and what the handler gets. */
  args: Record<string, unknown>;
  decision: Decision;
  /** The alias the line named, and what it expanded to (for `why` and the audit log). */
  alias?: Expansion["alias"];
}

/** The result of {@link evaluate}: a command and its decision, or the failed lookup. */
export type Evaluation = Evaluated | (Lookup & { found: false });

/**
 * Evaluates a command line (without prefix) said by `message`'s sender (or `actor`, when already resolved).
 * Throws a {@link UserError} for bad arguments (with usage) or a refusal by `prepare` that is not a denial.
 */
export function evaluate(deps: EvaluationDeps, message: IncomingMessage, text: string, actor?: Actor): Evaluation {
  // Alias hook: the only place a line is split into words before the decision.
  const words = tokenize(text);
  const expanded = deps.aliases?.expand(words) ?? { words, literal: NO_LITERALS };
  const found = deps.registry.lookup(expanded.words);
  if (!found.found) return found;
  const { command } = found.entry;
  const alias = expanded.alias;
  const who = actor ?? deps.identity.resolve(message.network, message.sender);
  // Who may run it comes first: a refused person learns nothing from usage, `prepare` or argument errors.
  const refused =
    guestRefusal(command, who, deps.policy.config.guestRole) ?? deps.policy.refusePermission(who, command);
  if (refused)
    return {
      found: true,
      entry: found.entry,
      name: found.name,
      actor: who,
      args: {},
      decision: refused,
      ...(alias ? { alias } : {}),
    };
  const skipped = expanded.words.length - found.rest.length;
  for (const i of expanded.literal)
    if (i < skipped) throw new UserError(`"${expanded.words[i]}": an alias argument cannot choose the command`);
  const literal = expanded.literal.size === 0 ? NO_LITERALS : new Set([...expanded.literal].map((i) => i - skipped));
  if (found.entry.pattern)
    for (const i of literal)
      if (/\s/.test(found.rest[i] ?? ""))
        throw new UserError(`"${found.rest[i]}": an alias argument for ${found.entry.command.name} must be one word`);
  let args = parseArgs(found.entry, found.rest, deps.prefix, literal);
  if (command.prepare) {
    try {
      args = command.prepare({ args, invokedAs: found.name, actor: who, message });
    } catch (error) {
      if (!(error instanceof DeniedError)) throw error;
      return {
        found: true,
        entry: found.entry,
        name: found.name,
        actor: who,
        args,
        decision: { allowed: false, rule: error.rule, reason: error.message },
        ...(alias ? { alias } : {}),
      };
    }
  }
  const decision = deps.policy.decide({
    actor: who,
    command,
    args,
    network: message.network,
    room: message.room.id,
  });
  const evaluated: Evaluated = { found: true, entry: found.entry, name: found.name, actor: who, args, decision };
  if (alias) evaluated.alias = alias;
  return evaluated;
}
