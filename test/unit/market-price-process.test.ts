import { mulberry32 } from '../../domain/rng';
import { expectedLogReturnMoments, MS_PER_DAY, PriceProcess, type PriceProcessParams } from '../../sim/market/price-process';

const base: PriceProcessParams = {
  initial: 0.5,
  drift: 0,
  volatility: 0,
  jumps: { intensityPerDay: 0, meanLog: 0, volLog: 0 },
  scheduledJumps: [],
  factor: { initial: 100, drift: 0, volatility: 0 },
  correlation: 0,
  stepMs: 1000,
};

function logReturns(p: PriceProcessParams, n: number, seed = 7): { s: number[]; m: number[] } {
  const proc = new PriceProcess(p, mulberry32(seed));
  const s: number[] = [];
  const m: number[] = [];
  let prev = proc.current();
  for (let i = 0; i < n; i++) {
    const next = proc.advance();
    s.push(Math.log(next.price / prev.price));
    m.push(Math.log(next.factor / prev.factor));
    prev = next;
  }
  return { s, m };
}

const mean = (x: number[]) => x.reduce((a, b) => a + b, 0) / x.length;
const centralMoment = (x: number[], k: number) => {
  const mu = mean(x);
  return x.reduce((a, b) => a + (b - mu) ** k, 0) / x.length;
};
function correlation(x: number[], y: number[]): number {
  const mx = mean(x);
  const my = mean(y);
  let sxy = 0;
  let sxx = 0;
  let syy = 0;
  for (let i = 0; i < x.length; i++) {
    sxy += (x[i]! - mx) * (y[i]! - my);
    sxx += (x[i]! - mx) ** 2;
    syy += (y[i]! - my) ** 2;
  }
  return sxy / Math.sqrt(sxx * syy);
}

describe('PriceProcess', () => {
  const N = 200_000;

  it('GBM: mean log-return (μ − σ²/2)·dt and volatility σ·√dt within 4 standard errors', () => {
    // Daily steps with a large σ so that the Itô term σ²/2 is several standard errors wide.
    const p = { ...base, drift: 0.5, volatility: 0.8, stepMs: MS_PER_DAY };
    const { s } = logReturns(p, N);
    const expected = expectedLogReturnMoments(p);
    expect(expected.mean).toBeCloseTo((0.5 - 0.32) / 365, 12);
    expect(expected.variance).toBeCloseTo(0.64 / 365, 12);
    const seMean = Math.sqrt(expected.variance / N);
    expect(Math.abs(mean(s) - expected.mean)).toBeLessThan(4 * seMean);
    // Without the Itô correction the mean would be off by 0.32/365, far outside that band.
    expect(0.32 / 365).toBeGreaterThan(8 * seMean);
    const seVar = expected.variance * Math.sqrt(2 / N); // normal returns: Var(s²) = 2σ⁴/n
    expect(Math.abs(centralMoment(s, 2) - expected.variance)).toBeLessThan(4 * seVar);
  });

  it('jumps add λdt·μJ to the mean and λdt·(σJ² + μJ²) to the variance', () => {
    const p = { ...base, volatility: 0.3, stepMs: 3_600_000, jumps: { intensityPerDay: 2, meanLog: -0.02, volLog: 0.05 } };
    const { s } = logReturns(p, N, 11);
    const expected = expectedLogReturnMoments(p);
    const m2 = centralMoment(s, 2);
    const m4 = centralMoment(s, 4);
    expect(Math.abs(mean(s) - expected.mean)).toBeLessThan(4 * Math.sqrt(expected.variance / N));
    // Heavy tails: the standard error of the variance comes from the sample's fourth moment.
    expect(Math.abs(m2 - expected.variance)).toBeLessThan(4 * Math.sqrt((m4 - m2 * m2) / N));
    // The jump part is most of the variance here, so a process without jumps would fail the check.
    const diffusionOnly = (0.3 * 0.3 * 3_600_000) / (365 * MS_PER_DAY);
    expect(expected.variance - diffusionOnly).toBeGreaterThan(8 * Math.sqrt((m4 - m2 * m2) / N));
  });

  it('jump count follows the Poisson intensity', () => {
    const p = { ...base, jumps: { intensityPerDay: 120, meanLog: 0.01, volLog: 0 } };
    const steps = 2 * 86_400; // 2 days of 1 s steps: 240 jumps expected
    const { s } = logReturns(p, steps, 3);
    const jumps = s.filter((r) => Math.abs(r) > 1e-12).length;
    expect(Math.abs(jumps - 240)).toBeLessThan(4 * Math.sqrt(240));
  });

  it('correlates with the market factor at ρ', () => {
    const p = { ...base, volatility: 0.9, factor: { initial: 100, drift: 0, volatility: 0.5 }, correlation: 0.6 };
    const { s, m } = logReturns(p, N, 5);
    const rho = correlation(s, m);
    expect(Math.abs(rho - 0.6)).toBeLessThan((4 * (1 - 0.36)) / Math.sqrt(N));
    const m2 = centralMoment(m, 2);
    const factorVar = (0.25 * 1000) / (365 * MS_PER_DAY);
    expect(Math.abs(m2 - factorVar)).toBeLessThan(4 * factorVar * Math.sqrt(2 / N));
    // ρ = 0 gives an uncorrelated process.
    const indep = logReturns({ ...p, correlation: 0 }, N, 5);
    expect(Math.abs(correlation(indep.s, indep.m))).toBeLessThan(4 / Math.sqrt(N));
  });

  it('applies a scheduled jump on the first step at or after its time', () => {
    const proc = new PriceProcess({ ...base, scheduledJumps: [{ atMs: 9_500, logSize: -0.1 }] }, mulberry32(1));
    const prices = Array.from({ length: 12 }, () => proc.advance().price);
    expect(prices[8]).toBe(0.5); // step 9 (9 000 ms)
    expect(prices[9]).toBeCloseTo(0.5 * Math.exp(-0.1), 15); // step 10 (10 000 ms)
    expect(prices[11]).toBeCloseTo(0.5 * Math.exp(-0.1), 15);
  });

  it('looking ahead never changes the path, and the same seed gives the same path', () => {
    const p = { ...base, volatility: 1, jumps: { intensityPerDay: 50, meanLog: 0, volLog: 0.02 }, factor: { initial: 100, drift: 0, volatility: 0.4 }, correlation: 0.3 };
    const a = new PriceProcess(p, mulberry32(42));
    const b = new PriceProcess(p, mulberry32(42));
    const seen = a.peek(500).price;
    const pathA: number[] = [];
    const pathB: number[] = [];
    for (let i = 0; i < 3000; i++) {
      if (i % 700 === 0) a.peek(900);
      pathA.push(a.advance().price);
      pathB.push(b.advance().price);
    }
    expect(pathA).toEqual(pathB);
    expect(pathA[499]).toBe(seen);
    const c = new PriceProcess(p, mulberry32(43));
    expect(c.peek(10).price).not.toBe(new PriceProcess(p, mulberry32(42)).peek(10).price);
  });

  it('rejects impossible parameters', () => {
    expect(() => new PriceProcess({ ...base, initial: 0 }, mulberry32(1))).toThrow(/initial/);
    expect(() => new PriceProcess({ ...base, correlation: 1.5 }, mulberry32(1))).toThrow(/correlation/);
  });
});
