import type { AnyCommand } from "../commands/command.js";
import type { BotServices } from "../runtime/services.js";
import { aliasCommands } from "./alias.js";
import { approvalCommands } from "./approvals.js";
import { auditCommand } from "./audit.js";
import { helpCommand } from "./help.js";
import { jobCommands } from "./jobs.js";
import { leaveCommand } from "./leave.js";
import { locksCommand } from "./locks.js";
import { pingCommand } from "./ping.js";
import { roleCommands } from "./roles.js";
import { scheduleCommands } from "./schedule.js";
import { trustCommand } from "./trust.js";
import { whoamiCommand } from "./whoami.js";
import { whyCommand } from "./why.js";

/**
 * The commands every bot has: help, whoami, why, audit, jobs, cancel, approve, deny, role, locks, leave, trust reset,
 * ping, alias and schedule.
 */
export function builtinCommands(bot: BotServices): AnyCommand[] {
  return [
    helpCommand(bot),
    whoamiCommand(bot),
    whyCommand(bot),
    auditCommand(bot),
    ...jobCommands(bot),
    ...approvalCommands(bot),
    ...roleCommands(bot),
    locksCommand(bot),
    leaveCommand(bot),
    trustCommand(bot),
    pingCommand(),
    ...aliasCommands(bot),
    ...scheduleCommands(bot),
  ];
}
