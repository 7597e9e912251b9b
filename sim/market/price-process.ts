// The token's fundamental value: geometric Brownian motion with Poisson jumps, correlated with a
// market-factor GBM. Model math in floats (never money). The path is generated step by step from
// one seeded rng, and may be generated ahead of "now" (informed traders see the future a little):
// looking ahead never changes the path, because values are always drawn in step order.
import { gaussian, type Rng } from '../../domain/rng';

export const MS_PER_YEAR = 365 * 24 * 3600 * 1000;
export const MS_PER_DAY = 24 * 3600 * 1000;

export interface JumpParams {
  /** Expected number of jumps per day (Poisson intensity). */
  intensityPerDay: number;
  /** Mean and standard deviation of the log jump size. */
  meanLog: number;
  volLog: number;
}

export interface ScheduledJump {
  /** Offset from the start, ms. */
  atMs: number;
  /** Log size of the jump (−0.1 ≈ −9.5 %). */
  logSize: number;
}

export interface PriceProcessParams {
  initial: number;
  /** Annualized drift μ and volatility σ of the token (GBM: d ln S = (μ − σ²/2) dt + σ dW). */
  drift: number;
  volatility: number;
  jumps: JumpParams;
  scheduledJumps: ScheduledJump[];
  factor: { initial: number; drift: number; volatility: number };
  /** Correlation ρ between the token's diffusion and the factor's. */
  correlation: number;
  stepMs: number;
}

export interface PricePoint {
  /** Step index (0 = start). */
  step: number;
  /** Offset from the start, ms. */
  offsetMs: number;
  price: number;
  factor: number;
}

/** Knuth's Poisson sampler; fine for the small means (λ·dt ≪ 1) a time step has. */
function poisson(rng: Rng, mean: number): number {
  if (mean <= 0) return 0;
  const l = Math.exp(-mean);
  let k = 0;
  let p = rng();
  while (p > l) {
    k++;
    p *= rng();
  }
  return k;
}

export class PriceProcess {
  private readonly dtYears: number;
  private readonly jumpMean: number;
  private readonly rhoBar: number;
  private readonly scheduled: ScheduledJump[];
  /** Generated points from the current step on: ahead[0] is "now". */
  private readonly ahead: PricePoint[];
  private head = 0;
  private lastLnS: number;
  private lastLnM: number;
  private nextScheduled = 0;

  constructor(
    readonly params: PriceProcessParams,
    private readonly rng: Rng,
  ) {
    if (!(params.initial > 0) || !(params.factor.initial > 0)) throw new RangeError('initial price and factor must be > 0');
    if (!(params.stepMs > 0)) throw new RangeError('stepMs must be > 0');
    if (Math.abs(params.correlation) > 1) throw new RangeError('correlation must be within [-1, 1]');
    this.dtYears = params.stepMs / MS_PER_YEAR;
    this.jumpMean = (params.jumps.intensityPerDay * params.stepMs) / MS_PER_DAY;
    this.rhoBar = Math.sqrt(1 - params.correlation * params.correlation);
    this.scheduled = [...params.scheduledJumps].sort((a, b) => a.atMs - b.atMs);
    this.lastLnS = Math.log(params.initial);
    this.lastLnM = Math.log(params.factor.initial);
    this.ahead = [{ step: 0, offsetMs: 0, price: params.initial, factor: params.factor.initial }];
  }

  /** The point at the current step. */
  current(): PricePoint {
    return this.ahead[this.head]!;
  }

  /** The point `steps` steps ahead of the current one (generating it if needed). */
  peek(steps: number): PricePoint {
    while (this.ahead.length - this.head <= steps) this.generate();
    return this.ahead[this.head + steps]!;
  }

  /** Moves to the next step and returns its point. */
  advance(): PricePoint {
    this.peek(1);
    this.head++;
    // Drop consumed points now and then, so lookahead buffers never grow without bound.
    if (this.head > 1024) {
      this.ahead.splice(0, this.head);
      this.head = 0;
    }
    return this.ahead[this.head]!;
  }

  private generate(): void {
    const p = this.params;
    const dt = this.dtYears;
    const sq = Math.sqrt(dt);
    const zm = gaussian(this.rng);
    const zi = gaussian(this.rng);
    this.lastLnM += (p.factor.drift - 0.5 * p.factor.volatility * p.factor.volatility) * dt + p.factor.volatility * sq * zm;
    let dln = (p.drift - 0.5 * p.volatility * p.volatility) * dt + p.volatility * sq * (p.correlation * zm + this.rhoBar * zi);
    const jumps = poisson(this.rng, this.jumpMean);
    for (let j = 0; j < jumps; j++) dln += p.jumps.meanLog + p.jumps.volLog * gaussian(this.rng);
    const last = this.ahead[this.ahead.length - 1]!;
    const step = last.step + 1;
    const offsetMs = step * p.stepMs;
    // A scheduled jump lands on the first step at or after its time.
    while (this.nextScheduled < this.scheduled.length && this.scheduled[this.nextScheduled]!.atMs <= offsetMs) {
      dln += this.scheduled[this.nextScheduled]!.logSize;
      this.nextScheduled++;
    }
    this.lastLnS += dln;
    this.ahead.push({ step, offsetMs, price: Math.exp(this.lastLnS), factor: Math.exp(this.lastLnM) });
  }
}

/** Per-step moments of the token's log return implied by the parameters (for tests and reports). */
export function expectedLogReturnMoments(p: PriceProcessParams): { mean: number; variance: number } {
  const dt = p.stepMs / MS_PER_YEAR;
  const lambdaDt = (p.jumps.intensityPerDay * p.stepMs) / MS_PER_DAY;
  return {
    mean: (p.drift - 0.5 * p.volatility * p.volatility) * dt + lambdaDt * p.jumps.meanLog,
    // Compound Poisson: Var = λdt·E[J²] = λdt·(σJ² + μJ²).
    variance: p.volatility * p.volatility * dt + lambdaDt * (p.jumps.volLog * p.jumps.volLog + p.jumps.meanLog * p.jumps.meanLog),
  };
}
