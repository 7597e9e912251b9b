import { computeBookMetrics, type BookMetrics } from '../../domain/compliance';
import { DomainError } from '../../domain/errors';
import { D } from '../../domain/money';
import { buildLadder, type LadderLevel, type LadderParams, type LadderResult } from '../../domain/quoting/ladder';
import { jitterAroundMs, jitterIntervalMs, jitterLadderSizes } from '../../domain/quoting/jitter';
import { mulberry32 } from '../../domain/rng';

function ok(r: LadderResult): Extract<LadderResult, { ok: true }> {
  if (!r.ok) throw new Error(`expected a ladder, got ${r.reason}: ${r.message}`);
  return r;
}
function okMetrics(m: BookMetrics): Extract<BookMetrics, { ok: true }> {
  if (!m.ok) throw new Error(`expected metrics, got ${m.reason}`);
  return m;
}
const book = (bids: LadderLevel[], asks: LadderLevel[]) => ({
  bids: bids.map((l) => ({ price: l.price, amount: l.amount })),
  asks: asks.map((l) => ({ price: l.price, amount: l.amount })),
});
/** Depth measured by the compliance code on a book made of the two ladders. */
function depthAt(bids: LadderLevel[], asks: LadderLevel[], pct = '2') {
  const m = okMetrics(computeBookMetrics(book(bids, asks), [pct]));
  return { mid: m.mid, bid: m.depth[0]!.bidQuote, ask: m.depth[0]!.askQuote };
}
/** One lot at each level's price: how far above the requirement a least-capital ladder may go. */
const lotSlack = (levels: LadderLevel[], lot: string) => levels.reduce((s, l) => s.plus(new D(l.price).times(lot)), new D(0));

// Venue "alpha" of the demo config: tick 0.0001, lot 1, min notional 5, 20 000 within ±2 %.
const ALPHA: Omit<LadderParams, 'side'> = {
  mid: '0.5',
  rules: { tickSize: '0.0001', lotSize: '1', minNotional: '5' },
  depthQuote: '20000',
  levels: 5,
  firstOffsetPct: '0.1',
  stepPct: '0.2',
};

describe('buildLadder', () => {
  it('alpha: five flat levels meet 20 000 per side with less than one lot to spare', () => {
    const bids = ok(buildLadder({ ...ALPHA, side: 'buy' }));
    // Prices 0.5 × (1 − 0.1 %, 0.3 %, 0.5 %, 0.7 %, 0.9 %) = 0.4995 0.4985 0.4975 0.4965 0.4955.
    // 4000 each: 4000/p = 8008.008 8024.072 8040.201 8056.496 8072.654 → floors
    //   notionals 3999.996 + 3999.964 + 3999.9 + 3999.804 + 3999.676 = 19999.34 (short 0.66)
    //   + one lot at the largest remainders: 0.654 (0.4955) → 19999.8355, 0.496 (0.4965) → 20000.332
    expect(bids.levels.map((l) => [l.price, l.amount])).toEqual([
      ['0.4995', '8008'],
      ['0.4985', '8024'],
      ['0.4975', '8040'],
      ['0.4965', '8057'],
      ['0.4955', '8073'],
    ]);
    expect(bids.bandQuote).toBe('20000.332');
    expect(bids.capital).toEqual({ asset: 'quote', amount: '20000.332' });

    const asks = ok(buildLadder({ ...ALPHA, side: 'sell' }));
    // 0.5005 0.5015 0.5025 0.5035 0.5045: 7992.008 7976.072 7960.199 7944.389 7928.642 → floors
    //   19999.34; + lot at 0.5045 (0.642) → 19999.8445, + lot at 0.5035 (0.389) → 20000.348
    expect(asks.levels.map((l) => [l.price, l.amount])).toEqual([
      ['0.5005', '7992'],
      ['0.5015', '7976'],
      ['0.5025', '7960'],
      ['0.5035', '7945'],
      ['0.5045', '7929'],
    ]);
    expect(asks.bandQuote).toBe('20000.348');
    // Base locked: 7992 + 7976 + 7960 + 7945 + 7929 = 39802
    expect(asks.capital).toEqual({ asset: 'base', amount: '39802' });

    // The compliance code agrees: mid (0.4995 + 0.5005)/2 = 0.5, band [0.49, 0.51].
    const d = depthAt(bids.levels, asks.levels);
    expect(d).toEqual({ mid: '0.5', bid: '20000.332', ask: '20000.348' });
    expect(new D(d.bid).minus(20000).lt(lotSlack(bids.levels, '1'))).toBe(true);
    expect(new D(d.ask).minus(20000).lt(lotSlack(asks.levels, '1'))).toBe(true);
  });

  it('drops levels the spacing pushes outside the band and puts capital there only for extra levels', () => {
    const params: LadderParams = {
      side: 'buy',
      mid: '1',
      rules: { tickSize: '0.0001', lotSize: '0.1', minNotional: '10' },
      depthQuote: '1000',
      levels: 6,
      firstOffsetPct: '0.25',
      stepPct: '0.5',
    };
    // Offsets 0.25 0.75 1.25 1.75 | 2.25 2.75 %; counted levels must be within 2 − 0.2 = 1.8 %.
    const bids = ok(buildLadder(params));
    expect(bids.droppedOutsideBand).toEqual([4, 5]);
    // 250 each at 0.9975 0.9925 0.9875 0.9825: 250.6266 251.889 253.1646 254.4529 → 250.6 251.8 253.1 254.4
    //   = 249.9735 + 249.9115 + 249.93625 + 249.948 = 999.76925; lots (0.1) by remainder:
    //   0.889 → +0.09925, 0.646 → +0.09875, 0.529 → +0.09825 = 1000.0655
    expect(bids.levels.map((l) => [l.level, l.price, l.amount])).toEqual([
      [0, '0.9975', '250.6'],
      [1, '0.9925', '251.9'],
      [2, '0.9875', '253.2'],
      [3, '0.9825', '254.5'],
    ]);
    expect(bids.bandQuote).toBe('1000.0655');
    expect(bids.totalQuote).toBe('1000.0655');

    const withExtra = ok(buildLadder({ ...params, extraLevels: { count: 1, quoteEach: '100' } }));
    // Extra at 2 + 0.5 = 2.5 % → 0.975; ⌈100 / 0.975 / 0.1⌉ × 0.1 = 102.6 → 100.035
    expect(withExtra.levels[4]).toEqual({ level: 6, side: 'buy', price: '0.975', amount: '102.6', notional: '100.035', insideBand: false });
    expect(withExtra.bandQuote).toBe('1000.0655');
    expect(withExtra.totalQuote).toBe('1100.1005');

    const asks = ok(buildLadder({ ...params, side: 'sell' }));
    const d = depthAt(withExtra.levels, asks.levels);
    expect(d.mid).toBe('1');
    // The extra level (0.975 < 0.98) is outside the compliance band too.
    expect(d.bid).toBe('1000.0655');
    expect(new D(d.ask).gte(1000) && new D(d.ask).minus(1000).lt(lotSlack(asks.levels, '0.1'))).toBe(true);
  });

  it('uses fewer levels when splitting the requirement would break the min notional', () => {
    const r = ok(
      buildLadder({ side: 'buy', mid: '1', rules: { tickSize: '0.001', lotSize: '1', minNotional: '5' }, depthQuote: '12', levels: 5, firstOffsetPct: '0.1', stepPct: '0.1' }),
    );
    // 12/5, 12/4, 12/3 < 5; 12/2 = 6 ≥ 5 → two levels at 0.999, 0.998: 6.006 → 6, 6.012 → 6 = 11.982;
    // + one lot at 0.998 (remainder 0.012 > 0.006) → 12.98
    expect(r.droppedForMinNotional).toEqual([2, 3, 4]);
    expect(r.levels.map((l) => [l.price, l.amount])).toEqual([
      ['0.999', '6'],
      ['0.998', '7'],
    ]);
    expect(r.bandQuote).toBe('12.98');
  });

  it('tilts size with sizeRatio', () => {
    const r = ok(
      buildLadder({ side: 'buy', mid: '1', rules: { tickSize: '0.001', lotSize: '1', minNotional: '1' }, depthQuote: '700', levels: 3, firstOffsetPct: '0.5', stepPct: '0.5', sizeRatio: '2' }),
    );
    // Weights 1/7 2/7 4/7 → 100 200 400 at 0.995 0.99 0.985: 100.503 202.02 406.091 → 100 202 406
    //   = 99.5 + 199.98 + 399.91 = 699.39; + a lot at 0.995 (remainder 0.503) → 700.385
    expect(r.levels.map((l) => l.amount)).toEqual(['101', '202', '406']);
    expect(r.bandQuote).toBe('700.385');
  });

  it('keeps levels at least a tick apart when the spacing is finer than the tick', () => {
    const base = { mid: '0.5', rules: { tickSize: '0.001', lotSize: '1', minNotional: '1' }, depthQuote: '300', levels: 3, firstOffsetPct: '0.1', stepPct: '0.1' };
    // raw bids 0.4995 0.499 0.4985 → floors 0.499 0.499 0.498 → 0.499 0.498 0.497
    expect(ok(buildLadder({ ...base, side: 'buy' })).levels.map((l) => l.price)).toEqual(['0.499', '0.498', '0.497']);
    // raw asks 0.5005 0.501 0.5015 → ceils 0.501 0.501 0.502 → 0.501 0.502 0.503
    expect(ok(buildLadder({ ...base, side: 'sell' })).levels.map((l) => l.price)).toEqual(['0.501', '0.502', '0.503']);
  });

  it('starts from firstPrice when the quoting model gives one', () => {
    const r = ok(buildLadder({ ...ALPHA, side: 'sell', firstPrice: '0.5012', levels: 2 }));
    // offset (0.5012 − 0.5)/0.5 = 0.24 %; next 0.44 % → 0.5022
    expect(r.levels.map((l) => l.price)).toEqual(['0.5012', '0.5022']);
  });

  it('reports a ladder that cannot reach the band, and refuses nonsense parameters', () => {
    expect(buildLadder({ ...ALPHA, side: 'buy', firstOffsetPct: '1.9' })).toMatchObject({ ok: false, reason: 'NO_LEVEL_INSIDE_BAND' });
    const zero = ok(buildLadder({ ...ALPHA, side: 'buy', depthQuote: '0' }));
    expect(zero.levels).toEqual([]);
    const codeOf = (f: () => unknown) => {
      try {
        f();
      } catch (e) {
        return e instanceof DomainError ? e.code : 'other';
      }
      return 'none';
    };
    expect(codeOf(() => buildLadder({ ...ALPHA, side: 'buy', levels: 0 }))).toBe('LADDER.INVALID_PARAMS');
    expect(codeOf(() => buildLadder({ ...ALPHA, side: 'buy', edgeMarginPct: '2' }))).toBe('LADDER.INVALID_PARAMS');
    expect(codeOf(() => buildLadder({ ...ALPHA, side: 'buy', stepPct: '0' }))).toBe('LADDER.INVALID_PARAMS');
    expect(codeOf(() => buildLadder({ ...ALPHA, side: 'buy', firstOffsetPct: '0' }))).toBe('LADDER.INVALID_PARAMS');
    expect(codeOf(() => buildLadder({ ...ALPHA, side: 'buy', firstOffsetPct: undefined }))).toBe('LADDER.INVALID_PARAMS');
  });
});

describe('jitterLadderSizes', () => {
  const bids = ok(buildLadder({ ...ALPHA, side: 'buy' })).levels;
  const asks = ok(buildLadder({ ...ALPHA, side: 'sell' })).levels;
  const params = { pct: '10', rules: ALPHA.rules, depthQuote: '20000' };

  it('same seed ⇒ same sizes; another seed ⇒ other sizes', () => {
    const a = jitterLadderSizes(bids, params, mulberry32(42));
    const b = jitterLadderSizes(bids, params, mulberry32(42));
    const c = jitterLadderSizes(bids, params, mulberry32(43));
    expect(a).toEqual(b);
    expect(c.map((l) => l.amount)).not.toEqual(a.map((l) => l.amount));
    expect(a.map((l) => l.amount)).not.toEqual(bids.map((l) => l.amount));
    expect(a.map((l) => l.price)).toEqual(bids.map((l) => l.price));
  });

  it('over many seeds: each level within ±10 % (a lot of rounding below), the band still meets 20 000 with under a lot spare', () => {
    for (let seed = 1; seed <= 40; seed++) {
      const rng = mulberry32(seed);
      const jb = jitterLadderSizes(bids, params, rng);
      const ja = jitterLadderSizes(asks, params, rng);
      for (const [orig, jit] of [
        [bids, jb],
        [asks, ja],
      ] as const) {
        jit.forEach((l, i) => {
          const base = new D(orig[i]!.amount);
          expect(new D(l.amount).gte(base.times(0.9).minus(1))).toBe(true);
          expect(new D(l.amount).lte(base.times(1.1))).toBe(true);
          expect(l.notional).toBe(new D(l.price).times(l.amount).toFixed());
        });
      }
      const d = depthAt(jb, ja);
      expect(d.mid).toBe('0.5');
      expect(new D(d.bid).gte(20000)).toBe(true);
      expect(new D(d.ask).gte(20000)).toBe(true);
      // Trimmed: less than one lot at the dearest level (0.5045) above the requirement.
      expect(new D(d.bid).minus(20000).lt('0.5045')).toBe(true);
      expect(new D(d.ask).minus(20000).lt('0.5045')).toBe(true);
    }
  });

  it('without trimming, the requirement still holds but the excess is kept', () => {
    let someExcess = false;
    for (let seed = 1; seed <= 20; seed++) {
      const j = jitterLadderSizes(bids, { ...params, trimExcess: false }, mulberry32(seed));
      const total = j.reduce((s, l) => s.plus(l.notional), new D(0));
      expect(total.gte(20000)).toBe(true);
      if (total.minus(20000).gt(100)) someExcess = true;
    }
    expect(someExcess).toBe(true);
  });

  it('never goes under one lot or the min notional', () => {
    const tiny: LadderLevel[] = [{ level: 0, side: 'buy', price: '0.5', amount: '10', notional: '5', insideBand: true }];
    for (let seed = 1; seed <= 20; seed++) {
      const [l] = jitterLadderSizes(tiny, { pct: '50', rules: ALPHA.rules, depthQuote: '5' }, mulberry32(seed));
      expect(new D(l!.notional).gte(5)).toBe(true);
    }
  });
});

describe('refresh timing jitter', () => {
  it('draws integer delays uniformly within the range, reproducibly', () => {
    const rng = mulberry32(5);
    const draws = Array.from({ length: 2000 }, () => jitterIntervalMs({ minMs: 900, maxMs: 1100 }, rng));
    expect(Math.min(...draws)).toBe(900);
    expect(Math.max(...draws)).toBe(1100);
    expect(draws.every((d) => Number.isInteger(d))).toBe(true);
    const mean = draws.reduce((s, d) => s + d, 0) / draws.length;
    expect(Math.abs(mean - 1000)).toBeLessThan(10); // σ of the mean ≈ 58/√2000 ≈ 1.3
    const again = mulberry32(5);
    expect(Array.from({ length: 2000 }, () => jitterIntervalMs({ minMs: 900, maxMs: 1100 }, again))).toEqual(draws);
  });

  it('±pct around a base, and refuses an empty range', () => {
    const rng = mulberry32(9);
    for (let i = 0; i < 200; i++) {
      const d = jitterAroundMs(2000, 25, rng);
      expect(d).toBeGreaterThanOrEqual(1500);
      expect(d).toBeLessThanOrEqual(2500);
    }
    expect(() => jitterIntervalMs({ minMs: 10, maxMs: 5 }, rng)).toThrow(RangeError);
  });
});
