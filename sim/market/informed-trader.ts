// Informed traders: they see the fundamental a little ahead and with small noise, and take
// liquidity where a venue's price deviates from it by more than their threshold (net of fees).
import { gaussian, type Rng } from '../../domain/rng';
import type { AgentAction, AgentView, MarketAgent } from './agent.types';
import { poissonDelayMs } from './agent.types';
import { clipToBudget } from './agent-helpers';
import type { Side } from '../engine/engine.types';

export interface InformedTraderParams {
  venues: string[];
  ratePerMinute: number;
  /** How far ahead of now they see the fundamental, ms. */
  leadMs: number;
  /** Log-noise of their observation, percent (0 = perfect). */
  noisePct: number;
  /** Minimum edge, percent, after the venue's taker fee. */
  thresholdPct: number;
  /** Notional at three times the threshold; smaller edges trade proportionally less. */
  maxQuote: number;
}

export class InformedTrader implements MarketAgent {
  readonly kind = 'informed' as const;
  readonly venues: readonly string[];

  constructor(
    readonly id: string,
    readonly params: InformedTraderParams,
  ) {
    this.venues = params.venues;
  }

  nextDelayMs(_now: number, rng: Rng): number {
    return poissonDelayMs(this.params.ratePerMinute, rng);
  }

  decide(view: AgentView, rng: Rng): AgentAction[] {
    const p = this.params;
    const fair = view.fundamental(p.leadMs) * Math.exp((p.noisePct / 100) * gaussian(rng));
    const th = p.thresholdPct / 100;
    let best: { venue: string; side: Side; edge: number } | undefined;
    for (const id of this.venues) {
      const v = view.venue(id);
      if (!v) continue;
      if (v.ask !== undefined) {
        const edge = fair / (v.ask * (1 + v.takerFee)) - 1;
        if (edge > th && (!best || edge > best.edge)) best = { venue: id, side: 'buy', edge };
      }
      if (v.bid !== undefined) {
        const edge = (v.bid * (1 - v.takerFee)) / fair - 1;
        if (edge > th && (!best || edge > best.edge)) best = { venue: id, side: 'sell', edge };
      }
    }
    if (!best) return [];
    const v = view.venue(best.venue)!;
    const touch = best.side === 'buy' ? v.ask! : v.bid!;
    // Take liquidity until the remaining edge is half the threshold.
    const price = best.side === 'buy' ? fair * (1 - th / 2) : fair * (1 + th / 2);
    const notional = p.maxQuote * Math.min(1, best.edge / (3 * th));
    const a = clipToBudget(view, { type: 'limit', venue: best.venue, side: best.side, price, amount: notional / touch, tif: 'IOC' });
    return a ? [a] : [];
  }
}
