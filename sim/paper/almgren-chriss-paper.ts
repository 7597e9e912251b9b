// Almgren & Chriss's worked example ("Optimal execution of portfolio transactions", J. Risk 3(2),
// 2000, §3.4): sell X = 10⁶ shares at S₀ = 50 over T = 5 days in N = 5 slices; σ = 0.95 $/share/day^½
// (30 % a year), ε = 0.0625 $/share (half a 1/8 spread), η = 2.5·10⁻⁶ $/share per share/day,
// γ = 2.5·10⁻⁷ $/share². The paper's drift α = 0.02 $/share/day is left out (α = 0), as in the paper's
// optimal-strategy formulas.
// For each risk aversion λ: κ and the half-life 1/κ, the holdings x_0..x_N, and E[cost] and SD[cost]
// both in closed form and by Monte Carlo of the discrete model; then the straight line (TWAP) the same way.
// The schedule comes from the planner's own acKappa/acTrajectory (domain/price-action/execution-
// schedule.ts) with the day as the time unit: intervalSec = 1 means τ = 1 day, σ is per √day and η per
// share/day. Those functions only need τ, σ and η in one unit; seconds there are a naming choice.
// Every strategy sees the same price shocks (the rng restarts from the seed): common random numbers,
// and adding a λ never changes another row. Floats and a seeded mulberry32: model math, not money.
import { acCostMoments, acSimulateCost, straightLineCostMoments, type AcCostParams, type CostMoments } from '../../domain/price-action/ac-cost';
import { acKappa, acTrajectory } from '../../domain/price-action/execution-schedule';
import { mulberry32 } from '../../domain/rng';

export interface AcPaperConfig {
  total: number;
  s0: number;
  days: number;
  slices: number;
  sigma: number;
  epsilon: number;
  eta: number;
  gamma: number;
  /** The paper's drift, $/share/day: reported, not simulated (α = 0 as in the paper's formulas). */
  alpha: number;
  lambdas: number[];
  paths: number;
  seed: number;
}

export const AC_PAPER_DEFAULTS: AcPaperConfig = {
  total: 1e6,
  s0: 50,
  days: 5,
  slices: 5,
  sigma: 0.95,
  epsilon: 0.0625,
  eta: 2.5e-6,
  gamma: 2.5e-7,
  alpha: 0.02,
  lambdas: [1e-9, 1e-6, 2e-6],
  paths: 20_000,
  seed: 20000101,
};

export interface McStats {
  mean: number;
  std: number;
  /** Standard error of the mean, std/√n. */
  meanSe: number;
  /** Standard error of the std (cost is Gaussian in this model): std/√(2(n − 1)). */
  stdSe: number;
}

export interface AcStrategyRow {
  /** λ, or undefined for the straight line. */
  lambda?: number;
  /** κ per day (0 for the straight line). */
  kappa: number;
  /** 1/κ, days (Infinity for the straight line). */
  halfLifeDays: number;
  trajectory: number[];
  closed: CostMoments;
  mc: McStats;
}

export interface AcPaperResult {
  rows: AcStrategyRow[];
  straightLine: AcStrategyRow;
}

const costParams = (c: AcPaperConfig): AcCostParams & { s0: number } => ({ intervalSec: c.days / c.slices, sigma: c.sigma, epsilon: c.epsilon, eta: c.eta, gamma: c.gamma, s0: c.s0 });

function monteCarlo(c: AcPaperConfig, x: readonly number[]): McStats {
  const rng = mulberry32(c.seed);
  const p = costParams(c);
  const costs = new Float64Array(c.paths);
  for (let i = 0; i < c.paths; i++) costs[i] = acSimulateCost(p, x, rng);
  let sum = 0;
  for (const v of costs) sum += v;
  const mean = sum / c.paths;
  let ss = 0;
  for (const v of costs) ss += (v - mean) ** 2;
  const dof = Math.max(1, c.paths - 1);
  const std = Math.sqrt(ss / dof);
  return { mean, std, meanSe: std / Math.sqrt(c.paths), stdSe: std / Math.sqrt(2 * dof) };
}

export function runAcPaperLambda(lambda: number, cfg: Partial<AcPaperConfig> = {}): AcStrategyRow {
  const c = { ...AC_PAPER_DEFAULTS, ...cfg };
  const sched = { total: c.total, slices: c.slices, intervalSec: c.days / c.slices, lambda, sigma: c.sigma, eta: c.eta, gamma: c.gamma };
  const kappa = acKappa(sched);
  const trajectory = acTrajectory(sched);
  return { lambda, kappa, halfLifeDays: 1 / kappa, trajectory, closed: acCostMoments(costParams(c), trajectory), mc: monteCarlo(c, trajectory) };
}

export function runAcStraightLine(cfg: Partial<AcPaperConfig> = {}): AcStrategyRow {
  const c = { ...AC_PAPER_DEFAULTS, ...cfg };
  const trajectory = Array.from({ length: c.slices + 1 }, (_, k) => (c.total * (c.slices - k)) / c.slices);
  return { kappa: 0, halfLifeDays: Infinity, trajectory, closed: straightLineCostMoments({ ...costParams(c), total: c.total, slices: c.slices }), mc: monteCarlo(c, trajectory) };
}

export function runAcPaper(cfg: Partial<AcPaperConfig> = {}): AcPaperResult {
  const c = { ...AC_PAPER_DEFAULTS, ...cfg };
  return { rows: c.lambdas.map((l) => runAcPaperLambda(l, c)), straightLine: runAcStraightLine(c) };
}

const money = (v: number): string => Math.round(v).toLocaleString('en-US');

function line(label: string, r: AcStrategyRow): string {
  const kappa = r.kappa === 0 ? '—' : r.kappa.toFixed(4);
  const half = Number.isFinite(r.halfLifeDays) ? r.halfLifeDays.toFixed(2) : '∞';
  const cells = [
    label.padEnd(14),
    kappa.padStart(8),
    half.padStart(9),
    money(r.closed.expected).padStart(11),
    `${money(r.mc.mean)} ± ${money(r.mc.meanSe)}`.padStart(19),
    money(r.closed.std).padStart(11),
    `${money(r.mc.std)} ± ${money(r.mc.stdSe)}`.padStart(19),
  ];
  return `  ${cells.join(' ')}`;
}

export function formatAcPaperTable(res: AcPaperResult, c: AcPaperConfig): string {
  const tau = c.days / c.slices;
  const etaTilde = c.eta - (c.gamma * tau) / 2;
  const rows = [...res.rows, res.straightLine];
  const out = [
    `Almgren–Chriss (2000) §3.4: sell X=${money(c.total)} shares, S0=${c.s0} $, T=${c.days} days, N=${c.slices} (τ=${tau} day), σ=${c.sigma} $/share/day^½,`,
    `  ε=${c.epsilon} $/share, η=${c.eta} $/share per share/day, γ=${c.gamma} $/share², η̃=η−γτ/2=${etaTilde.toPrecision(4)}; drift α=${c.alpha} $/share/day not simulated (α=0, as in the paper's optimal strategy)`,
    `Monte Carlo: ${c.paths} paths, seed ${c.seed}; "± x" is one standard error. Every strategy sees the same price shocks, so their MC errors move together.`,
    '',
    `  ${'strategy'.padEnd(14)} ${'κ /day'.padStart(8)} ${'1/κ days'.padStart(9)} ${'E closed $'.padStart(11)} ${'E Monte Carlo $'.padStart(19)} ${'SD closed $'.padStart(11)} ${'SD Monte Carlo $'.padStart(19)}`,
    ...res.rows.map((r) => line(`λ=${r.lambda!.toExponential()}`, r)),
    line('straight line', res.straightLine),
    '',
    '  holdings x_0..x_N (shares):',
    ...rows.map((r) => `  ${(r.lambda === undefined ? 'straight line' : `λ=${r.lambda.toExponential()}`).padEnd(14)} ${r.trajectory.map((v) => money(v).padStart(10)).join('')}`),
    '',
    'closed form: E = ½γX² + εΣ|n_k| + (η̃/τ)Σn_k², SD = σ(τΣx_k²)^½; straight line E = ½γX² + εX + η̃X²/T, Var = ⅓σ²X²T(1−1/N)(1−1/(2N)).',
    'schedule: acKappa/acTrajectory of the live planner, time unit one day (intervalSec = 1 is τ = 1 day).',
  ];
  return `${out.join('\n')}\n`;
}
