// Noise traders: uninformed flow at Poisson times — a random side, a lognormal size, and either a
// marketable order (within a slippage cap) or a passive limit order that rests for a while.
import type { Rng } from '../../domain/rng';
import type { AgentAction, AgentView, MarketAgent } from './agent.types';
import { poissonDelayMs } from './agent.types';
import { clipToBudget, lognormal, marketableOrder, pick } from './agent-helpers';

export interface NoiseTraderParams {
  venues: string[];
  ratePerMinute: number;
  /** Order notional in quote: lognormal with this median and log-sigma. */
  sizeQuote: { median: number; sigma: number };
  /** Probability that an order takes liquidity (always on an AMM, which has no resting orders). */
  marketableProb: number;
  buyProb: number;
  maxSlippagePct: number;
  /** Passive orders sit between 0 and this far below (buys) / above (sells) the mid. */
  passiveOffsetPct: number;
  passiveTtlMs: number;
}

export class NoiseTrader implements MarketAgent {
  readonly kind = 'noise' as const;
  readonly venues: readonly string[];

  constructor(
    readonly id: string,
    readonly params: NoiseTraderParams,
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
    if (!venueId || !v || v.mid === undefined) return [];
    const side = rng() < p.buyProb ? 'buy' : 'sell';
    const notional = lognormal(rng, p.sizeQuote.median, p.sizeQuote.sigma);
    const marketable = v.kind === 'amm' || rng() < p.marketableProb;
    if (marketable) {
      const a = marketableOrder(view, venueId, side, notional, p.maxSlippagePct);
      return a ? [a] : [];
    }
    const offset = (rng() * p.passiveOffsetPct) / 100;
    const price = side === 'buy' ? v.mid * (1 - offset) : v.mid * (1 + offset);
    // Never cross the touch with a "passive" order: it would take liquidity after all.
    if ((side === 'buy' && v.ask !== undefined && price >= v.ask) || (side === 'sell' && v.bid !== undefined && price <= v.bid)) return [];
    const a = clipToBudget(view, { type: 'limit', venue: venueId, side, price, amount: notional / v.mid, tif: 'GTC', ttlMs: p.passiveTtlMs, postOnly: true });
    return a ? [a] : [];
  }
}
