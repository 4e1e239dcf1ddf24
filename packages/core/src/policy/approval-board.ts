/**
 * The approval board: every message that asks for one job's approval — the one in the asker's room and one in each
 * room of `approvals.announce` — kept in step as people decide. Where the network can edit, the request is edited in
 * place ("1 of 2: alice approved; waiting for 1 more with deploy:approve"); elsewhere a short follow-up line goes
 * into that room. When the job starts, is refused, withdrawn or expires, every request is closed the same way (its
 * Approve/Deny offer removed). The asker's room already gets the desk's own notices, so there only edits happen.
 * @module
 */
import type { SentMessage } from "../adapters/adapter.js";
import type { Outbox } from "../output/outbox.js";
import { type Block, type OutgoingMessage, out, type StatusLevel } from "../output/output.js";
import type { Logger } from "../runtime/logger.js";
import type { RoomRef } from "../util/room-ref.js";

/** One posted request message. */
interface Post {
  network: string;
  room: string;
  thread?: string;
  /** What the network gave back (absent on networks without message ids: they get follow-up lines). */
  sent?: SentMessage;
  /** The asker's own room (its follow-up lines come from the desk). */
  asker: boolean;
}

interface Board {
  posts: Post[];
  /** The request as first posted (status line and the invocation's facts). */
  request: Block[];
  /** Updates of one job, in order. */
  chain: Promise<void>;
}

/** Where the asker's request went, and what the job is. */
export interface BoardJob {
  id: string;
  network: string;
  room: string;
}

/** Keeps the request messages of waiting jobs. */
export class ApprovalBoard {
  readonly #boards = new Map<string, Board>();

  constructor(
    private readonly outbox: Outbox,
    /** The rooms every approval request is announced into. */
    private readonly rooms: readonly RoomRef[],
    private readonly logger: Logger,
  ) {}

  /**
   * Records the asker's request (`askerSent`, when its network gave an id) and posts the same request into every
   * announce room (other than the asker's own), as an approval request: adapters render their native Approve/Deny.
   */
  async open(job: BoardJob, request: Block[], askerSent: SentMessage | undefined): Promise<void> {
    const posts: Post[] = [
      { network: job.network, room: job.room, asker: true, ...(askerSent ? { sent: askerSent } : {}) },
    ];
    const board: Board = { posts, request, chain: Promise.resolve() };
    this.#boards.set(job.id, board);
    for (const ref of this.rooms) {
      if (ref.network === job.network && ref.room === job.room) continue;
      try {
        const sent = await this.outbox.send(
          {
            network: ref.network,
            room: { id: ref.room, direct: false },
            ...(ref.thread ? { thread: ref.thread } : {}),
          },
          { blocks: request, kind: "notice", jobId: job.id, approvalRequest: true },
        );
        posts.push({
          network: ref.network,
          room: ref.room,
          asker: false,
          ...(ref.thread ? { thread: ref.thread } : {}),
          ...(sent ? { sent } : {}),
        });
      } catch (err) {
        this.logger.warn(
          { err, network: ref.network, room: ref.room, jobId: job.id },
          "could not announce an approval request",
        );
      }
    }
  }

  /** A decision that leaves the job waiting: every request shows `line` under it, still offering Approve/Deny. */
  progress(jobId: string, line: string): Promise<void> {
    return this.#update(jobId, (request) => [...request, out.status("info", line)], "info", line, true);
  }

  /** The job started or was closed: every request says so and stops offering Approve/Deny; the board forgets it. */
  close(jobId: string, level: StatusLevel, line: string): Promise<void> {
    const done = this.#update(jobId, (request) => [out.status(level, line), ...request.slice(1)], level, line, false);
    this.#boards.delete(jobId);
    return done;
  }

  #update(
    jobId: string,
    edited: (request: Block[]) => Block[],
    level: StatusLevel,
    line: string,
    open: boolean,
  ): Promise<void> {
    const board = this.#boards.get(jobId);
    if (!board) return Promise.resolve();
    const message: OutgoingMessage = {
      blocks: edited(board.request),
      kind: "notice",
      jobId,
      ...(open ? { approvalRequest: true } : {}),
    };
    const followUp: OutgoingMessage = { blocks: [out.status(level, line)], kind: "notice", jobId };
    board.chain = board.chain.then(() =>
      Promise.all(board.posts.map((post) => this.#write(post, message, followUp))).then(() => {}),
    );
    return board.chain;
  }

  async #write(post: Post, message: OutgoingMessage, followUp: OutgoingMessage): Promise<void> {
    try {
      if (post.sent && this.outbox.capabilities(post.network)?.edits) {
        await this.outbox.edit(post.sent, message);
        return;
      }
      if (post.asker) return;
      await this.outbox.send(
        {
          network: post.network,
          room: { id: post.room, direct: false },
          ...(post.thread ? { thread: post.thread } : {}),
        },
        followUp,
      );
    } catch (err) {
      this.logger.warn({ err, network: post.network, room: post.room }, "could not update an approval request");
    }
  }
}
