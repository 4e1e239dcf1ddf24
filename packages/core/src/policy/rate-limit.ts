/**
 * Input limits, so one person cannot drown the room: a token bucket of commands per person (stricter for guests),
 * one for all guests of a network together, and caps on the commands being handled at once, per person and in
 * total. A person over their limit gets one "slow down" notice; what they send until their bucket has filled up
 * again is dropped without an answer.
 * @module
 */

import { out, type Reply } from "../output/output.js";
import { formatDuration } from "../util/duration.js";
import { TokenBucket } from "../util/token-bucket.js";
import { isGuest } from "./guests.js";
import type { Actor } from "./identity.js";
import type { Policy } from "./permissions.js";

/** A token bucket: `burst` commands at once, then one more every `intervalMs`. */
export interface BucketLimit {
  burst: number;
  intervalMs: number;
}

/** Rate limits of a bot; see {@link DEFAULT_RATE_LIMITS}. */
export interface RateLimitOptions {
  /** Per person holding a role besides the guest role. */
  member?: BucketLimit;
  /** Per guest (an unverified sender, or a verified identity holding only the guest role). */
  guest?: BucketLimit;
  /** All guests of one network together (so new nicks do not buy new buckets). */
  guests?: BucketLimit;
  /** Commands of one person being handled at once (checking, running; not waiting for approval). */
  maxRunningPerPerson?: number;
  /** Commands of a guest being handled at once. */
  maxRunningPerGuest?: number;
  /** Commands being handled at once, in total. */
  maxRunning?: number;
  /** Holders of this permission are not limited at all (owners holding `*` are). */
  exemptPermission?: string;
}

/**
 * The defaults: a member 10 commands at once, then one a second; a guest 5, then one every 5 s; all guests of a
 * network together 15, then one every 2 s. At most 5 commands of a member, 3 of a guest and 50 in all at once.
 */
export const DEFAULT_RATE_LIMITS: Required<RateLimitOptions> = {
  member: { burst: 10, intervalMs: 1000 },
  guest: { burst: 5, intervalMs: 5000 },
  guests: { burst: 15, intervalMs: 2000 },
  maxRunningPerPerson: 5,
  maxRunningPerGuest: 3,
  maxRunning: 50,
  exemptPermission: "ratelimit:exempt",
};

/** What the limiter needs to know about people. */
export interface RateLimitPolicy {
  guestRole: string;
  /** Whether the actor holds a permission. */
  holds(actor: Actor, permission: string): boolean;
}

/**
 * The limiter's answer: go ahead (and call `release` when done; an exempt actor has nothing to release), or not,
 * with at most one notice to send.
 */
export type Admission = { ok: true; release?(): void } | { ok: false; notice?: Reply };

interface Bucket {
  tokens: TokenBucket;
  /** Told to slow down since the bucket was last full. */
  noticed: boolean;
}

/** Buckets kept at most before full ones are forgotten (a full bucket is the same as none). */
const SWEEP_AT = 2000;

/** An exempt actor's admission: nothing is counted, so nothing is released. */
const ADMITTED: Admission = { ok: true };

/** Token buckets and running counts, per person and per network. */
export class RateLimiter {
  readonly #limits: Required<RateLimitOptions>;
  readonly #buckets = new Map<string, Bucket>();
  /** All guests of a network together: one per network, never swept (forgetting it would let new nicks reset it). */
  readonly #shared = new Map<string, Bucket>();
  readonly #running = new Map<string, number>();
  #total = 0;

  constructor(
    options: RateLimitOptions,
    private readonly policy: RateLimitPolicy,
    private readonly now: () => number = Date.now,
  ) {
    this.#limits = { ...DEFAULT_RATE_LIMITS, ...options };
    for (const key of ["member", "guest", "guests"] as const) {
      const { burst, intervalMs } = this.#limits[key];
      if (!(burst >= 1 && intervalMs > 0)) throw new Error(`rateLimit.${key}: burst must be ≥ 1 and interval > 0`);
    }
  }

  /** Decides whether a command from `actor` is handled now. */
  admit(actor: Actor): Admission {
    const limits = this.#limits;
    if (this.policy.holds(actor, limits.exemptPermission)) return ADMITTED;
    const guest = isGuest(actor, this.policy.guestRole);
    const own = this.#bucket(`${guest ? "guest" : "member"}\u0000${actor.id}`, guest ? limits.guest : limits.member);
    const shared = guest ? this.#sharedBucket(actor.network, limits.guests) : undefined;
    const name = actor.known ? actor.name : actor.id.replace(/^guest:[^:]*:/, "");
    const ownHasToken = own.tokens.waitMs() === 0;
    if (shared && shared.tokens.waitMs() > 0 && ownHasToken)
      return this.#refuse(
        shared,
        `slow down: guests on ${actor.network} send at most ${describe(limits.guests)}, all together; ` +
          "what guests send until they pause for a moment is ignored",
      );
    if (!ownHasToken) {
      const limit = guest ? limits.guest : limits.member;
      return this.#refuse(
        own,
        `slow down, ${name}: ${guest ? "guests send" : "send"} at most ${describe(limit)}; ` +
          "what you send until you pause for a moment is ignored",
      );
    }
    const running = this.#running.get(actor.id) ?? 0;
    const cap = guest ? limits.maxRunningPerGuest : limits.maxRunningPerPerson;
    if (running >= cap)
      return this.#refuse(
        own,
        `${name}, you already have ${running} command${running === 1 ? "" : "s"} running; wait for one to finish`,
      );
    if (this.#total >= limits.maxRunning)
      return this.#refuse(own, `the bot is busy with ${this.#total} commands; ${name}, try again in a moment`);
    own.tokens.tryTake();
    shared?.tokens.tryTake();
    this.#running.set(actor.id, running + 1);
    this.#total += 1;
    let released = false;
    return {
      ok: true,
      release: () => {
        if (released) return;
        released = true;
        this.#total -= 1;
        const left = (this.#running.get(actor.id) ?? 1) - 1;
        if (left > 0) this.#running.set(actor.id, left);
        else this.#running.delete(actor.id);
      },
    };
  }

  /** Buckets and running counts held (for tests and metrics). */
  get size(): { buckets: number; running: number } {
    return { buckets: this.#buckets.size + this.#shared.size, running: this.#total };
  }

  /** Refuses with a notice, unless this person was told since their bucket was last full. */
  #refuse(bucket: Bucket, notice: string): Admission {
    if (bucket.noticed) return { ok: false };
    bucket.noticed = true;
    return { ok: false, notice: out.status("warn", notice) };
  }

  /** The bucket all guests of `network` share; a full one has forgotten its notice. */
  #sharedBucket(network: string, limit: BucketLimit): Bucket {
    let bucket = this.#shared.get(network);
    if (!bucket) {
      bucket = { tokens: new TokenBucket(limit.burst, limit.intervalMs, this.now), noticed: false };
      this.#shared.set(network, bucket);
    } else if (bucket.noticed && bucket.tokens.full) bucket.noticed = false;
    return bucket;
  }

  /** The bucket under `key`; a full one has forgotten its notice. */
  #bucket(key: string, limit: BucketLimit): Bucket {
    let bucket = this.#buckets.get(key);
    if (!bucket) {
      if (this.#buckets.size >= SWEEP_AT) this.#sweep();
      bucket = { tokens: new TokenBucket(limit.burst, limit.intervalMs, this.now), noticed: false };
      this.#buckets.set(key, bucket);
    } else if (bucket.noticed && bucket.tokens.full) bucket.noticed = false;
    return bucket;
  }

  /** Forgets buckets that have filled up again (a full bucket is the same as none). */
  #sweep(): void {
    for (const [key, bucket] of this.#buckets) if (bucket.tokens.full) this.#buckets.delete(key);
    // Still too many (a stream of new identities): forget the oldest; they merely start again with a full bucket.
    for (const key of this.#buckets.keys()) {
      if (this.#buckets.size < SWEEP_AT) break;
      this.#buckets.delete(key);
    }
  }
}

/** The limiter for a bot's `rateLimit` option and policy; undefined when the option is `false`. */
export function rateLimiterFor(option: RateLimitOptions | false | undefined, policy: Policy): RateLimiter | undefined {
  if (option === false) return undefined;
  return new RateLimiter(option ?? {}, {
    guestRole: policy.config.guestRole,
    holds: (actor, permission) => actor.verified && policy.check(actor.roles, permission).held,
  });
}

function describe(limit: BucketLimit): string {
  return `${limit.burst} command${limit.burst === 1 ? "" : "s"} at once, then one every ${formatDuration(limit.intervalMs)}`;
}
