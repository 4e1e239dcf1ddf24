/**
 * Who sent something, as Switchboard sees it. Slack vouches for the user id and team of every event it delivers
 * (the delivery itself is authenticated), so a user of the bot's own workspace (or Grid organisation) is verified
 * under their plain user id (`U0123ABCD`). A user of another organisation in a shared channel gets a qualified id
 * (`T0999:U0123ABCD`) and is a guest unless their team or id is trusted in the config. Display names are only ever
 * used to address people; they grant nothing.
 * @module
 */
import type { Sender } from "@switchboard/core";

/** What an event says about its sender. */
export interface SlackUserRef {
  userId: string;
  /** The sender's own team (`user_team`, `team`, `user.team_id`), when the event says. */
  teamId?: string | undefined;
  /** The sender's Grid organisation, when the event says. */
  enterpriseId?: string | undefined;
  /** A name the event carries (`user_name`, `user.name`), used until the profile is looked up. */
  name?: string | undefined;
}

/** The bot's own workspace, from `auth.test`. */
export interface HomeTeam {
  teamId: string;
  enterpriseId?: string | undefined;
}

/** Looks up a display name (e.g. with `users.info`); undefined when it can't. */
export type NameLookup = (userId: string) => Promise<string | undefined>;

/** How long a user's display name is cached. */
const NAME_CACHE_MS = 10 * 60_000;

/** Turns Slack user references into core senders, caching display names for a while. */
export class Identities {
  readonly #names = new Map<string, { name: string | undefined; until: number }>();

  constructor(
    private readonly home: HomeTeam,
    private readonly trust: { trustedTeams: string[]; trustedUsers: string[] },
    private readonly lookup: NameLookup,
  ) {}

  /** True when the user belongs to the bot's workspace (or its Grid organisation). */
  isHome(ref: SlackUserRef): boolean {
    if (ref.teamId !== undefined && ref.teamId === this.home.teamId) return true;
    return this.home.enterpriseId !== undefined && ref.enterpriseId === this.home.enterpriseId;
  }

  /** The id and verification of a sender (no name lookup). */
  idOf(ref: SlackUserRef): { id: string; verified: boolean } {
    if (this.isHome(ref)) return { id: ref.userId, verified: true };
    const org = ref.teamId ?? ref.enterpriseId ?? "unknown";
    const id = `${org}:${ref.userId}`;
    const trusted =
      this.trust.trustedUsers.includes(id) ||
      (ref.teamId !== undefined && this.trust.trustedTeams.includes(ref.teamId)) ||
      (ref.enterpriseId !== undefined && this.trust.trustedTeams.includes(ref.enterpriseId));
    return { id, verified: trusted };
  }

  /** The core sender for a Slack user, with a display name (looked up once per cache period). */
  async sender(ref: SlackUserRef): Promise<Sender> {
    const { id, verified } = this.idOf(ref);
    const name = (await this.displayName(ref.userId)) ?? ref.name ?? ref.userId;
    return { id, name, verified };
  }

  /** A cached display name; undefined when unknown. */
  async displayName(userId: string): Promise<string | undefined> {
    const cached = this.#names.get(userId);
    if (cached && cached.until > Date.now()) return cached.name;
    const name = await this.lookup(userId).catch(() => undefined);
    this.#names.set(userId, { name, until: Date.now() + NAME_CACHE_MS });
    if (this.#names.size > 5000) this.#names.delete(this.#names.keys().next().value as string);
    return name;
  }

  /** A known display name without waiting (for rendering `<@U123>` in incoming text). */
  cachedName(userId: string): string | undefined {
    return this.#names.get(userId)?.name;
  }
}

/** The raw Slack user id of a core sender id (`U0123` or `T0999:U0123` → `U0123`). */
export function slackUserId(senderId: string): string {
  const colon = senderId.lastIndexOf(":");
  return colon >= 0 ? senderId.slice(colon + 1) : senderId;
}
