// Token bucket per key (an exchange account / API key), refilled lazily from the clock. Tokens are
// kept in milli-tokens so that integer configs (capacity 10, refill 5/s) give exact, hand-checkable
// retry-after values instead of float drift.
import { z } from 'zod';
import { parseOrThrow } from '../../domain/errors';
import type { Clock } from '../../domain/clock';

export const RateLimitSchema = z
  .object({
    /** Bucket size: the largest burst of request weight. */
    capacity: z.number().int().positive(),
    /** Tokens added per second, up to `capacity`. */
    refillPerSec: z.number().positive().finite(),
  })
  .strict();
export type RateLimitConfig = z.output<typeof RateLimitSchema>;

export type TakeResult = { ok: true } | { ok: false; retryAfterMs: number };

interface Bucket {
  milliTokens: number;
  at: number;
}

export class TokenBucketLimiter {
  private readonly buckets = new Map<string, Bucket>();
  private readonly cfg: RateLimitConfig;

  constructor(
    private readonly clock: Clock,
    cfg: RateLimitConfig,
  ) {
    this.cfg = parseOrThrow(RateLimitSchema, cfg, 'rate limit config');
  }

  /** Takes `weight` tokens for `key` if available; otherwise says when enough will have refilled. */
  tryTake(key: string, weight: number): TakeResult {
    if (!Number.isInteger(weight) || weight < 0 || weight > this.cfg.capacity) {
      throw new RangeError(`request weight must be an integer in [0, ${this.cfg.capacity}], got ${weight}`);
    }
    const b = this.refill(key);
    const need = weight * 1000;
    if (b.milliTokens >= need) {
      b.milliTokens -= need;
      return { ok: true };
    }
    // milli-tokens per ms = refillPerSec; ceil so that retrying after exactly this long succeeds.
    return { ok: false, retryAfterMs: Math.ceil((need - b.milliTokens) / this.cfg.refillPerSec) };
  }

  /** Tokens currently available for `key` (a fresh key has a full bucket). */
  tokens(key: string): number {
    return this.refill(key).milliTokens / 1000;
  }

  private refill(key: string): Bucket {
    const now = this.clock.now();
    const cap = this.cfg.capacity * 1000;
    let b = this.buckets.get(key);
    if (!b) {
      b = { milliTokens: cap, at: now };
      this.buckets.set(key, b);
      return b;
    }
    if (now > b.at) {
      b.milliTokens = Math.min(cap, b.milliTokens + (now - b.at) * this.cfg.refillPerSec);
      b.at = now;
    }
    return b;
  }
}
