// A decimal step (tick or lot) as `unit × 10^-dp`, so agents can turn float model output into an
// exact count of steps and an exact decimal string without decimal.js on the hot path.
import { formatScaled, parseScaled } from '../engine/units';

/** Relative slack so that e.g. 0.5 / 0.0001 = 4999.999… still floors to 5000 steps. */
const EPS = 1e-9;

export class Grid {
  /** The step as a float, for model math only. */
  readonly step: number;

  private constructor(
    /** The step in units of 10^-dp (a safe integer ≥ 1). */
    readonly unit: number,
    readonly dp: number,
  ) {
    this.step = unit / 10 ** dp;
  }

  static parse(step: string, what = 'step'): Grid {
    const m = /^(\d+)(?:\.(\d+))?$/.exec(step.trim());
    if (!m) throw new RangeError(`${what}: expected a positive decimal, got ${JSON.stringify(step)}`);
    const frac = (m[2] ?? '').replace(/0+$/, '');
    const unit = Number((m[1] ?? '0') + frac);
    if (!Number.isSafeInteger(unit) || unit <= 0) throw new RangeError(`${what}: expected a positive decimal, got ${JSON.stringify(step)}`);
    return new Grid(unit, frac.length);
  }

  /** Largest step count n with n·step ≤ x (x ≥ 0). */
  floor(x: number): number {
    return Math.floor(x / this.step + EPS);
  }

  /** Smallest step count n with n·step ≥ x. */
  ceil(x: number): number {
    return Math.ceil(x / this.step - EPS);
  }

  /** n steps as a canonical decimal string. */
  format(n: number): string {
    return formatScaled(n * this.unit, this.dp);
  }

  /** A decimal string as a step count; undefined if it is not an exact multiple of the step. */
  count(s: string): number | undefined {
    const scaled = parseScaled(s, this.dp);
    if (scaled === undefined || scaled % this.unit !== 0) return undefined;
    return scaled / this.unit;
  }

  /** n steps as a float (model math). */
  value(n: number): number {
    return n * this.step;
  }
}

function gcd(a: bigint, b: bigint): bigint {
  while (b !== 0n) [a, b] = [b, a % b];
  return a;
}

/** The least common multiple of two steps, as a decimal string (amounts that are valid on both venues). */
export function commonStep(a: string, b: string): string {
  const ga = Grid.parse(a);
  const gb = Grid.parse(b);
  const dp = Math.max(ga.dp, gb.dp);
  const ua = BigInt(ga.unit) * 10n ** BigInt(dp - ga.dp);
  const ub = BigInt(gb.unit) * 10n ** BigInt(dp - gb.dp);
  const l = (ua / gcd(ua, ub)) * ub;
  return formatScaled(Number(l), dp);
}
