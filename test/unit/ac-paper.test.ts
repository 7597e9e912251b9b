// Almgren & Chriss's §3.4 example: closed forms checked by hand, κ against the discrete relation
// solved independently (bisection, no acosh), the schedule against its own optimality condition, and
// the Monte Carlo of the discrete model against the closed forms. Tolerances come from the numbers:
// the MC mean's standard error is SD/√n, the SD's is SD/√(2(n−1)) (the cost is Gaussian here); 4 of
// them. A second run with σ/95 and λ·95² keeps the same trajectories with 95× less noise, so an error
// in any cost term (≥ 62,500 $ for ε, 125,000 $ for γ) is hundreds of standard errors.
import { acCostMoments, straightLineCostMoments } from '../../domain/price-action/ac-cost';
import { acTrajectory } from '../../domain/price-action/execution-schedule';
import { runPaper } from '../../scripts/backtest';
import { AC_PAPER_DEFAULTS, runAcPaper, runAcPaperLambda, runAcStraightLine, type AcStrategyRow } from '../../sim/paper/almgren-chriss-paper';

const X = 1e6;
const sigma = 0.95;
const eta = 2.5e-6;
const gamma = 2.5e-7;
const epsilon = 0.0625;
const tau = 1;
const etaTilde = eta - (gamma * tau) / 2; // 2.375e-6
const costParams = { intervalSec: tau, sigma, epsilon, eta, gamma };

describe('Almgren–Chriss paper example', () => {
  it('uses the paper set-up', () => {
    expect(AC_PAPER_DEFAULTS).toMatchObject({ total: 1e6, s0: 50, days: 5, slices: 5, sigma: 0.95, epsilon: 0.0625, eta: 2.5e-6, gamma: 2.5e-7, alpha: 0.02, lambdas: [1e-9, 1e-6, 2e-6] });
  });

  it('straight line: the λ → 0 schedule is TWAP, and its E and SD are the hand-computed ones', () => {
    const x = acTrajectory({ total: X, slices: 5, intervalSec: tau, lambda: 1e-16, sigma, eta, gamma });
    const twap = [1e6, 8e5, 6e5, 4e5, 2e5, 0];
    x.forEach((v, k) => expect(v).toBeCloseTo(twap[k]!, 2));
    // E = ½γX² + εX + η̃X²/T = 125,000 + 62,500 + 2.375e-6·1e12/5 (= 475,000) = 662,500
    // V = σ²τ Σx_k² = 0.9025 · (0.64 + 0.36 + 0.16 + 0.04)·1e12 = 1.083e12 = ⅓·0.9025·1e12·5·(4/5)·(9/10)
    const hand = { expected: 662_500, variance: 1.083e12 };
    for (const m of [acCostMoments(costParams, x), straightLineCostMoments({ ...costParams, total: X, slices: 5 }), runAcStraightLine({ paths: 10 }).closed]) {
      expect(m.expected).toBeCloseTo(hand.expected, 0);
      expect(m.variance / hand.variance).toBeCloseTo(1, 9);
      expect(m.std).toBeCloseTo(Math.sqrt(1.083e12), 0); // 1,040,672.87
    }
  });

  it('κ for λ = 1e-6 solves 2(cosh κτ − 1)/τ² = λσ²/η̃ (bisection, no acosh)', () => {
    const target = (1e-6 * sigma * sigma) / etaTilde; // 0.38
    let lo = 0;
    let hi = 5;
    for (let i = 0; i < 200; i++) {
      const mid = (lo + hi) / 2;
      if ((2 * (Math.cosh(mid * tau) - 1)) / (tau * tau) < target) lo = mid;
      else hi = mid;
    }
    const row = runAcPaperLambda(1e-6, { paths: 10 });
    expect(row.kappa).toBeCloseTo(lo, 10); // ≈ 0.6071 per day
    expect(row.halfLifeDays).toBeCloseTo(1 / lo, 8); // ≈ 1.647 days
    // x_k = X sinh(κ(T − t_k))/sinh(κT), which satisfies (x_{k−1} − 2x_k + x_{k+1})/τ² = (λσ²/η̃) x_k
    const x = row.trajectory;
    x.forEach((v, k) => expect(v).toBeCloseTo((X * Math.sinh(lo * (5 - k))) / Math.sinh(5 * lo), 3));
    for (let k = 1; k < 5; k++) expect((x[k - 1]! - 2 * x[k]! + x[k + 1]!) / (tau * tau)).toBeCloseTo(target * x[k]!, 3);
  });

  it('each λ’s schedule minimizes E + λV among nearby schedules (cost functions and schedule agree)', () => {
    for (const lambda of [1e-9, 1e-6, 2e-6]) {
      const x = runAcPaperLambda(lambda, { paths: 10 }).trajectory;
      const u = (y: number[]) => {
        const m = acCostMoments(costParams, y);
        return m.expected + lambda * m.variance;
      };
      const best = u(x);
      for (let k = 1; k < 5; k++) {
        for (const d of [-5000, 5000]) {
          const y = [...x];
          y[k] = y[k]! + d;
          expect(u(y)).toBeGreaterThan(best);
        }
      }
    }
  });

  describe('Monte Carlo of the discrete model agrees with the closed form (4 standard errors)', () => {
    const check = (r: AcStrategyRow) => {
      expect(Math.abs(r.mc.mean - r.closed.expected)).toBeLessThan(4 * r.mc.meanSe);
      expect(Math.abs(r.mc.std - r.closed.std)).toBeLessThan(4 * r.mc.stdSe);
    };

    it('the paper’s parameters, 4000 paths', () => {
      const res = runAcPaper({ paths: 4000 });
      expect(res.rows).toHaveLength(3);
      for (const r of [...res.rows, res.straightLine]) check(r);
    });

    it('σ/95 and λ·95² (the same schedules, 95× less noise), 4000 paths', () => {
      const s = sigma / 95;
      const res = runAcPaper({ paths: 4000, sigma: s, lambdas: [1e-9, 1e-6, 2e-6].map((l) => l * 95 * 95) });
      const paper = runAcPaper({ paths: 10 });
      res.rows.forEach((r, i) => {
        r.trajectory.forEach((v, k) => expect(v).toBeCloseTo(paper.rows[i]!.trajectory[k]!, 4));
        expect(r.mc.meanSe).toBeLessThan(300);
        check(r);
      });
      check(res.straightLine);
    });
  });

  it('the efficient frontier: a larger λ has a lower SD and a higher E (closed form and MC)', () => {
    const res = runAcPaper({ paths: 4000 });
    const rows = [res.straightLine, ...res.rows]; // straight line = λ → 0
    for (let i = 1; i < rows.length; i++) {
      expect(rows[i]!.closed.std).toBeLessThan(rows[i - 1]!.closed.std);
      expect(rows[i]!.closed.expected).toBeGreaterThanOrEqual(rows[i - 1]!.closed.expected);
      expect(rows[i]!.mc.std).toBeLessThan(rows[i - 1]!.mc.std);
    }
    // the risk-averse end costs visibly more: λ = 2e-6 has E ≈ 1.14 M$ against 0.66 M$ for the line
    expect(res.rows[2]!.closed.expected).toBeGreaterThan(1.1e6);
    // MC, common random numbers: the gap in E between λ = 2e-6 and the line, well beyond noise
    expect(res.rows[2]!.mc.mean - res.straightLine.mc.mean).toBeGreaterThan(4e5);
  });

  it('is deterministic for a seed and changes with it', () => {
    const a = runAcPaperLambda(1e-6, { paths: 200 });
    expect(runAcPaperLambda(1e-6, { paths: 200 })).toEqual(a);
    expect(runAcPaperLambda(1e-6, { paths: 200, seed: 7 }).mc.mean).not.toBe(a.mc.mean);
  });

  describe('npm run backtest -- --paper almgren-chriss', () => {
    const run = (args: string[]) => {
      let out = '';
      const code = runPaper(['--paper', 'almgren-chriss', ...args], (s) => (out += s));
      return { code, out };
    };

    it('prints a row per default λ, the straight line and the trajectories', () => {
      const { code, out } = run(['--paths', '500']);
      expect(code).toBe(0);
      for (const label of ['λ=1e-9', 'λ=1e-6', 'λ=2e-6', 'straight line']) expect(out.split('\n').filter((l) => l.trimStart().startsWith(label))).toHaveLength(2);
      expect(out).toMatch(/λ=1e-6\s+0\.6071\s+1\.65\s+911,227/);
      expect(out).toMatch(/straight line\s+—\s+∞\s+662,500/);
      expect(out).toContain('500 paths, seed 20000101');
      expect(out).toContain('α=0.02');
    });

    it('--lambdas, --seed and --json', () => {
      const { out } = run(['--paths', '300', '--seed', '9', '--lambdas', '5e-7,3e-6', '--json']);
      const j = JSON.parse(out) as { config: { seed: number; lambdas: number[] }; rows: { lambda: number }[]; straightLine: { kappa: number } };
      expect(j.config.seed).toBe(9);
      expect(j.rows.map((r) => r.lambda)).toEqual([5e-7, 3e-6]);
      expect(j.straightLine.kappa).toBe(0);
    });

    it('rejects a bad λ list and an unknown paper', () => {
      expect(() => run(['--lambdas', '1e-6,-1'])).toThrow(/--lambdas/);
      expect(() => runPaper(['--paper', 'nope'], () => undefined)).toThrow(/almgren-chriss/);
    });
  });
});
