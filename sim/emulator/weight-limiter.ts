// Binance's REQUEST_WEIGHT limit: each endpoint costs a weight; the sum per client over a fixed
// one-minute window (aligned to the minute, as Binance does) may not exceed the limit.
import type { Clock } from '../../domain/clock';

export class WeightLimiter {
  private windowStart = -1;
  private readonly used = new Map<string, number>();

  constructor(
    private readonly clock: Clock,
    readonly limitPerMinute: number,
  ) {}

  /** Adds `weight` for `client`; returns the ms until the window resets when over the limit. */
  take(client: string, weight: number): { ok: true } | { ok: false; retryAfterMs: number } {
    const now = this.clock.now();
    const start = now - (now % 60_000);
    if (start !== this.windowStart) {
      this.windowStart = start;
      this.used.clear();
    }
    const total = (this.used.get(client) ?? 0) + weight;
    this.used.set(client, total);
    if (total > this.limitPerMinute) return { ok: false, retryAfterMs: start + 60_000 - now };
    return { ok: true };
  }

  usedBy(client: string): number {
    return this.used.get(client) ?? 0;
  }
}
