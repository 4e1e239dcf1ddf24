/**
 * Approval requests with buttons: the adapter remembers each request message, adds a line for every decision made
 * with its buttons (who approved or refused), and removes the buttons once the job runs or is closed, whichever
 * network the deciding came from.
 * @module
 */
import { context, type SlackBlock } from "./block-kit.js";

/** Where a request message is and what it shows. */
export interface ApprovalMessage {
  channel: string;
  /** Its ts when the bot posted it with `chat.postMessage`. */
  ts?: string | undefined;
  /** A button click's `response_url`, to replace a message the bot can't `chat.update` (posted via a response URL). */
  responseUrl?: string | undefined;
  blocks: SlackBlock[];
  text: string;
}

interface Tracked extends ApprovalMessage {
  decisions: string[];
  final?: string;
}

/** How an updated request message is written back. */
export type WriteBack = (message: ApprovalMessage) => Promise<void>;

const isApprovalButtons = (block: SlackBlock) =>
  block.type === "actions" && (block.block_id ?? "").startsWith("switchboard.approval.");

/** Lines shown under a request at most (older decisions are counted instead). */
const maxLines = 12;

/** The approval request messages of waiting jobs. */
export class ApprovalMessages {
  readonly #jobs = new Map<string, Tracked>();
  readonly #writing = new Map<string, { scheduled: boolean; done: Promise<void> }>();

  constructor(private readonly writeBack: WriteBack) {}

  /** Remembers the request message of `jobId`. */
  track(jobId: string, message: ApprovalMessage): void {
    this.#jobs.set(jobId, { ...message, decisions: [] });
    if (this.#jobs.size > 500) this.#jobs.delete(this.#jobs.keys().next().value as string);
  }

  get(jobId: string): ApprovalMessage | undefined {
    return this.#jobs.get(jobId);
  }

  /**
   * Adds a decision line (`✅ <@U1> approved …`) under the request. `seen` is the message as the click showed it,
   * used when the adapter has no record of it (e.g. after a restart).
   */
  decided(jobId: string, line: string, seen: ApprovalMessage): Promise<void> {
    let tracked = this.#jobs.get(jobId);
    if (!tracked) {
      tracked = { ...seen, decisions: [] };
      this.#jobs.set(jobId, tracked);
    }
    if (!tracked.ts && seen.responseUrl) tracked.responseUrl = seen.responseUrl;
    tracked.decisions.push(line);
    return this.#write(jobId);
  }

  /**
   * Core replaced the request message (people decided, from any network): its content becomes `blocks`/`text`,
   * keeping the lines added under it here, and is written back in turn with them (one writer per message). Returns
   * false when `ts` is not the tracked request of `jobId` (then the caller updates the message itself).
   */
  replaced(jobId: string, ts: string, blocks: SlackBlock[], text: string): Promise<void> | false {
    const tracked = this.#jobs.get(jobId);
    if (!tracked || tracked.ts !== ts) return false;
    tracked.blocks = blocks;
    tracked.text = text;
    return this.#write(jobId);
  }

  /** Marks the job as running or closed: the buttons go, `line` says why. Unknown jobs are ignored. */
  close(jobId: string, line: string): Promise<void> {
    const tracked = this.#jobs.get(jobId);
    if (!tracked || tracked.final !== undefined) return Promise.resolve();
    tracked.final = line;
    return this.#write(jobId);
  }

  /** The message as it should look now. */
  render(jobId: string): ApprovalMessage | undefined {
    const tracked = this.#jobs.get(jobId);
    if (!tracked) return undefined;
    const kept = tracked.final === undefined ? tracked.blocks : tracked.blocks.filter((b) => !isApprovalButtons(b));
    const hidden = Math.max(0, tracked.decisions.length - maxLines);
    const lines = [
      ...(hidden ? [`… ${hidden} earlier decision${hidden === 1 ? "" : "s"}`] : []),
      ...tracked.decisions.slice(hidden),
      ...(tracked.final !== undefined ? [tracked.final] : []),
    ];
    // Without its buttons, the request's text no longer offers them either.
    const text =
      tracked.final === undefined
        ? tracked.text
        : tracked.text.replace(/\n?\[Approve: [^\]\n]*\] \[Deny: [^\]\n]*\]/, "");
    return {
      channel: tracked.channel,
      ts: tracked.ts,
      responseUrl: tracked.responseUrl,
      blocks: [...kept, ...lines.map(context)],
      text: [text, ...lines].join("\n"),
    };
  }

  /** Writes the message back; changes arriving while a write waits are folded into it. */
  #write(jobId: string): Promise<void> {
    const pending = this.#writing.get(jobId);
    if (pending?.scheduled) return pending.done;
    const previous = pending?.done ?? Promise.resolve();
    const state = { scheduled: true, done: Promise.resolve() };
    state.done = previous
      .catch(() => {})
      .then(async () => {
        state.scheduled = false;
        const message = this.render(jobId);
        if (message) await this.writeBack(message);
      })
      .finally(() => {
        if (this.#writing.get(jobId) === state) this.#writing.delete(jobId);
      });
    this.#writing.set(jobId, state);
    return state.done;
  }
}
