// A simulated CEX book: a seeded random walk of the mid with a ladder of resting levels around it,
// quantized to the venue's tick and lot. A stand-in until the matching-engine simulator lands.
import { D, fmt } from '../domain/money';
import { gaussian, mulberry32, type Rng } from '../domain/rng';
import type { OrderBookSnapshot } from '../domain/order-book';
import type { SimVenueConfig } from '../domain/config.schema';

export class SyntheticBook {
  private readonly rng: Rng;
  private mid: number;

  constructor(
    private readonly venue: SimVenueConfig,
    private readonly now: () => number,
    private readonly volatilityPerSnapshot = 0.002,
  ) {
    this.rng = mulberry32(venue.sim.seed);
    this.mid = Number(venue.sim.mid);
  }

  snapshot(limit = this.venue.sim.levels): OrderBookSnapshot {
    // Model math may use floats; what leaves is quantized exactly to the venue's tick and lot.
    this.mid *= Math.exp(this.volatilityPerSnapshot * gaussian(this.rng));
    const { sim, rules } = this.venue;
    const tick = new D(rules.tickSize);
    const lot = new D(rules.lotSize);
    const mid = new D(this.mid);
    const half = new D(sim.halfSpreadPct).div(100);
    const step = new D(sim.stepPct).div(100);
    const bids = [];
    const asks = [];
    const levels = Math.min(limit, sim.levels);
    for (let i = 0; i < levels; i++) {
      const offset = half.plus(step.times(i));
      const size = () => new D(sim.levelBase).times(0.5 + this.rng()).div(lot).floor().times(lot);
      const bid = mid.times(new D(1).minus(offset)).div(tick).floor().times(tick);
      const ask = mid.times(new D(1).plus(offset)).div(tick).ceil().times(tick);
      if (bid.gt(0)) bids.push({ price: fmt(bid), amount: fmt(D.max(size(), lot)) });
      asks.push({ price: fmt(ask), amount: fmt(D.max(size(), lot)) });
    }
    return { venue: this.venue.id, market: this.venue.market, timestamp: this.now(), bids, asks };
  }

  volume24hQuote(): string {
    return this.venue.sim.volume24hQuote;
  }
}
