// The cost of an execution schedule in Almgren & Chriss's (2000) discrete model, in closed form, and
// one simulated path of it. Pure: the paper experiment (sim/paper/almgren-chriss-paper.ts) uses these
// beside acKappa/acTrajectory, the same schedule the planner trades.
//
// Model (liquidating X; for a buy read every sign mirrored), t_k = kτ, n_k = x_{k−1} − x_k:
//   price      S_k = S_{k−1} + σ τ^½ ξ_k − γ n_k                      (permanent impact g(v) = γ v)
//   execution  S̃_k = S_{k−1} − ε sgn(n_k) − (η/τ) n_k                  (temporary impact)
//   cost       C = X S_0 − Σ n_k S̃_k   (implementation shortfall)
// whence, with η̃ = η − γτ/2,
//   E[C] = ½γX² + ε Σ|n_k| + (η̃/τ) Σ n_k²,    Var[C] = σ² τ Σ_{k=1..N} x_k².
// No drift (the paper's α = 0 in its optimal-strategy formulas). Units: whatever time unit τ, σ and η
// share (seconds in the planner, days in the paper's example).
import type { Rng } from '../rng';
import { gaussian } from '../rng';

export interface AcCostParams {
  /** Slice interval τ (> 0), in the time unit σ and η use. */
  intervalSec: number;
  /** Absolute volatility σ, price per √(time unit). */
  sigma: number;
  /** Fixed cost per unit traded ε (half the spread plus fees), price. */
  epsilon: number;
  /** Temporary impact η, price per (base per time unit). */
  eta: number;
  /** Permanent impact γ, price per base. */
  gamma: number;
}

export interface CostMoments {
  expected: number;
  variance: number;
  std: number;
}

function slicesOf(x: readonly number[]): number[] {
  if (x.length < 2) throw new RangeError(`trajectory: expected x_0..x_N with N ≥ 1, got ${x.length} values`);
  return x.slice(1).map((v, i) => x[i]! - v);
}

/** E[C] and Var[C] of the holdings trajectory x_0 = X … x_N = 0. */
export function acCostMoments(p: AcCostParams, x: readonly number[]): CostMoments {
  const tau = p.intervalSec;
  const etaTilde = p.eta - (p.gamma * tau) / 2;
  const n = slicesOf(x);
  const total = x[0]!;
  let abs = 0;
  let sq = 0;
  for (const v of n) {
    abs += Math.abs(v);
    sq += v * v;
  }
  let held = 0;
  for (let k = 1; k < x.length; k++) held += x[k]! * x[k]!;
  const expected = 0.5 * p.gamma * total * total + p.epsilon * abs + (etaTilde / tau) * sq;
  const variance = p.sigma * p.sigma * tau * held;
  return { expected, variance, std: Math.sqrt(variance) };
}

/**
 * The straight line (TWAP, the λ → 0 limit) over N slices of τ, T = Nτ, without building it:
 * E = ½γX² + εX + η̃X²/T, Var = ⅓σ²X²T(1 − 1/N)(1 − 1/(2N)).
 */
export function straightLineCostMoments(p: AcCostParams & { total: number; slices: number }): CostMoments {
  const T = p.slices * p.intervalSec;
  const X = p.total;
  const etaTilde = p.eta - (p.gamma * p.intervalSec) / 2;
  const expected = 0.5 * p.gamma * X * X + p.epsilon * X + (etaTilde * X * X) / T;
  const variance = (p.sigma * p.sigma * X * X * T * (1 - 1 / p.slices) * (1 - 1 / (2 * p.slices))) / 3;
  return { expected, variance, std: Math.sqrt(variance) };
}

/**
 * One path of the discrete model above: the price moves by σ τ^½ ξ_k (ξ_k standard normal from `rng`)
 * and the permanent impact; returns the path's cost C. Same rng state ⇒ same cost.
 */
export function acSimulateCost(p: AcCostParams & { s0: number }, x: readonly number[], rng: Rng): number {
  const tau = p.intervalSec;
  const step = p.sigma * Math.sqrt(tau);
  let s = p.s0;
  let captured = 0;
  for (let k = 1; k < x.length; k++) {
    const n = x[k - 1]! - x[k]!;
    captured += n * (s - p.epsilon * Math.sign(n) - (p.eta / tau) * n);
    s += step * gaussian(rng) - p.gamma * n;
  }
  return x[0]! * p.s0 - captured;
}
