import { gaussian, mulberry32 } from '../../domain/rng';
import {
  SECONDS_PER_YEAR,
  annualizeVol,
  deannualizeVol,
  ewmaVolPerSec,
  initialEwmaVol,
  realizedVolatility,
  updateEwmaVol,
  volOverHorizon,
  type EwmaVolState,
} from '../../domain/signals/volatility';

describe('EWMA volatility with irregular time stamps', () => {
  it('the first point only anchors; the first return sets σ² = r²/Δt; then α = 1 − e^(−Δt/τ)', () => {
    const halfLifeSec = Math.LN2; // τ = 1 s
    let s = updateEwmaVol(initialEwmaVol(), { t: 0, price: 100 }, { halfLifeSec });
    expect(ewmaVolPerSec(s)).toBeUndefined();
    s = updateEwmaVol(s, { t: 2000, price: 101 }, { halfLifeSec });
    const r1 = Math.log(1.01);
    expect(s.variancePerSec).toBeCloseTo((r1 * r1) / 2, 15);
    // 1 s later back to 100: r2 = −ln 1.01, instant = r2² / 1, α = 1 − e^(−1)
    s = updateEwmaVol(s, { t: 3000, price: 100 }, { halfLifeSec });
    const alpha = 1 - Math.exp(-1);
    expect(s.variancePerSec).toBeCloseTo((1 - alpha) * ((r1 * r1) / 2) + alpha * r1 * r1, 15);
    expect(s.samples).toBe(2);
  });

  it('a constant price has zero variance', () => {
    let s: EwmaVolState = initialEwmaVol();
    for (let i = 0; i < 10; i++) s = updateEwmaVol(s, { t: i * 700, price: 42 }, { halfLifeSec: 60 });
    expect(s.variancePerSec).toBe(0);
  });

  it('same-millisecond updates add r²/τ (the Δt → 0 limit) and out-of-order points are ignored', () => {
    const halfLifeSec = 10 * Math.LN2; // τ = 10 s
    let s = updateEwmaVol(initialEwmaVol(0.0001), { t: 5000, price: 100 }, { halfLifeSec });
    s = updateEwmaVol(s, { t: 5000, price: 102 }, { halfLifeSec });
    const r = Math.log(1.02);
    expect(s.variancePerSec).toBeCloseTo(0.0001 + (r * r) / 10, 15);
    const before = s;
    s = updateEwmaVol(s, { t: 4000, price: 90 }, { halfLifeSec });
    expect(s.variancePerSec).toBe(before.variancePerSec);
    expect(s.lastPrice).toBe(102);
    expect(s.ignored).toBe(1);
    expect(updateEwmaVol(s, { t: 6000, price: 0 }, { halfLifeSec }).ignored).toBe(2);
  });

  it('recovers the per-second σ of a random walk sampled at irregular intervals', () => {
    // Log price random walk with σ = 0.001 per √s; gaps uniform in [0.1, 5] s.
    const sigma = 0.001;
    const rng = mulberry32(7);
    let s = initialEwmaVol();
    let t = 0;
    let logP = Math.log(0.5);
    const path = [{ t, price: Math.exp(logP) }];
    for (let i = 0; i < 20000; i++) {
      const dt = 0.1 + 4.9 * rng();
      t += dt * 1000;
      logP += sigma * Math.sqrt(dt) * gaussian(rng);
      path.push({ t, price: Math.exp(logP) });
      s = updateEwmaVol(s, { t, price: Math.exp(logP) }, { halfLifeSec: 3600 });
    }
    // ~5200 s of memory at ~2.55 s a sample ≈ 2000 effective returns → σ² standard error ≈ 3 %.
    expect(ewmaVolPerSec(s)! / sigma).toBeGreaterThan(0.92);
    expect(ewmaVolPerSec(s)! / sigma).toBeLessThan(1.08);
    // Realized vol over the whole path (20000 returns): standard error of σ ≈ 0.5 %.
    const rv = realizedVolatility(path, t, t)!;
    expect(rv.volPerSec / sigma).toBeGreaterThan(0.98);
    expect(rv.volPerSec / sigma).toBeLessThan(1.02);
    // Reading each return as one unit of variance (ignoring Δt) would be off by √(mean gap ≈ 2.55 s):
    const perReturn = Math.sqrt(rv.variancePerSec * rv.elapsedSec / rv.returns);
    expect(perReturn / sigma).toBeGreaterThan(1.5);
  });
});

describe('realizedVolatility', () => {
  it('Σ r² / elapsed seconds over the points inside the window', () => {
    const pts = [
      { t: -5000, price: 50 }, // outside the window: the straddling return is left out
      { t: 0, price: 100 },
      { t: 3000, price: 100 },
      { t: 1000, price: 101 }, // unsorted input is fine
    ];
    const rv = realizedVolatility(pts, 3000, 3000)!;
    // returns ln(101/100), ln(100/101) = −ln 1.01: Σr² = 2 (ln 1.01)², over 3 s
    const r = Math.log(1.01);
    expect(rv.returns).toBe(2);
    expect(rv.elapsedSec).toBe(3);
    expect(rv.variancePerSec).toBeCloseTo((2 * r * r) / 3, 15);
    expect(rv.volPerSec).toBeCloseTo(Math.sqrt((2 * r * r) / 3), 15);
  });

  it('is undefined with fewer than two points in the window', () => {
    expect(realizedVolatility([{ t: 0, price: 1 }], 1000, 500)).toBeUndefined();
    expect(realizedVolatility([{ t: 0, price: 1 }, { t: 0, price: 2 }], 1000, 500)).toBeUndefined();
  });
});

describe('scaling helpers', () => {
  it('annualizes with √(365 × 86400) and back', () => {
    expect(SECONDS_PER_YEAR).toBe(31_536_000);
    // √31,536,000 = 5615.692…
    expect(annualizeVol(0.001)).toBeCloseTo(5.615692, 6);
    expect(deannualizeVol(annualizeVol(0.001))).toBeCloseTo(0.001, 15);
    expect(annualizeVol(0.001, 252 * 6.5 * 3600)).toBeCloseTo(0.001 * Math.sqrt(5_896_800), 12);
    expect(volOverHorizon(0.002, 3600)).toBeCloseTo(0.12, 15);
  });
});
