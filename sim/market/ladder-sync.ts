// Keeps an account's resting ladder on a CEX equal to a target ladder with the fewest engine calls:
// an order is kept while it sits on a target level with at least half the target size left; others
// are cancelled first (freeing their holds), then missing levels are placed post-only.
import { ORDER_FLAGS } from '../engine/engine.types';
import type { LadderLevel } from './background-liquidity';
import type { CexVenue } from './cex-venue';

export interface SyncCounts {
  placed: number;
  cancelled: number;
  rejected: number;
}

export class LadderSync {
  /** Level key (ticks, negated for bids) → order number. */
  private readonly orders = new Map<number, number>();

  constructor(
    private readonly venue: CexVenue,
    readonly account: string,
  ) {}

  sync(target: readonly LadderLevel[]): SyncCounts {
    const engine = this.venue.engine;
    const want = new Map<number, LadderLevel>();
    for (const l of target) want.set(l.side === 'buy' ? -l.ticks : l.ticks, l);
    const counts: SyncCounts = { placed: 0, cancelled: 0, rejected: 0 };
    for (const [key, orderNo] of this.orders) {
      const rem = engine.openLots(orderNo);
      const w = want.get(key);
      if (rem > 0 && w && rem * 2 >= w.lots) {
        want.delete(key); // satisfied by the resting order
        continue;
      }
      if (rem > 0) {
        engine.cancelById(orderNo);
        counts.cancelled++;
      }
      this.orders.delete(key);
    }
    for (const [key, l] of want) {
      const no = engine.placeLimitTicks(this.account, l.side, l.ticks, l.lots, ORDER_FLAGS.POST_ONLY);
      if (no > 0) {
        counts.placed++;
        if (engine.openLots(no) > 0) this.orders.set(key, no);
      } else {
        counts.rejected++; // post-only would cross (someone's order sits there) or funds are short
      }
    }
    return counts;
  }

  /** Number of orders believed open. */
  get size(): number {
    return this.orders.size;
  }
}
