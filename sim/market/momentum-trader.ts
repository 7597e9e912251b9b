// Momentum traders: buy after a rise and sell after a fall of a venue's mid over a lookback window.
import type { Rng } from '../../domain/rng';
import type { AgentAction, AgentView, MarketAgent } from './agent.types';
import { poissonDelayMs } from './agent.types';
import { marketableOrder, pick } from './agent-helpers';

export interface MomentumTraderParams {
  venues: string[];
  ratePerMinute: number;
  lookbackMs: number;
  /** Minimum absolute log return over the lookback, percent. */
  thresholdPct: number;
  /** Notional at the threshold; larger moves scale it up to three times. */
  sizeQuote: number;
  maxSlippagePct: number;
}

export class MomentumTrader implements MarketAgent {
  readonly kind = 'momentum' as const;
  readonly venues: readonly string[];

  constructor(
    readonly id: string,
    readonly params: MomentumTraderParams,
  ) {
    this.venues = params.venues;
  }

  nextDelayMs(_now: number, rng: Rng): number {
    return poissonDelayMs(this.params.ratePerMinute, rng);
  }

  decide(view: AgentView, rng: Rng): AgentAction[] {
    const p = this.params;
    const venueId = pick(this.venues, rng);
    const v = venueId === undefined ? undefined : view.venue(venueId);
    const then = v?.midAgo(p.lookbackMs);
    if (!venueId || !v || v.mid === undefined || then === undefined || !(then > 0)) return [];
    const r = Math.log(v.mid / then);
    const th = p.thresholdPct / 100;
    if (Math.abs(r) <= th) return [];
    const a = marketableOrder(view, venueId, r > 0 ? 'buy' : 'sell', p.sizeQuote * Math.min(Math.abs(r) / th, 3), p.maxSlippagePct);
    return a ? [a] : [];
  }
}
