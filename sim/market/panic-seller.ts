// Panic sellers: when a venue's mid has fallen more than a threshold from its recent peak, they
// dump a fraction of what they hold there, aggressively, then stay calm for a cooldown.
import type { Rng } from '../../domain/rng';
import type { AgentAction, AgentView, MarketAgent } from './agent.types';
import { poissonDelayMs } from './agent.types';
import { marketableOrder } from './agent-helpers';

export interface PanicSellerParams {
  venues: string[];
  /** How often they look at prices. */
  ratePerMinute: number;
  windowMs: number;
  drawdownPct: number;
  /** Fraction of the venue holdings sold per panic (0..1). */
  sellFraction: number;
  maxSlippagePct: number;
  cooldownMs: number;
}

export class PanicSeller implements MarketAgent {
  readonly kind = 'panic' as const;
  readonly venues: readonly string[];
  /** The last panic's time; decisions depend on it, so it is state the tests can set. */
  lastPanicAt: number | undefined;

  constructor(
    readonly id: string,
    readonly params: PanicSellerParams,
  ) {
    this.venues = params.venues;
  }

  nextDelayMs(_now: number, rng: Rng): number {
    return poissonDelayMs(this.params.ratePerMinute, rng);
  }

  decide(view: AgentView, _rng: Rng): AgentAction[] {
    const p = this.params;
    if (this.lastPanicAt !== undefined && view.now - this.lastPanicAt < p.cooldownMs) return [];
    let worst: { venue: string; dd: number } | undefined;
    for (const id of this.venues) {
      const v = view.venue(id);
      const peak = v?.peakWithin(p.windowMs);
      if (!v || v.mid === undefined || peak === undefined || !(peak > 0)) continue;
      const dd = 1 - v.mid / peak;
      if (dd > p.drawdownPct / 100 && view.holdings(id).base > 0 && (!worst || dd > worst.dd)) worst = { venue: id, dd };
    }
    if (!worst) return [];
    const v = view.venue(worst.venue)!;
    const amount = view.holdings(worst.venue).base * p.sellFraction;
    const a = marketableOrder(view, worst.venue, 'sell', amount * (v.bid ?? v.mid!), p.maxSlippagePct);
    if (!a) return [];
    this.lastPanicAt = view.now;
    return [a];
  }
}
