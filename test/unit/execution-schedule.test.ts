// The price-action schedule (Almgren–Chriss), its seeded jitter, the never-lead price and the
// participation cap, against hand-computed figures.
import { mulberry32 } from '../../domain/rng';
import { acKappa, acSlices, acTrajectory, estimateImpact, followingPrice, jitteredSchedule, participationRoom, type AcParams } from '../../domain/price-action/execution-schedule';

const P: AcParams = { total: 1000, slices: 2, intervalSec: 1, lambda: 2, sigma: 1, eta: 1, gamma: 0 };

describe('Almgren–Chriss schedule', () => {
  it('hand-computed: λσ²/η̃ = 2, τ = 1 ⇒ cosh κ = 2, x₁ = X / (2 cosh κ) = 250, slices 750 / 250', () => {
    expect(acKappa(P)).toBeCloseTo(Math.acosh(2), 12);
    const x = acTrajectory(P);
    expect(x[0]).toBeCloseTo(1000, 9);
    expect(x[1]).toBeCloseTo(250, 9);
    expect(x[2]).toBe(0);
    expect(acSlices(P).map((s) => Number(s.toFixed(9)))).toEqual([750, 250]);
  });

  it('λ = 0 is a straight line (TWAP)', () => {
    const s = acSlices({ ...P, lambda: 0, slices: 8 });
    for (const v of s) expect(v).toBeCloseTo(125, 9);
  });

  it('more risk aversion trades sooner; the slices always sum to the total', () => {
    const first = [0, 0.01, 0.1, 1].map((lambda) => acSlices({ ...P, slices: 10, lambda, sigma: 0.01, eta: 0.001 })[0]!);
    for (let i = 1; i < first.length; i++) expect(first[i]!).toBeGreaterThan(first[i - 1]!);
    const s = acSlices({ ...P, slices: 10, lambda: 1, sigma: 0.01, eta: 0.001 });
    expect(s.reduce((a, b) => a + b, 0)).toBeCloseTo(1000, 9);
    for (let i = 1; i < s.length; i++) expect(s[i]!).toBeLessThan(s[i - 1]!);
  });

  it('permanent impact reduces η̃ = η − γτ/2; at or below zero the input is refused, naming the field', () => {
    expect(acKappa({ ...P, gamma: 1 })).toBeCloseTo(Math.acosh(1 + 2 / 0.5 / 2), 12);
    expect(() => acKappa({ ...P, gamma: 2 })).toThrow(/eta/);
    expect(() => acTrajectory({ ...P, slices: 0 })).toThrow(/slices/);
    expect(() => acTrajectory({ ...P, total: -1 })).toThrow(/total/);
  });
});

describe('jittered schedule', () => {
  const p: AcParams = { total: 5000, slices: 12, intervalSec: 60, lambda: 0.5, sigma: 0.01, eta: 0.002, gamma: 0 };
  const j = { sizePct: 20, timePct: 30 };

  it('keeps the total exactly, stays within the jitter, and is the same for the same seed', () => {
    const a = jitteredSchedule(p, j, mulberry32(7));
    const b = jitteredSchedule(p, j, mulberry32(7));
    const c = jitteredSchedule(p, j, mulberry32(8));
    expect(a).toEqual(b);
    expect(a).not.toEqual(c);
    expect(a.reduce((s, x) => s + x.amount, 0)).toBeCloseTo(5000, 9);
    const base = acSlices(p);
    // Rescaling after a ±20 % draw moves a slice by at most a factor 1.2/0.8 either way.
    a.forEach((x, k) => {
      expect(x.amount / base[k]!).toBeGreaterThan(0.8 / 1.2 - 1e-12);
      expect(x.amount / base[k]!).toBeLessThan(1.2 / 0.8 + 1e-12);
      expect(Math.abs(x.atMs - k * 60_000)).toBeLessThanOrEqual(0.3 * 60_000);
      expect(x.atMs).toBeGreaterThanOrEqual(0);
    });
    // Times stay in order: ±30 % of τ cannot overtake the next slice.
    for (let k = 1; k < a.length; k++) expect(a[k]!.atMs).toBeGreaterThan(a[k - 1]!.atMs);
  });

  it('refuses jitter out of range', () => {
    expect(() => jitteredSchedule(p, { sizePct: 60, timePct: 0 }, mulberry32(1))).toThrow(/sizePct/);
    expect(() => jitteredSchedule(p, { sizePct: 0, timePct: 50 }, mulberry32(1))).toThrow(/timePct/);
  });
});

describe('never lead the price', () => {
  it('a buy follows the higher of the last independent trade and the best independent bid, capped by the limit', () => {
    expect(followingPrice('buy', { limit: 1, lastIndependentTrade: 0.5, bestIndependentBid: 0.49 })).toBe(0.5);
    expect(followingPrice('buy', { limit: 1, lastIndependentTrade: 0.48, bestIndependentBid: 0.49 })).toBe(0.49);
    expect(followingPrice('buy', { limit: 0.45, lastIndependentTrade: 0.5, bestIndependentBid: 0.49 })).toBe(0.45);
    expect(followingPrice('buy', { limit: 1 })).toBeUndefined();
  });

  it('a sell follows the lower of the last independent trade and the best independent ask, floored by the limit', () => {
    expect(followingPrice('sell', { limit: 0.1, lastIndependentTrade: 0.5, bestIndependentAsk: 0.51 })).toBe(0.5);
    expect(followingPrice('sell', { limit: 0.55, lastIndependentTrade: 0.5, bestIndependentAsk: 0.51 })).toBe(0.55);
    expect(followingPrice('sell', { limit: 0.1 })).toBeUndefined();
  });
});

describe('participation cap across venues', () => {
  it('ours ≤ cap of the window total: room = cap/(1 − cap) · others − ours, never negative', () => {
    expect(participationRoom({ capPct: 10, othersVolume: 900, oursVolume: 50 })).toBeCloseTo(50, 9);
    expect(participationRoom({ capPct: 10, othersVolume: 900, oursVolume: 120 })).toBe(0);
    expect(() => participationRoom({ capPct: 0, othersVolume: 1, oursVolume: 0 })).toThrow(/capPct/);
  });
});

describe('impact from the books and volume', () => {
  it('hand-computed: 100 000 base within ±2 % of 0.5, 50 base/s traded ⇒ slope 1e-7, refill 2 000 s, η 1e-4, γ 1e-8', () => {
    const i = estimateImpact({ mid: 0.5, depthBase: 100_000, bandFraction: 0.02, volumeBasePerSec: 50 });
    expect(i.slope).toBeCloseTo(1e-7, 18);
    expect(i.resilienceSec).toBe(2000);
    expect(i.eta).toBeCloseTo(1e-4, 15);
    expect(i.gamma).toBeCloseTo(1e-8, 18);
    // η̃ = η − γτ/2 stays positive for any sensible slice interval, so the schedule is defined.
    expect(acKappa({ intervalSec: 60, lambda: 1, sigma: 1e-4, eta: i.eta, gamma: i.gamma })).toBeGreaterThan(0);
  });

  it('no volume: the refill time is capped at an hour; a thin book has a steeper slope', () => {
    expect(estimateImpact({ mid: 0.5, depthBase: 100_000, bandFraction: 0.02, volumeBasePerSec: 0 }).resilienceSec).toBe(3600);
    const thin = estimateImpact({ mid: 0.5, depthBase: 10_000, bandFraction: 0.02, volumeBasePerSec: 50 });
    expect(thin.slope).toBeCloseTo(1e-6, 15);
    expect(thin.resilienceSec).toBe(200);
    expect(() => estimateImpact({ mid: 0.5, depthBase: 0, bandFraction: 0.02, volumeBasePerSec: 1 })).toThrow(/depthBase/);
  });
});
