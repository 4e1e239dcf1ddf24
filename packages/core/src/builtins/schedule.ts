/**
 * `schedule add|list|remove|pause|resume|run`: commands that run later or repeatedly, as the person who scheduled
 * them, in the room where they were scheduled, decided again at every run.
 * @module
 */
import { arg } from "../args.js";
import { defineCommand } from "../command.js";
import { DeniedError, UserError } from "../errors.js";
import type { Actor } from "../identity.js";
import { out } from "../output.js";
import type { MissedPolicy, ScheduleRecord } from "../schedule-record.js";
import { describeSpec, formatInZone, parseWhen, shortestGap } from "../schedule-when.js";
import type { BotServices } from "../services.js";
import { joinWords, tokenize } from "../tokenize.js";

const ADMIN = "schedule:admin";

/** The schedule commands. */
export function scheduleCommands(bot: BotServices) {
  const { schedules } = bot;
  const options = schedules.deps.options;
  const audit = (actor: Actor, jobId: string, change: string, record: ScheduleRecord) =>
    bot.auditLog.append([
      {
        event: "schedule",
        jobId,
        actor: actor.id,
        network: record.network,
        room: record.room.id,
        command: `schedule ${change}`,
        detail: { change, id: record.id, line: record.line, owner: record.owner, when: record.when },
      },
    ]);
  const isAdmin = (actor: Actor) => bot.policy.check(actor.roles, ADMIN).held;
  /** A schedule the actor may change: their own, or anyone's with schedule:admin. */
  const mine = async (id: string, actor: Actor, verb: string, adminMay = true) => {
    const record = await schedules.get(id);
    if (!record) throw new UserError(`no schedule "${id}"`, `see ${bot.prefix}schedule list`);
    if (record.owner !== actor.id && !(adminMay && isAdmin(actor)))
      throw new DeniedError(
        `schedule ${record.id} is ${record.owner}'s; only they${adminMay ? ` (or holders of ${ADMIN})` : ""} may ${verb} it`,
        `command schedule ${verb}`,
      );
    return record;
  };
  const idArg = { id: arg.string({ positional: true, required: true, description: "the schedule id (s…)" }) };

  const add = defineCommand({
    name: "schedule add",
    summary: "Run a command later or repeatedly, as you, in this room (decided again at every run)",
    examples: [
      "schedule add every weekday at 09:00 deploy api to staging",
      "schedule add every 15m metrics check",
      "schedule add in 2h deploy unlock production",
      "schedule add tomorrow 08:30 page oncall standup",
      'schedule add "0 9 * * 1-5" puppet run web',
      "schedule add --missed once every day at 02:30 puppet run db",
    ],
    permission: "schedule:write",
    sideEffect: true,
    args: {
      definition: arg.string({
        positional: true,
        rest: true,
        verbatim: true,
        required: true,
        description: "[--missed skip|once] <when> <command line>",
      }),
    },
    handler: async ({ args, actor, message, job }) => {
      let words = tokenize(args.definition);
      let missed: MissedPolicy = options.missed;
      if (words[0] === "--missed") {
        if (words[1] !== "skip" && words[1] !== "once") throw new UserError("--missed takes skip or once");
        missed = words[1];
        words = words.slice(2);
      }
      const timezone = bot.timezoneOf(actor);
      const now = new Date(schedules.deps.clock.now());
      const when = parseWhen(words, timezone, now);
      const lineWords = words.slice(when.used);
      if (lineWords.length === 0) throw new UserError("what should run?", "schedule add <when> <command line>");
      const line = joinWords(lineWords);
      // Runs come from no device: the sender is kept without `deviceVerified`, so a rule that needs a verified device
      // refuses the schedule now rather than every run later.
      const sender = { id: message.sender.id, name: message.sender.name, verified: message.sender.verified };
      const evaluation = bot.evaluate({ ...message, sender }, line, { ...actor, sender });
      if (!evaluation.found) throw new UserError(`no command "${line}"`, `see ${bot.prefix}help`);
      const name = evaluation.entry.command.name;
      if (name.startsWith("schedule ")) throw new UserError("a schedule cannot run schedule commands");
      // The line is stored and listed: it must not hold a secret.
      for (const [arg, definition] of evaluation.entry.args)
        if (definition.options.secret && evaluation.args[arg] !== undefined)
          throw new UserError(`a schedule cannot hold the secret argument ${arg}: it is stored and listed`);
      if (!evaluation.decision.allowed)
        throw new DeniedError(
          `you may not schedule "${line}": ${evaluation.decision.reason}`,
          evaluation.decision.rule,
        );
      if (shortestGap(when.spec, timezone, now) < options.minIntervalMs)
        throw new UserError(
          `"${words.slice(0, when.used).join(" ")}" runs more often than once every ${options.minIntervalMs / 1000}s`,
          "the configuration's schedules.minInterval sets the limit",
        );
      const open = (await schedules.list()).filter((s) => s.owner === actor.id && s.state !== "done");
      if (open.length >= options.maxPerPerson)
        throw new UserError(
          `you have ${open.length} schedules, the most one person may have`,
          `remove one with ${bot.prefix}schedule remove <id>`,
        );
      const record = await schedules.add({
        owner: actor.id,
        network: message.network,
        sender,
        room: message.room,
        ...(message.thread !== undefined ? { thread: message.thread } : {}),
        when: words.slice(0, when.used).join(" "),
        spec: when.spec,
        timezone,
        line,
        missed,
      });
      await audit(actor, job.id, "add", record);
      const next = await schedules.nextRun(record);
      const approval = evaluation.decision.approval ? " Each run waits for approval, as if you typed it." : "";
      return out.status(
        "ok",
        `schedule ${record.id}: "${line}", ${describeSpec(record.spec, timezone)}; next run ${next ? formatInZone(next, timezone) : "never"}.${approval}`,
      );
    },
  });

  const list = defineCommand({
    name: "schedule list",
    summary: `List your schedules (--all: everyone's, with ${ADMIN})`,
    examples: ["schedule list", "schedule list --all"],
    guests: false,
    args: { all: arg.flag({ description: "everyone's schedules" }) },
    handler: async ({ args, actor }) => {
      if (args.all && !isAdmin(actor))
        throw new DeniedError(`listing everyone's schedules needs permission ${ADMIN}`, "command schedule list");
      const records = (await schedules.list()).filter((r) => args.all || r.owner === actor.id);
      if (records.length === 0) return `no schedules (add one with ${bot.prefix}schedule add <when> <command line>)`;
      const rows = await Promise.all(
        records.map(async (r) => {
          const next = r.state === "active" ? await schedules.nextRun(r) : undefined;
          return [
            r.id,
            r.line,
            describeSpec(r.spec, r.timezone),
            r.state + (r.note ? ` (${r.note})` : ""),
            next ? formatInZone(next, r.timezone) : "-",
            r.owner,
          ];
        }),
      );
      return [out.table(["id", "command", "when", "state", "next run", "owner"], rows)];
    },
  });

  const remove = defineCommand({
    name: "schedule remove",
    summary: `Remove a schedule (yours, or anyone's with ${ADMIN})`,
    examples: ["schedule remove s3kx9"],
    guests: false,
    sideEffect: true,
    args: idArg,
    handler: async ({ args, actor, job }) => {
      const record = await mine(args.id, actor, "remove");
      await schedules.change(record, "remove");
      await audit(actor, job.id, "remove", record);
      return out.status("ok", `removed schedule ${record.id} (${record.line})`);
    },
  });

  const pauseOrResume = (verb: "pause" | "resume") =>
    defineCommand({
      name: `schedule ${verb}`,
      summary:
        verb === "pause"
          ? "Pause a schedule until it is resumed"
          : "Resume a paused or stopped schedule (due times in between are skipped)",
      examples: [`schedule ${verb} s3kx9`],
      guests: false,
      sideEffect: true,
      args: idArg,
      handler: async ({ args, actor, job }) => {
        // Resuming makes it run as its owner again: only the owner may, and only with schedule:write.
        const record = await mine(args.id, actor, verb, verb === "pause");
        if (verb === "resume" && !bot.policy.check(actor.roles, "schedule:write").held)
          throw new DeniedError("resuming a schedule needs permission schedule:write", "command schedule resume");
        if (record.state === "done") throw new UserError(`schedule ${record.id} has run and is done`);
        await schedules.change(record, verb);
        await audit(actor, job.id, verb, record);
        return out.status("ok", `${verb === "pause" ? "paused" : "resumed"} schedule ${record.id} (${record.line})`);
      },
    });

  const run = defineCommand({
    name: "schedule run",
    summary: "Run one of your schedules now, once (decided, approved and audited like every run)",
    examples: ["schedule run s3kx9"],
    guests: false,
    args: idArg,
    handler: async ({ args, actor, job }) => {
      const record = await mine(args.id, actor, "run", false);
      await audit(actor, job.id, "run", record);
      await schedules.runNow(record);
      return undefined;
    },
  });

  return [add, list, remove, pauseOrResume("pause"), pauseOrResume("resume"), run];
}
