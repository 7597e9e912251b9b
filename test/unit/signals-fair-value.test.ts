import { computeFairValue, weightedMedian, type FairValueResult, type VenuePriceInput } from '../../domain/signals/fair-value';

const NOW = 1_700_000_000_000;
const venue = (venueId: string, price: number, volume: number, extra: Partial<VenuePriceInput> = {}): VenuePriceInput => ({
  venueId,
  kind: 'cex',
  mid: price,
  volume,
  lastUpdate: NOW - 100,
  healthy: true,
  fee: 0.001,
  ...extra,
});

function ok(r: FairValueResult): Extract<FairValueResult, { ok: true }> {
  if (!r.ok) throw new Error(`expected a fair value, got ${r.reason}`);
  return r;
}

describe('weightedMedian', () => {
  it('takes the value where the cumulative weight passes half, averaging at an exact half', () => {
    // sorted 1(w1) 2(w1) 3(w3): total 5, half 2.5; cumulative 1, 2, 5 → 3
    expect(weightedMedian([{ value: 3, weight: 3 }, { value: 1, weight: 1 }, { value: 2, weight: 1 }])).toBe(3);
    // 1(w1) 2(w1): cumulative 1 = half exactly → (1 + 2) / 2
    expect(weightedMedian([{ value: 2, weight: 1 }, { value: 1, weight: 1 }])).toBe(1.5);
    // all weights 0 → equal weights: median of 1, 5, 9 = 5
    expect(weightedMedian([{ value: 9, weight: 0 }, { value: 1, weight: 0 }, { value: 5, weight: 0 }])).toBe(5);
  });
});

describe('computeFairValue', () => {
  it('drops unhealthy, stale, crossed and outlier venues and volume-weights the rest', () => {
    const r = ok(
      computeFairValue(
        [
          venue('a', 100, 1000),
          venue('b', 101, 1000),
          venue('c', 100.5, 2000),
          venue('d', 120, 500), // outlier
          venue('e', 100.2, 9000, { healthy: false }),
          venue('f', 100.3, 9000, { lastUpdate: NOW - 5001 }), // 5001 ms old > 5000
          venue('g', 0, 100, { mid: undefined, bestBid: '101', bestAsk: '100' }), // crossed
          venue('h', 0, 100, { mid: undefined, bestBid: '100' }), // one-sided
        ],
        { now: NOW, maxAgeMs: 5000 },
      ),
    );
    // Weighted median: sorted 100(1000) 100.5(2000) 101(1000) 120(500), total 4500, half 2250;
    //   cumulative 1000, 3000 ≥ 2250 → c0 = 100.5.
    expect(r.robustCenter).toBe(100.5);
    // Relative deviations: a 0.5/100.5, c 0, b 0.5/100.5, d 19.5/100.5 = 0.19403;
    //   MAD = median(0, .004975, .004975, .19403) = .0049751; σ̂ = 1.4826 × .0049751 = .0073761
    expect(r.dispersion).toBeCloseTo((1.4826 * 0.5) / 100.5, 12);
    // threshold = clamp(3σ̂ = .022128, .005, .05) + fee .001 = .023128; d's .19403 breaks it.
    const d = r.excluded.find((e) => e.venueId === 'd');
    expect(d).toMatchObject({ reason: 'outlier' });
    expect(d!.deviation).toBeCloseTo(19.5 / 100.5, 12);
    expect(d!.threshold).toBeCloseTo(3 * ((1.4826 * 0.5) / 100.5) + 0.001, 12);
    expect(r.excluded.map((e) => [e.venueId, e.reason])).toEqual([
      ['e', 'unhealthy'],
      ['f', 'stale'],
      ['g', 'crossed-book'],
      ['h', 'no-price'],
      ['d', 'outlier'],
    ]);
    // Fair = (100×1000 + 101×1000 + 100.5×2000) / 4000 = 402000 / 4000 = 100.5
    expect(r.fairValue).toBeCloseTo(100.5, 10);
    expect(r.usedVenues.map((u) => [u.venueId, u.weight])).toEqual([
      ['a', 0.25],
      ['b', 0.25],
      ['c', 0.5],
    ]);
  });

  it('uses (bid + ask) / 2 when no mid is given, and counts an age of exactly maxAgeMs as fresh', () => {
    const r = ok(computeFairValue([venue('x', 0, 10, { mid: undefined, bestBid: '99', bestAsk: '101', lastUpdate: NOW - 5000 })], { now: NOW, maxAgeMs: 5000 }));
    expect(r.fairValue).toBe(100);
  });

  it('lets an AMM sit off the CEX price by up to its fee without calling it an outlier', () => {
    const venues = [venue('a', 100, 1000), venue('b', 100, 1000), venue('c', 100.1, 1000), venue('pool', 100.7, 1000, { kind: 'amm', fee: 0.003 })];
    // Weighted median: 100 100 100.1 100.7 equal weights; cumulative 2000 = half → (100 + 100.1)/2 = 100.05.
    // Deviations: .05/100.05 ×3 = .00049975, pool .65/100.05 = .0064967. MAD = .00049975,
    //   3σ̂ = 3 × 1.4826 × .00049975 = .0022228 → floor .005.
    //   pool threshold = .005 + .003 = .008 > .0065 → kept; without the allowance .005 < .0065 → outlier.
    const withFee = ok(computeFairValue(venues, { now: NOW, maxAgeMs: 5000 }));
    expect(withFee.robustCenter).toBeCloseTo(100.05, 12);
    expect(withFee.usedVenues.map((u) => u.venueId)).toEqual(['a', 'b', 'c', 'pool']);
    // (100 + 100 + 100.1 + 100.7) / 4 = 100.2
    expect(withFee.fairValue).toBeCloseTo(100.2, 10);

    const noFee = ok(computeFairValue(venues, { now: NOW, maxAgeMs: 5000, feeAllowance: false }));
    expect(noFee.excluded).toEqual([{ venueId: 'pool', reason: 'outlier', deviation: expect.closeTo(0.65 / 100.05, 12), threshold: 0.005 }]);
    // (100 + 100 + 100.1) / 3 = 100.0333…
    expect(noFee.fairValue).toBeCloseTo(300.1 / 3, 10);
  });

  it('weighted median centre follows the volume, not the venue count', () => {
    // Two small venues at 100, one big at 100.3: the big one holds 3000 / 4000 > half → median 100.3.
    const r = ok(computeFairValue([venue('a', 100, 500), venue('b', 100, 500), venue('big', 100.3, 3000)], { now: NOW, maxAgeMs: 5000, center: 'median' }));
    expect(r.robustCenter).toBe(100.3);
    expect(r.fairValue).toBe(100.3);
  });

  it('equal weights when every volume is zero', () => {
    const r = ok(computeFairValue([venue('a', 100, 0), venue('b', 102, 0)], { now: NOW, maxAgeMs: 5000 }));
    expect(r.fairValue).toBe(101);
    expect(r.usedVenues.map((u) => u.weight)).toEqual([0.5, 0.5]);
  });

  it('a widely scattered pair gives no fair value rather than a guess', () => {
    // c0 = (100 + 120)/2 = 110; both deviate 10/110 = 9.1 % > 5 % + 0.1 %.
    const r = computeFairValue([venue('a', 100, 1), venue('b', 120, 1)], { now: NOW, maxAgeMs: 5000 });
    expect(r).toMatchObject({ ok: false, reason: 'NO_USABLE_VENUE' });
    expect(r.excluded.map((e) => e.reason)).toEqual(['outlier', 'outlier']);
  });

  it('says when no venue is usable, and when too few are', () => {
    const none = computeFairValue([venue('a', 100, 1, { healthy: false }), venue('b', 100, 1, { lastUpdate: NOW + 60_000 })], { now: NOW, maxAgeMs: 5000 });
    expect(none).toEqual({
      ok: false,
      reason: 'NO_USABLE_VENUE',
      usedVenues: [],
      excluded: [
        { venueId: 'a', reason: 'unhealthy' },
        { venueId: 'b', reason: 'future-timestamp' },
      ],
    });
    const few = computeFairValue([venue('a', 100, 1)], { now: NOW, maxAgeMs: 5000, minVenues: 2 });
    expect(few).toMatchObject({ ok: false, reason: 'TOO_FEW_VENUES' });
  });

  it('rejects bad inputs per venue: duplicate ids, negative volume', () => {
    const r = ok(computeFairValue([venue('a', 100, 1), venue('a', 200, 1), venue('b', 100, -5)], { now: NOW, maxAgeMs: 5000 }));
    expect(r.excluded).toEqual([
      { venueId: 'a', reason: 'duplicate-venue' },
      { venueId: 'b', reason: 'invalid-volume' },
    ]);
    expect(r.fairValue).toBe(100);
  });

  it('accepts decimal strings for prices, volumes and fees', () => {
    const r = ok(computeFairValue([venue('a', 0, 0, { mid: '0.5', volume: '300', fee: '0.001' }), venue('b', 0, 0, { mid: '0.501', volume: '100', fee: '0' })], { now: NOW, maxAgeMs: 5000 }));
    // (0.5 × 300 + 0.501 × 100) / 400 = 0.50025
    expect(r.fairValue).toBeCloseTo(0.50025, 12);
  });
});
