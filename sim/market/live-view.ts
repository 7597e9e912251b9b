// The live `AgentView` the runner hands to agents: touch prices read from the engines' numeric fast
// path and the pool, balances of the acting account, the mid histories, the fundamental (for
// informed traders) and exact state for arbitrageurs. One instance is reused for every decision.
import type { Clock } from '../../domain/clock';
import type { AgentView, ExactVenueState, Holdings, VenueView } from './agent.types';
import { V2_FEE_RATE, type AmmVenue } from './amm-venue';
import type { CexVenue } from './cex-venue';
import type { MidHistory } from './mid-history';
import type { PriceProcess } from './price-process';

export type SimVenue = CexVenue | AmmVenue;

class CexVenueView implements VenueView {
  readonly kind = 'cex' as const;
  readonly takerFee: number;
  constructor(
    private readonly v: CexVenue,
    private readonly history: MidHistory,
  ) {
    this.takerFee = v.takerFee;
  }
  get id(): string {
    return this.v.id;
  }
  get bid(): number | undefined {
    return this.v.bid();
  }
  get ask(): number | undefined {
    return this.v.ask();
  }
  get mid(): number | undefined {
    const b = this.v.bid();
    const a = this.v.ask();
    return b !== undefined && a !== undefined ? (a + b) / 2 : undefined;
  }
  get last(): number | undefined {
    return this.v.lastPrice;
  }
  get lastTradeAt(): number | undefined {
    return this.v.lastTradeAt;
  }
  midAgo(ms: number): number | undefined {
    return ms <= 0 ? this.mid : this.history.ago(ms);
  }
  peakWithin(ms: number): number | undefined {
    return this.history.peakWithin(ms, this.mid);
  }
}

class AmmVenueView implements VenueView {
  readonly kind = 'amm' as const;
  /** Zero: the pool fee is already in this view's bid and ask. */
  readonly takerFee = 0;
  constructor(
    private readonly v: AmmVenue,
    private readonly history: MidHistory,
  ) {}
  get id(): string {
    return this.v.id;
  }
  get bid(): number {
    return this.v.spot() * (1 - V2_FEE_RATE);
  }
  get ask(): number {
    return this.v.spot() / (1 - V2_FEE_RATE);
  }
  get mid(): number {
    return this.v.spot();
  }
  get last(): number | undefined {
    return this.v.lastPrice;
  }
  get lastTradeAt(): number | undefined {
    return this.v.lastSwapAt;
  }
  midAgo(ms: number): number | undefined {
    return ms <= 0 ? this.mid : this.history.ago(ms);
  }
  peakWithin(ms: number): number | undefined {
    return this.history.peakWithin(ms, this.mid);
  }
}

export function venueView(v: SimVenue, history: MidHistory): VenueView {
  return v.kind === 'cex' ? new CexVenueView(v, history) : new AmmVenueView(v, history);
}

export class LiveAgentView implements AgentView {
  /** The account whose balances `holdings`/`exact` report; set before each decision. */
  account = '';

  constructor(
    private readonly venues: ReadonlyMap<string, SimVenue>,
    private readonly views: ReadonlyMap<string, VenueView>,
    private readonly process: PriceProcess,
    private readonly clock: Clock,
  ) {}

  get now(): number {
    return this.clock.now();
  }

  venue(id: string): VenueView | undefined {
    return this.views.get(id);
  }

  holdings(venueId: string): Holdings {
    const v = this.venues.get(venueId);
    if (!v) return { base: 0, quote: 0 };
    if (v.kind === 'cex') return v.holdings(this.account);
    const w = v.balances(this.account);
    return { base: v.toBaseFloat(w.base), quote: v.toQuoteFloat(w.quote) };
  }

  fundamental(aheadMs = 0): number {
    const steps = aheadMs > 0 ? Math.ceil(aheadMs / this.process.params.stepMs) : 0;
    return this.process.peek(steps).price;
  }

  exact(venueId: string, depth: number): ExactVenueState | undefined {
    const v = this.venues.get(venueId);
    if (!v) return undefined;
    if (v.kind === 'amm') {
      const r = v.pool.reserves;
      const w = v.balances(this.account);
      return {
        kind: 'amm',
        id: v.id,
        reserveBase: r.base,
        reserveQuote: r.quote,
        baseDecimals: v.config.baseDecimals,
        quoteDecimals: v.config.quoteDecimals,
        walletBase: w.base,
        walletQuote: w.quote,
      };
    }
    const book = v.engine.book(depth);
    const free = v.freeExact(this.account);
    return {
      kind: 'cex',
      id: v.id,
      bids: book.bids,
      asks: book.asks,
      takerFee: v.config.fees.taker,
      tickSize: v.config.rules.tickSize,
      lotSize: v.config.rules.lotSize,
      minNotional: v.config.rules.minNotional,
      freeBase: free.base,
      freeQuote: free.quote,
    };
  }
}
