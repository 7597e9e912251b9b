// The Avellaneda–Stoikov paper experiment, seeded (deterministic). Tolerances come from the numbers:
// with n = 1000 paths a mean's standard error is std/√1000 (≈ 0.2 for the inventory strategy's
// profit, ≈ 0.43 for the symmetric one), a standard deviation's relative error is ≈ 1/√(2n) ≈ 2.2 %
// (more for heavy tails), and the paper's own figures carry the same noise.
import { AS_PAPER_DEFAULTS, AS_PAPER_REFERENCE, runAsPaperGamma, type AsPaperRow } from '../../sim/paper/avellaneda-stoikov-paper';

const n = AS_PAPER_DEFAULTS.paths;
const rel = (a: number, b: number) => Math.abs(a - b) / Math.abs(b);

describe('Avellaneda–Stoikov paper experiment (1000 paths)', () => {
  let g01: AsPaperRow;
  let g001: AsPaperRow;
  let g1: AsPaperRow;
  beforeAll(() => {
    g01 = runAsPaperGamma(0.1);
    g001 = runAsPaperGamma(0.01);
    g1 = runAsPaperGamma(1);
  });

  it('uses the paper set-up', () => {
    expect(AS_PAPER_DEFAULTS).toMatchObject({ s0: 100, T: 1, sigma: 2, dt: 0.005, k: 1.5, A: 140, paths: 1000 });
  });

  it('the average spread is the theoretical one, time-averaged', () => {
    // continuous-time average: (2/γ)ln(1+γ/k) + γσ²T/2 = 20·ln(16/15) + 0.1·4·0.5 = 1.2907704 + 0.2 = 1.4907704 (within 5 %)
    expect(rel(g01.inventory.avgSpread, 1.4907704)).toBeLessThan(0.05);
    // on the 200-step grid T − t averages (T + dt)/2 = 0.5025: 1.2907704 + 0.1·4·0.5025 = 1.4917704
    expect(g01.inventory.avgSpread).toBeCloseTo(1.4917704, 6);
    expect(g01.symmetric.avgSpread).toBe(g01.inventory.avgSpread);
    // the spread the paper's table prints: 1.29
    expect(g01.symmetricPaperSpread.avgSpread).toBeCloseTo(1.29, 2);
  });

  it('γ = 0.1: the inventory strategy has far less profit and inventory risk than the symmetric one', () => {
    const { inventory: inv, symmetric: sym } = g01;
    // paper: profit std 5.89 vs 13.43 (ratio 0.44), final-q std 2.80 vs 8.66 (0.32); ±2–3 % noise each
    expect(inv.profitStd / sym.profitStd).toBeLessThan(0.6);
    expect(inv.finalQStd / sym.finalQStd).toBeLessThan(0.45);
    // ... at the price of a lower mean profit (paper 62.94 vs 67.21; standard error of the gap < 0.5)
    expect(sym.profitMean - inv.profitMean).toBeGreaterThan(2);
  });

  it('γ = 0.1: close to the paper’s Table 1', () => {
    const ref = AS_PAPER_REFERENCE['0.1']!;
    // means: 3 % is ≥ 9 standard errors of either run — room for the discretisation, not for a wrong model
    expect(rel(g01.inventory.profitMean, ref.inventory.profitMean)).toBeLessThan(0.03);
    expect(rel(g01.symmetric.profitMean, ref.symmetric.profitMean)).toBeLessThan(0.03);
    // standard deviations: 15 % (≈ 5 relative standard errors of the two estimates together)
    expect(rel(g01.inventory.profitStd, ref.inventory.profitStd)).toBeLessThan(0.15);
    expect(rel(g01.symmetric.profitStd, ref.symmetric.profitStd)).toBeLessThan(0.15);
    expect(rel(g01.inventory.finalQStd, ref.inventory.finalQStd)).toBeLessThan(0.15);
    expect(rel(g01.symmetric.finalQStd, ref.symmetric.finalQStd)).toBeLessThan(0.15);
  });

  it('final inventory is centred on zero (within 4 standard errors)', () => {
    for (const r of [g001, g01, g1]) {
      for (const s of [r.inventory, r.symmetric]) expect(Math.abs(s.finalQMean)).toBeLessThan((4 * s.finalQStd) / Math.sqrt(n));
    }
  });

  it('more risk aversion, less inventory and profit dispersion', () => {
    expect(g001.inventory.finalQStd).toBeGreaterThan(g01.inventory.finalQStd * 1.3);
    expect(g01.inventory.finalQStd).toBeGreaterThan(g1.inventory.finalQStd * 1.3);
    expect(g001.inventory.profitStd).toBeGreaterThan(g01.inventory.profitStd * 1.1);
    expect(g01.inventory.profitStd).toBeGreaterThan(g1.inventory.profitStd * 1.1);
    // γ = 0.01 is nearly symmetric: its mean profit is within 2 % of the symmetric strategy's
    expect(rel(g001.inventory.profitMean, g001.symmetric.profitMean)).toBeLessThan(0.02);
  });

  it('is deterministic for a seed and changes with it', () => {
    const a = runAsPaperGamma(0.1, { paths: 50 });
    const b = runAsPaperGamma(0.1, { paths: 50 });
    const c = runAsPaperGamma(0.1, { paths: 50, seed: 7 });
    expect(b).toEqual(a);
    expect(c.inventory.profitMean).not.toBe(a.inventory.profitMean);
  });
});
