// A whale sell-off: a large holder sells a block in slices over a window that starts at a fixed or
// random time, each slice on the venue that pays best at that moment (net of its taker fee).
import type { Rng } from '../../domain/rng';
import type { AgentAction, AgentView, MarketAgent } from './agent.types';
import { marketableOrder } from './agent-helpers';

export interface WhaleSellerParams {
  venues: string[];
  /** Start window, ms from the run start; the start is drawn uniformly in [from, to]. */
  startFromMs: number;
  startToMs: number;
  durationMs: number;
  /** Total base to sell, and in how many slices. */
  totalBase: number;
  slices: number;
  maxSlippagePct: number;
  /** Random jitter of each slice's time, as a fraction of the slice interval (0..1). */
  jitter: number;
}

export class WhaleSeller implements MarketAgent {
  readonly kind = 'whale' as const;
  readonly venues: readonly string[];
  /** Absolute time of the first slice once drawn. */
  startAt: number | undefined;
  slicesDone = 0;
  /** Base offered so far (what the slices asked to sell; fills may be smaller). */
  offeredBase = 0;

  constructor(
    readonly id: string,
    readonly params: WhaleSellerParams,
  ) {
    this.venues = params.venues;
  }

  nextDelayMs(now: number, rng: Rng): number | undefined {
    const p = this.params;
    if (this.startAt === undefined) {
      // Called first at the run start: draw the start time once.
      this.startAt = now + p.startFromMs + rng() * Math.max(0, p.startToMs - p.startFromMs);
      return this.startAt - now;
    }
    if (this.slicesDone >= p.slices) return undefined;
    const interval = p.durationMs / p.slices;
    return Math.max(0, interval * (1 + p.jitter * (rng() * 2 - 1)));
  }

  decide(view: AgentView, _rng: Rng): AgentAction[] {
    const p = this.params;
    if (this.startAt === undefined || view.now < this.startAt || this.slicesDone >= p.slices) return [];
    this.slicesDone++;
    const slice = p.totalBase / p.slices;
    let best: { venue: string; net: number } | undefined;
    for (const id of this.venues) {
      const v = view.venue(id);
      if (!v || v.bid === undefined || view.holdings(id).base <= 0) continue;
      const net = v.bid * (1 - v.takerFee);
      if (!best || net > best.net) best = { venue: id, net };
    }
    if (!best) return [];
    const amount = Math.min(slice, view.holdings(best.venue).base);
    const a = marketableOrder(view, best.venue, 'sell', amount * view.venue(best.venue)!.bid!, p.maxSlippagePct);
    if (a) this.offeredBase += a.amount;
    return a ? [a] : [];
  }
}
