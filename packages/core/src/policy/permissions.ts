/**
 * Permission decisions: roles grant permissions (with wildcards), rules add conditions on arguments, room and
 * network, and deny always wins. Every decision names what decided it.
 * @module
 */
import type { AnyCommand, ApprovalRule } from "../commands/command.js";
import { unlinkedLogin } from "./guests.js";
import type { Actor } from "./identity.js";
import type { PolicyConfig, RuleConfig } from "./policy-config.js";

/** Where a command is being run. */
export interface DecisionInput {
  actor: Actor;
  command: AnyCommand;
  args: Record<string, unknown>;
  network: string;
  room: string;
}

/** One approval a matching rule or the command asks for. */
export interface ApprovalRequirement {
  permission: string;
  count: number;
  /** The rule or command that asks for it. */
  rule: string;
}

/**
 * Every approval that applies, combined strictly: `count` is the highest count, `ttlMs` the shortest, and each
 * of `requirements` must be met on its own (its count of approvers holding its permission).
 */
export interface CombinedApproval extends ApprovalRule {
  count: number;
  /** The rules that ask for approval, joined (`rule production, command deploy (environment production)`). */
  rule: string;
  requirements: ApprovalRequirement[];
  /** Approvers must act from a verified device too (a matching rule has `requireVerifiedDevice`). */
  requireVerifiedDevice?: boolean;
}

/** The outcome of a permission check. */
export type Decision =
  | { allowed: true; reason: string; rule: string; approval?: CombinedApproval }
  | { allowed: false; reason: string; rule: string };

/** Combines approvals strictly (see {@link CombinedApproval}); undefined when none applies. */
export function combineApprovals(approvals: Array<ApprovalRule & { rule: string }>): CombinedApproval | undefined {
  if (approvals.length === 0) return undefined;
  const requirements = approvals.map((a) => ({ permission: a.permission, count: a.count ?? 1, rule: a.rule }));
  const ttls = approvals.flatMap((a) => (a.ttlMs !== undefined ? [a.ttlMs] : []));
  const strictest = requirements.reduce((a, b) => (b.count > a.count ? b : a));
  return {
    count: strictest.count,
    permission: [...new Set(requirements.map((r) => r.permission))].join(" and "),
    rule: [...new Set(requirements.map((r) => r.rule))].join(", "),
    ...(ttls.length ? { ttlMs: Math.min(...ttls) } : {}),
    requirements,
  };
}

/** Does a granted permission pattern cover a required permission? `deploy:*` covers `deploy:run`; `*` covers all. */
export function permissionMatches(pattern: string, permission: string): boolean {
  if (pattern === "*" || pattern === permission) return true;
  // Without a wildcard a pattern covers only itself (equal segments, as many of them), which was just ruled out.
  if (!pattern.includes("*")) return false;
  const want = permission.split(":");
  const have = pattern.split(":");
  for (let i = 0; i < have.length; i++) {
    if (have[i] === "*") {
      if (i === have.length - 1) return want.length > i;
      if (want[i] === undefined) return false;
      continue;
    }
    if (have[i] !== want[i]) return false;
  }
  return have.length === want.length;
}

/** Why an actor does or does not hold a permission. */
export type PermissionCheck =
  | { held: true; role: string; grant: string }
  | { held: false; deniedBy?: { role: string; grant: string } };

const listOf = (value: string | string[]) => (Array.isArray(value) ? value : [value]);

/** Decisions kept per command before the cache of that command starts over (bounds memory, not a tuning knob). */
const DECISIONS_PER_COMMAND = 1024;

/** Permission checks kept (per role list and permission) before that cache starts over. */
const CHECKS_KEPT = 4096;

/** What a command's decision depends on besides the actor's roles, known from its definition and the rules. */
interface DecisionShape {
  /** The rules whose `command` names it (their `when` is checked per decision). */
  rules: RuleConfig[];
  /** Decided per call: the command declares `requirements`, or a rule that names it looks at arguments. */
  byArgs: boolean;
  byRoom: boolean;
  byNetwork: boolean;
  byDevice: boolean;
  decisions: Map<string, Decision>;
  /**
   * Decisions by frozen role list (the identity directory's: the same array until the actor's roles change), for
   * a command whose decision depends on nothing else but the verified flag: [verified, not verified].
   */
  decisionsByRoles: WeakMap<readonly string[], [Decision?, Decision?]>;
  /** {@link Policy.refusePermission}'s answer per roles and verified flag (`null`: not refused). */
  refusals: Map<string, Decision | null>;
  /** The same by frozen role list: [verified, not verified]. */
  refusalsByRoles: WeakMap<readonly string[], [(Decision | null)?, (Decision | null)?]>;
}

/**
 * The part of a cache key for an actor: each role length-prefixed, so no role name (whatever characters it holds)
 * can make two different role lists one key; then whether the actor is verified.
 */
function actorKey(actor: Actor): string {
  let key = actor.verified ? "v" : "g";
  for (const role of actor.roles) key += `${role.length}:${role}`;
  // A denial told to a verified login nobody linked names that login: such answers are that actor's own.
  if (actor.verified && !actor.known) key += `|${actor.id}`;
  return key;
}

/**
 * The cache slot of a role list that can be cached by identity: a frozen list (the identity directory hands out one
 * per actor, the same array until their roles change, so a grant or revoke is a new list). Verified, unknown actors
 * are told answers that name their login; their lists are their own (one per actor id) in the directory.
 */
function slotOf<T>(cache: WeakMap<readonly string[], [T?, T?]>, roles: readonly string[]): [T?, T?] | undefined {
  if (!Object.isFrozen(roles)) return undefined;
  let slot = cache.get(roles);
  if (!slot) {
    slot = [undefined, undefined];
    cache.set(roles, slot);
  }
  return slot;
}

/** Freezes a cached decision so no caller can change what the next message is told. */
function frozen(decision: Decision): Decision {
  if (decision.allowed && decision.approval) {
    for (const requirement of decision.approval.requirements) Object.freeze(requirement);
    Object.freeze(decision.approval.requirements);
    Object.freeze(decision.approval);
  }
  return Object.freeze(decision);
}

/**
 * Evaluates permissions and rules from a {@link PolicyConfig}.
 *
 * Decisions are cached per command and per what they depend on: the actor's roles (their contents, so a role grant or
 * revoke, which changes the actor's roles, is a new key), whether the actor is verified, and the room, network or
 * device only when a rule naming the command looks at them. Commands whose decision depends on their arguments
 * (`requirements`, a rule with `when.args`) are decided on every call. The configuration is never changed after
 * construction, so nothing else can make a cached decision stale.
 */
export class Policy {
  readonly #shapes = new WeakMap<AnyCommand, DecisionShape>();
  /** {@link check}'s answers by role list (length-prefixed) and permission: the configuration never changes. */
  readonly #checks = new Map<string, PermissionCheck>();
  /** The same by frozen role list (see {@link slotOf}), then permission. */
  readonly #checksByRoles = new WeakMap<readonly string[], Map<string, PermissionCheck>>();

  constructor(readonly config: PolicyConfig) {}

  #shapeOf(command: AnyCommand): DecisionShape {
    let shape = this.#shapes.get(command);
    if (!shape) {
      const rules = this.config.rules.filter((rule) => ruleNamesCommand(rule.command, command.name));
      shape = {
        rules,
        byArgs: command.requirements !== undefined || rules.some((r) => Object.keys(r.when.args ?? {}).length > 0),
        byRoom: rules.some((r) => r.when.room !== undefined),
        byNetwork: rules.some((r) => r.when.network !== undefined),
        byDevice: rules.some((r) => r.requireVerifiedDevice),
        decisions: new Map(),
        decisionsByRoles: new WeakMap(),
        refusals: new Map(),
        refusalsByRoles: new WeakMap(),
      };
      this.#shapes.set(command, shape);
    }
    return shape;
  }

  /**
   * Whether any of `roles` grants `permission`; a `!pattern` in any role denies it. The answer may be shared with
   * other calls (frozen).
   */
  check(roles: readonly string[], permission: string): PermissionCheck {
    let byPermission: Map<string, PermissionCheck> | undefined;
    if (Object.isFrozen(roles)) {
      byPermission = this.#checksByRoles.get(roles);
      if (!byPermission) {
        byPermission = new Map();
        this.#checksByRoles.set(roles, byPermission);
      }
      const known = byPermission.get(permission);
      if (known) return known;
    }
    let key = permission;
    for (const role of roles) key += `\u0000${role.length}:${role}`;
    let result = this.#checks.get(key);
    if (result === undefined) {
      result = this.#check(roles, permission);
      if (result.held === false && result.deniedBy) Object.freeze(result.deniedBy);
      Object.freeze(result);
      if (this.#checks.size >= CHECKS_KEPT) this.#checks.clear();
      this.#checks.set(key, result);
    }
    if (byPermission) {
      if (byPermission.size >= CHECKS_KEPT) byPermission.clear();
      byPermission.set(permission, result);
    }
    return result;
  }

  #check(roles: readonly string[], permission: string): PermissionCheck {
    let granted: { role: string; grant: string } | undefined;
    for (const role of roles) {
      if (!Object.hasOwn(this.config.roles, role)) continue;
      for (const grant of this.config.roles[role]!.permissions) {
        if (grant.startsWith("!")) {
          if (permissionMatches(grant.slice(1), permission)) return { held: false, deniedBy: { role, grant } };
        } else if (!granted && permissionMatches(grant, permission)) granted = { role, grant };
      }
    }
    return granted ? { held: true, ...granted } : { held: false };
  }

  /**
   * Whether `roles` let their holder hand out `role` with `role grant`: `role:grant`, every permission the role
   * grants, and `role:grant-deny` when it denies something (the rules of the `role` builtin).
   */
  mayGrant(roles: string[], role: string): boolean {
    if (!Object.hasOwn(this.config.roles, role) || !this.check(roles, "role:grant").held) return false;
    return this.config.roles[role]!.permissions.every(
      (permission) => this.check(roles, permission.startsWith("!") ? "role:grant-deny" : permission).held,
    );
  }

  /** Every permission pattern the roles grant (for `whoami`). */
  grantsOf(roles: string[]): string[] {
    return [
      ...new Set(roles.flatMap((r) => (Object.hasOwn(this.config.roles, r) ? this.config.roles[r]!.permissions : []))),
    ];
  }

  /**
   * The denial when the actor lacks the command's own permission, or undefined. Decided before the arguments are
   * parsed or prepared, so that someone who may not run a command learns nothing from its usage or its errors
   * (`deploy x` listing the apps). {@link decide} checks it again with everything else.
   */
  refusePermission(actor: Actor, command: AnyCommand): Decision | undefined {
    if (!command.permission) return undefined;
    const shape = this.#shapeOf(command);
    const slot = slotOf(shape.refusalsByRoles, actor.roles);
    const at = actor.verified ? 0 : 1;
    const known = slot?.[at];
    if (known !== undefined) return known ?? undefined;
    const { refusals } = shape;
    const key = actorKey(actor);
    let refusal = refusals.get(key);
    if (refusal === undefined) {
      const result = this.check(actor.roles, command.permission);
      refusal = result.held
        ? null
        : frozen(missingPermission(actor, `command ${command.name}`, command.permission, result));
      if (refusals.size >= DECISIONS_PER_COMMAND) refusals.clear();
      refusals.set(key, refusal);
    }
    if (slot) slot[at] = refusal;
    return refusal ?? undefined;
  }

  /** Rules that apply to this command, these arguments, this room and network. */
  matchingRules(input: DecisionInput): RuleConfig[] {
    return this.#shapeOf(input.command).rules.filter((rule) => ruleApplies(rule, input));
  }

  /**
   * Decides whether the actor may run the command with these arguments here. The result may be shared with other
   * calls (frozen): copy it to change it.
   */
  decide(input: DecisionInput): Decision {
    const shape = this.#shapeOf(input.command);
    if (shape.byArgs) return this.#decide(input);
    const { actor } = input;
    const slot =
      shape.byRoom || shape.byNetwork || shape.byDevice ? undefined : slotOf(shape.decisionsByRoles, actor.roles);
    if (slot) {
      const at = actor.verified ? 0 : 1;
      slot[at] ??= frozen(this.#decide(input));
      return slot[at];
    }
    // Length-prefixed too: a room or network name cannot be made to look like another pair.
    const room = shape.byRoom ? input.room : "";
    const network = shape.byNetwork ? input.network : "";
    const device = shape.byDevice ? (actor.sender.deviceVerified === true ? "d" : "-") : "";
    const key = `${actorKey(actor)}|${device}|${room.length}:${room}${network.length}:${network}`;
    let decision = shape.decisions.get(key);
    if (!decision) {
      if (shape.decisions.size >= DECISIONS_PER_COMMAND) shape.decisions.clear();
      decision = frozen(this.#decide(input));
      shape.decisions.set(key, decision);
    }
    return decision;
  }

  #decide(input: DecisionInput): Decision {
    const rules = this.matchingRules(input);
    const denyRule = rules.find((r) => r.deny);
    if (denyRule)
      return { allowed: false, rule: `rule ${denyRule.name}`, reason: `rule "${denyRule.name}" forbids this` };
    const deviceRule = rules.find((r) => r.requireVerifiedDevice && input.actor.sender.deviceVerified !== true);
    if (deviceRule)
      return {
        allowed: false,
        rule: `rule ${deviceRule.name}`,
        reason: `rule "${deviceRule.name}" needs a message from a verified device (cross-sign this device, then send it again)`,
      };

    const requirements: Array<{ permission: string; source: string }> = [];
    if (input.command.permission)
      requirements.push({ permission: input.command.permission, source: `command ${input.command.name}` });
    const declared = input.command.requirements?.(input.args) ?? [];
    for (const { permission, reason } of declared)
      if (permission) requirements.push({ permission, source: `command ${input.command.name} (${reason})` });
    for (const rule of rules)
      if (rule.require) requirements.push({ permission: rule.require, source: `rule ${rule.name}` });

    const granted: string[] = [];
    for (const { permission, source } of requirements) {
      const result = this.check(input.actor.roles, permission);
      if (!result.held) return missingPermission(input.actor, source, permission, result);
      granted.push(`${permission} via role ${result.role} (${result.grant}) for ${source}`);
    }

    // Every approval that applies counts: a generic rule listed first never weakens a plugin's own approval.
    const approvals: Array<ApprovalRule & { rule: string }> = [];
    for (const r of rules)
      if (r.approval)
        approvals.push({
          count: r.approval.count,
          permission: r.approval.permission,
          ...(r.approval.ttl ? { ttlMs: r.approval.ttl } : {}),
          rule: `rule ${r.name}`,
        });
    for (const d of declared)
      if (d.approval) approvals.push({ ...d.approval, rule: `command ${input.command.name} (${d.reason})` });
    if (input.command.approval) approvals.push({ ...input.command.approval, rule: `command ${input.command.name}` });
    const combined = combineApprovals(approvals);
    const approval =
      combined && rules.some((r) => r.requireVerifiedDevice) ? { ...combined, requireVerifiedDevice: true } : combined;

    const rule = requirements.length ? requirements.map((r) => r.source).join(", ") : "no permission needed";
    const reason = granted.length
      ? `you hold ${granted.join("; ")}`
      : `command ${input.command.name} needs no permission`;
    return approval ? { allowed: true, rule, reason, approval } : { allowed: true, rule, reason };
  }
}

/** The denial for a permission the actor does not hold, naming what asked for it and why it is not held. */
function missingPermission(
  actor: Actor,
  source: string,
  permission: string,
  result: PermissionCheck & { held: false },
): Decision {
  const roles = actor.roles.join(", ") || "none";
  const because = result.deniedBy
    ? `role ${result.deniedBy.role} denies it (${result.deniedBy.grant})`
    : `your roles (${roles}) do not grant it`;
  const guestHint = !actor.verified
    ? "; you are not identified with the network, so you are a guest"
    : actor.known || actor.roles.length > 1
      ? ""
      : `; ${unlinkedLogin(actor)}`;
  return {
    allowed: false,
    rule: source,
    reason: `${source} requires permission ${permission}, and ${because}${guestHint}`,
  };
}

/** Whether a rule's `command` (a name, `group *`, `prefix*`, `*`, or a list of them) names this command. */
export function ruleNamesCommand(pattern: string | string[], commandName: string): boolean {
  const name = commandName.toLowerCase();
  return listOf(pattern).some((entry) => {
    const want = entry.trim().toLowerCase().replace(/\s+/g, " ");
    if (want === "*" || want === name) return true;
    if (want.endsWith(" *")) return name === want.slice(0, -2) || name.startsWith(want.slice(0, -1));
    return want.endsWith("*") && name.startsWith(want.slice(0, -1));
  });
}

function ruleApplies(rule: RuleConfig, input: DecisionInput): boolean {
  if (!ruleNamesCommand(rule.command, input.command.name)) return false;
  const { when } = rule;
  if (when.room !== undefined && !listOf(when.room).includes(input.room)) return false;
  if (when.network !== undefined && !listOf(when.network).includes(input.network)) return false;
  for (const [arg, expected] of Object.entries(when.args ?? {})) {
    const actual = input.args[arg];
    if (actual === undefined) return false;
    const values = listOf(expected);
    if (!values.includes("*") && !values.includes(String(actual))) return false;
  }
  return true;
}
