import Decimal from 'decimal.js';
import { loadConfig } from '../../config/load';
import type { SimVenueConfig } from '../../domain/config.schema';
import type { OrderBookSnapshot } from '../../domain/order-book';
import { SyntheticBook } from '../../sim/synthetic-book';

const SIM_VENUES = loadConfig().venues.filter((v): v is SimVenueConfig => v.kind === 'sim');
const NOW = () => 1_700_000_000_000;

function run(venue: SimVenueConfig, n: number): OrderBookSnapshot[] {
  const book = new SyntheticBook(venue, NOW);
  return Array.from({ length: n }, () => book.snapshot());
}

describe('SyntheticBook', () => {
  it('the demo has the three sim venues this suite covers', () => {
    expect(SIM_VENUES.map((v) => v.id)).toEqual(['alpha', 'bravo', 'charlie']);
  });

  describe.each(SIM_VENUES.map((v) => [v.id, v] as const))('%s', (_id, venue) => {
    const snaps = run(venue, 50);

    it('same seed ⇒ identical snapshots', () => {
      expect(run(venue, 50)).toEqual(snaps);
    });

    it('a different seed ⇒ different snapshots', () => {
      const other = run({ ...venue, sim: { ...venue.sim, seed: venue.sim.seed + 1 } }, 50);
      expect(other).not.toEqual(snaps);
    });

    it('carries the venue, market and clock', () => {
      for (const s of snaps) {
        expect(s.venue).toBe(venue.id);
        expect(s.market).toBe(venue.market);
        expect(s.timestamp).toBe(1_700_000_000_000);
      }
    });

    it('every bid price is below every ask price, bids descend and asks ascend', () => {
      const problems: string[] = [];
      snaps.forEach((s, n) => {
        if (s.bids.length !== venue.sim.levels || s.asks.length !== venue.sim.levels) problems.push(`#${n}: level count`);
        const bids = s.bids.map((l) => new Decimal(l.price));
        const asks = s.asks.map((l) => new Decimal(l.price));
        if (!Decimal.max(...bids).lt(Decimal.min(...asks))) problems.push(`#${n}: max bid >= min ask`);
        for (let i = 1; i < bids.length; i++) if (!bids[i]!.lt(bids[i - 1]!)) problems.push(`#${n}: bid ${i} not below bid ${i - 1}`);
        for (let i = 1; i < asks.length; i++) if (!asks[i]!.gt(asks[i - 1]!)) problems.push(`#${n}: ask ${i} not above ask ${i - 1}`);
      });
      expect(problems).toEqual([]);
    });

    it('prices are positive multiples of tickSize, amounts positive multiples of lotSize', () => {
      const tick = new Decimal(venue.rules.tickSize);
      const lot = new Decimal(venue.rules.lotSize);
      const bad: string[] = [];
      let checked = 0;
      for (const s of snaps) {
        for (const l of [...s.bids, ...s.asks]) {
          const price = new Decimal(l.price);
          const amount = new Decimal(l.amount);
          if (!price.gt(0) || !price.mod(tick).isZero()) bad.push(`price ${l.price} (tick ${venue.rules.tickSize})`);
          if (!amount.gte(lot) || !amount.mod(lot).isZero()) bad.push(`amount ${l.amount} (lot ${venue.rules.lotSize})`);
          checked++;
        }
      }
      expect(checked).toBe(50 * 2 * venue.sim.levels);
      expect(bad).toEqual([]);
    });

    it('keeps the mid near the configured mid and the spread near 2 × halfSpreadPct', () => {
      // First snapshot: mid moved by one step of a 0.2 % per-snapshot random walk, so within ±2 %
      // (10 σ); the top-of-book spread is ≈ 2 × halfSpreadPct of mid, plus at most 2 ticks of rounding.
      const s = snaps[0]!;
      const bid = new Decimal(s.bids[0]!.price);
      const ask = new Decimal(s.asks[0]!.price);
      const mid = bid.plus(ask).div(2);
      const cfgMid = new Decimal(venue.sim.mid);
      expect(mid.minus(cfgMid).abs().div(cfgMid).lt('0.02')).toBe(true);
      const spreadPct = ask.minus(bid).div(mid).times(100);
      const expected = new Decimal(venue.sim.halfSpreadPct).times(2);
      const slackPct = new Decimal(venue.rules.tickSize).times(2).div(mid).times(100);
      expect(spreadPct.minus(expected).abs().lte(slackPct.plus('0.0001'))).toBe(true);
    });
  });

  it('snapshot(limit) honours the limit and never exceeds the configured levels', () => {
    const venue = SIM_VENUES[0]!; // alpha: 25 levels
    const book = new SyntheticBook(venue, NOW);
    const five = book.snapshot(5);
    expect(five.bids).toHaveLength(5);
    expect(five.asks).toHaveLength(5);
    const one = book.snapshot(1);
    expect(one.bids).toHaveLength(1);
    expect(one.asks).toHaveLength(1);
    const big = book.snapshot(1000);
    expect(big.bids).toHaveLength(25);
    expect(big.asks).toHaveLength(25);
    const none = book.snapshot(0);
    expect(none.bids).toEqual([]);
    expect(none.asks).toEqual([]);
  });

  it('volume24hQuote is the configured value', () => {
    expect(new SyntheticBook(SIM_VENUES[1]!, NOW).volume24hQuote()).toBe('900000');
  });
});
