// Ballast's quoting strategy as a market agent inside the simulator, for backtests. On each refresh
// (every `refreshMs` ± jitter) it cancels all its orders on every CEX venue and places the model's
// post-only GTC quotes (`quoteWith`) built from a snapshot of the venue: mid, an EWMA volatility of
// that mid, inventory from its holdings vs the target base ratio, tick/lot/min-notional from the
// venue's exact state. It is a separate account funded with `runner.addAgent`.
//
// Simplification: the live quoting worker diffs desired vs live orders (domain/quoting/order-diff.ts)
// and only touches what changed, keeping queue priority; here every refresh is cancel-and-replace.
// A turn is two decisions (`decisionsPerTurn = 2`): first the cancels, then — with every balance free
// again, so holdings are the full inventory — the new quotes.
import { D, fmt } from '../../domain/money';
import type { Rng } from '../../domain/rng';
import { quoteWith, type MarketSnapshot, type QuoteParams } from '../../domain/quoting';
import { ewmaVolPerSec, initialEwmaVol, updateEwmaVol, type EwmaVolState } from '../../domain/signals/volatility';
import type { AgentAction, AgentView, MarketAgent } from '../market/agent.types';

export interface MarketMakerOptions {
  /** CEX venue ids to quote on (AMM venues are ignored: a pool has no resting orders). */
  venues: readonly string[];
  /** Quoting parameters per venue (sizes depend on the venue's price and lot). */
  params: Record<string, QuoteParams>;
  refreshMs: number;
  /** Relative jitter of the refresh period, in [0, 1). */
  jitter: number;
  /** Share of the venue's wealth the maker wants to hold in base. */
  targetBaseRatio: number;
  /** Largest inventory as a multiple of the target. */
  maxInventoryFactor: number;
  volHalfLifeSec: number;
  /** Per-second variance of log returns to start the EWMA with (e.g. the scenario's σ). */
  seedVariancePerSec: number;
}

export class MarketMakerAgent implements MarketAgent {
  /**
   * AgentKind has no market-maker kind (sim/market/agent.types.ts is not ours); 'background' is the
   * nearest: a passive liquidity provider. Summaries list it under its id.
   */
  readonly kind = 'background' as const;
  readonly decisionsPerTurn = 2;
  readonly venues: readonly string[];
  quotesPlaced = 0;
  private cancelled = false;
  private readonly vol = new Map<string, EwmaVolState>();

  constructor(
    readonly id: string,
    private readonly opts: MarketMakerOptions,
  ) {
    this.venues = opts.venues;
    for (const v of opts.venues) {
      if (!opts.params[v]) throw new RangeError(`market maker ${id}: no quoting params for venue "${v}"`);
      this.vol.set(v, initialEwmaVol(opts.seedVariancePerSec));
    }
  }

  nextDelayMs(_now: number, rng: Rng): number {
    return this.opts.refreshMs * (1 + this.opts.jitter * (2 * rng() - 1));
  }

  decide(view: AgentView): AgentAction[] {
    if (!this.cancelled) {
      this.cancelled = true;
      return this.venues.map((venue) => ({ type: 'cancelAll', venue }));
    }
    this.cancelled = false;
    const out: AgentAction[] = [];
    for (const venue of this.venues) {
      for (const q of this.quotesFor(view, venue)) {
        out.push({ type: 'limit', venue, side: q.side, price: Number(q.price), amount: Number(q.amount), tif: 'GTC', postOnly: true });
      }
    }
    this.quotesPlaced += out.length;
    return out;
  }

  /** The model's quotes for one venue now (empty when the book has no mid). */
  quotesFor(view: AgentView, venue: string): ReturnType<typeof quoteWith> {
    const mid = view.venue(venue)?.mid;
    const ex = view.exact(venue, 0);
    if (mid === undefined || !(mid > 0) || ex?.kind !== 'cex') return [];
    const state = updateEwmaVol(this.vol.get(venue)!, { t: view.now, price: mid }, { halfLifeSec: this.opts.volHalfLifeSec });
    this.vol.set(venue, state);
    const relVol = ewmaVolPerSec(state) ?? Math.sqrt(this.opts.seedVariancePerSec);
    const midD = new D(mid.toPrecision(12));
    const base = new D(ex.freeBase);
    const quote = new D(ex.freeQuote);
    const target = base.times(midD).plus(quote).times(this.opts.targetBaseRatio).div(midD);
    // Bids are also capped by the quote on hand (bids rest below mid, so this is conservative).
    const affordable = base.plus(quote.div(midD).times(0.99));
    const max = D.min(target.times(this.opts.maxInventoryFactor), affordable);
    const snapshot: MarketSnapshot = {
      mid: fmt(midD),
      volatility: relVol * mid,
      inventory: fmt(base),
      targetInventory: fmt(target, 8),
      maxInventory: fmt(max, 8),
      now: view.now,
      tickSize: ex.tickSize,
      lotSize: ex.lotSize,
      minNotional: ex.minNotional,
    };
    return quoteWith(snapshot, this.opts.params[venue]!);
  }
}
