import { PriceAnchor, sellOffDislocationPct } from '../../domain/signals/price-anchor';

describe('PriceAnchor', () => {
  const o = { windowMs: 10_000, lagMs: 2_000, sampleEveryMs: 1_000, minSamples: 3 };

  it('is the median over the lagged window, and undefined with too few samples', () => {
    const a = new PriceAnchor(o);
    a.sample(0, 1);
    a.sample(1_000, 3);
    expect(a.anchor(3_000)).toBeUndefined();
    a.sample(2_000, 2);
    // Window [−8 000, 2 000] at now = 4 000: samples 1, 3, 2 → 2.
    expect(a.anchor(4_000)).toBe(2);
    // A crash inside the lag is not in the reference yet.
    a.sample(3_000, 0.1);
    expect(a.anchor(4_000)).toBe(2);
    // Even count: the mean of the middle two (1, 2, 3, 0.1 → 1 and 2).
    expect(a.anchor(5_000)).toBe(1.5);
  });

  it('keeps one sample per interval, ignores non-positive prices, and forgets samples older than the window', () => {
    const a = new PriceAnchor(o);
    a.sample(0, 1);
    a.sample(500, 100);
    a.sample(1_000, NaN);
    a.sample(1_000, -1);
    a.sample(1_000, 1);
    a.sample(2_000, 1);
    expect(a.anchor(4_000)).toBe(1);
    for (let t = 3_000; t <= 30_000; t += 1_000) a.sample(t, 5);
    expect(a.anchor(30_000)).toBe(5);
  });
});

describe('sellOffDislocationPct', () => {
  it('is the % below the anchor under one-sided selling, else 0', () => {
    expect(sellOffDislocationPct({ price: 0.49, anchor: 0.5, sellShare: 0.7, minSellShare: 0.55 })).toBeCloseTo(2, 9);
    expect(sellOffDislocationPct({ price: 0.49, anchor: 0.5, sellShare: 0.5, minSellShare: 0.55 })).toBe(0);
    expect(sellOffDislocationPct({ price: 0.51, anchor: 0.5, sellShare: 0.9, minSellShare: 0.55 })).toBe(0);
    expect(sellOffDislocationPct({ price: 0.49, anchor: undefined, sellShare: 0.9, minSellShare: 0.55 })).toBe(0);
    expect(sellOffDislocationPct({ price: undefined, anchor: 0.5, sellShare: 0.9, minSellShare: 0.55 })).toBe(0);
  });
});
