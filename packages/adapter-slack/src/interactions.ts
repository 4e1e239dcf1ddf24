/**
 * Button clicks (`block_actions`). Approve / Deny go through core's approval call for the person who clicked, with
 * the same checks as typing `approve <job>` (never the requester, the rule's permission needed); a refused click
 * is answered with an ephemeral note only the clicker sees, an accepted one is added under the request. Buttons of
 * an `actions` block run their command as the clicker, exactly as if they had typed it.
 * @module
 */
import type { ActionResult, AdapterHost, Room, Sender } from "@switchboard/core";
import type { ApprovalMessages } from "./approval-messages.js";
import { actionIds, type SlackBlock } from "./block-kit.js";
import type { Identities } from "./identity.js";
import type { Ledger } from "./ledger.js";
import type { Outbound } from "./outbound.js";
import { type Delivery, obj, objs, str } from "./payloads.js";
import { trustedResponseUrl } from "./response-urls.js";
import { escapeMrkdwn } from "./slack-text.js";

/** What {@link Interactions} works with. */
export interface InteractionDeps {
  network: string;
  host: AdapterHost;
  identities: Identities;
  ledger: Ledger;
  outbound: Outbound;
  approvals: ApprovalMessages;
  /** The configured Web API URL: a `response_url` must be Slack's or on this origin. */
  apiUrl: string;
}

/** Where a click happened. */
interface Click {
  sender: Sender;
  userId: string;
  room: Room;
  thread?: string | undefined;
  responseUrl?: string | undefined;
  body: Record<string, unknown>;
}

/** Handles button clicks. */
export class Interactions {
  constructor(private readonly deps: InteractionDeps) {}

  async handle(delivery: Delivery): Promise<void> {
    const { body } = delivery;
    if (str(body.type) !== "block_actions") return;
    const trigger = str(body.trigger_id);
    if (!this.deps.ledger.claim(...delivery.keys, trigger && `trigger:${trigger}`)) return;
    const user = obj(body.user);
    const container = obj(body.container);
    const message = obj(body.message);
    const userId = str(user?.id);
    const channel = str(obj(body.channel)?.id) ?? str(container?.channel_id);
    if (!user || !userId || !channel) return;
    // The clicker's own team only: the workspace or organisation the click happened in (`team`, `enterprise`) says
    // nothing about who clicked (in a shared channel it is the bot's own).
    const sender = await this.deps.identities.sender({
      userId,
      teamId: str(user.team_id),
      name: str(user.name) ?? str(user.username),
    });
    const click: Click = {
      sender,
      userId,
      room: { id: channel, direct: channel.startsWith("D") },
      thread: str(container?.thread_ts) ?? str(message?.thread_ts),
      responseUrl: trustedResponseUrl(str(body.response_url), this.deps.apiUrl),
      body,
    };
    for (const action of objs(body.actions)) {
      const actionId = str(action.action_id) ?? "";
      const value = str(action.value);
      if (!value) continue;
      if (actionId === actionIds.approve) await this.#decide(click, value, "approve");
      else if (actionId === actionIds.deny) await this.#decide(click, value, "deny");
      else if (actionId.startsWith(actionIds.run)) await this.#run(click, value, str(action.action_ts) ?? trigger);
    }
  }

  async #decide(click: Click, jobId: string, decision: "approve" | "deny"): Promise<void> {
    const { host, network } = this.deps;
    let result: ActionResult;
    try {
      result = await host.decide({ jobId, decision, network, sender: click.sender, room: click.room });
    } catch (err) {
      host.logger.error({ err, jobId }, "an approval button failed");
      result = { ok: false, text: `that did not work; try typing ${decision} ${jobId}` };
    }
    if (!result.ok) {
      await this.deps.outbound.ephemeral(click.room.id, click.userId, result.text, click.thread, click.responseUrl);
      return;
    }
    const verb = decision === "approve" ? ":white_check_mark: approved by" : ":no_entry: refused by";
    const line = `${verb} <@${click.userId}>: ${escapeMrkdwn(result.text)}`;
    const message = obj(click.body.message);
    await this.deps.approvals.decided(jobId, line, {
      channel: click.room.id,
      ts: str(obj(click.body.container)?.message_ts) ?? str(message?.ts),
      responseUrl: click.responseUrl,
      blocks: (Array.isArray(message?.blocks) ? message.blocks : []) as SlackBlock[],
      text: typeof message?.text === "string" ? message.text : "",
    });
  }

  async #run(click: Click, command: string, id: string | undefined): Promise<void> {
    await this.deps.host.receive(
      {
        id: `action:${id ?? Date.now()}`,
        network: this.deps.network,
        room: click.room,
        ...(click.thread ? { thread: click.thread } : {}),
        sender: click.sender,
        text: command,
        time: new Date(),
      },
      { addressed: true },
    );
  }
}
