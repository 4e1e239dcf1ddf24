/**
 * `pager me as <email>` and `pager forget me`: link yourself (only yourself) to your PagerDuty user when the
 * configuration does not. The e-mail must be exactly a PagerDuty user's login e-mail, one that no other person is
 * configured with or has linked, and someone with `paging:admin` approves the link (typing an address proves nothing;
 * PagerDuty's own log would blame its owner for what the bot does as them). `pagerduty.linking: config` turns chat
 * linking off.
 * @module
 */
import {
  type Actor,
  type AnyCommand,
  arg,
  DeniedError,
  defineCommand,
  type PluginHandle,
  UserError,
} from "@switchboard/core";
import { normaliseEmail } from "../names.js";
import type { PdUser } from "../pagerduty/types.js";
import { PERMISSIONS } from "../permissions.js";
import type { PagingState } from "../state.js";

const LOCAL = "The local rota knows you by your chat identity: there is nothing to link.";

export function linkCommands(handle: PluginHandle<PagingState>): AnyCommand[] {
  /** Whether `email` is the actor's to take (not configured, not someone else's, a PagerDuty user's exact login). */
  async function claimable(actor: Actor, email: string): Promise<PdUser> {
    const { pagerduty, links } = handle.state;
    if (!pagerduty) throw new UserError(LOCAL);
    if (!actor.known)
      throw new DeniedError("only people configured under principals can link a PagerDuty user", "paging link");
    const current = await links.of(actor.id);
    if (current?.source === "config")
      throw new UserError(
        `your PagerDuty e-mail is set in the configuration (${current.email})`,
        "ask an admin to change plugins.paging.people",
      );
    const owner = await links.ownerOf(email);
    if (owner !== undefined && owner !== actor.id)
      throw new DeniedError(`${email} belongs to someone else here`, "paging link: one e-mail, one person");
    const user = await pagerduty.userByEmail(email);
    if (!user)
      throw new UserError(
        `no PagerDuty user has the login e-mail ${email}`,
        "use the exact e-mail of your PagerDuty profile",
      );
    return user;
  }

  const pagerMeAs = defineCommand({
    name: "pager me as",
    summary: "Link yourself to your PagerDuty user by its login e-mail (a paging:admin approves)",
    examples: ["pager me as alice@example.com"],
    args: { email: arg.string({ positional: true, required: true, description: "your PagerDuty login e-mail" }) },
    permission: PERMISSIONS.read,
    prepare: ({ args }) => {
      const email = normaliseEmail(args.email);
      if (!email) throw new UserError(`"${args.email}" is not an e-mail address`, "pager me as you@example.com");
      if (handle.state.config.pagerduty?.linking === "config")
        throw new UserError(
          "links to PagerDuty users come only from the configuration here",
          "ask an admin to add your e-mail under plugins.paging.people",
        );
      return { email };
    },
    // Typing an e-mail proves nothing: someone who may vouch for the asker approves the exact address.
    requirements: ({ email }) =>
      handle.state.pagerduty
        ? [{ reason: `link to PagerDuty user ${email}`, approval: { permission: PERMISSIONS.admin } }]
        : [],
    check: async ({ args, actor }) => {
      if (!handle.state.pagerduty) return {};
      const user = await claimable(actor, args.email);
      return { pagerDutyUser: user.id };
    },
    async handler({ args, actor }) {
      const { pagerduty, links } = handle.state;
      if (!pagerduty) return LOCAL;
      const user = await claimable(actor, args.email); // again: someone may have linked it while it waited
      await links.link(actor.id, args.email, user.id);
      return `Okay, you are ${user.name} (${user.email}) in PagerDuty from now on.`;
    },
  });

  const forgetMe = defineCommand({
    name: "pager forget me",
    summary: "Remove the link to your PagerDuty user",
    permission: PERMISSIONS.read,
    async handler({ actor }) {
      const { pagerduty, links } = handle.state;
      if (!pagerduty) return LOCAL;
      const forgotten = await links.forget(actor.id);
      if (forgotten) return `Okay, I forgot that you are ${forgotten} in PagerDuty.`;
      const current = await links.of(actor.id);
      if (current?.source === "config")
        return `Your PagerDuty e-mail (${current.email}) comes from the configuration; ask an admin to change it.`;
      return "You were not linked to a PagerDuty user.";
    },
  });
  return [pagerMeAs, forgetMe];
}
