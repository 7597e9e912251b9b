// Tuning without overfitting: per-venue quoting parameters (config `venues[].quoting`) searched on
// training seeds, the chosen ones reported on held-out seeds only.
//
// Search: coordinate descent over a small grid per knob. Venues are scored on their own rows, so one
// backtest run tries a candidate on every venue at once (each venue its own candidate); the
// cross-venue coupling (arbitrage between our quotes) is why each round re-scores the incumbents on
// the same seeds rather than trusting the scores of earlier rounds.
//
// Objective per venue, lexicographic: first the worst of the four uptimes (spread, depth bid, depth
// ask — healthy time) averaged over the seeds, capped at the 99.9 % goal so that beyond it the rest
// matters; then the venue's excess volatility (1-minute vol of log(mid / fundamental)), lower by more
// than EXCESS_VOL_TOLERANCE to count — the market quality the issuer checks, which cost alone traded
// away (wider quotes earned more and let prices wander); then the lowest cost of liquidity per $1M·day
// of ±2 % depth.
import type { VenueQuoting } from '../../domain/config.schema';

/** What the tuner needs from one venue's scorecard row. */
export interface VenueScore {
  venue: string;
  /** Percent of healthy time, or null when the venue has no such requirement. */
  spreadOkPct: number | null;
  depthBidOkPct: number | null;
  depthAskOkPct: number | null;
  /** Cost of liquidity per $1M·day of ±2 % depth (quote currency); null when no depth was provided. */
  costPerMillionDay: number | null;
  /** The venue's excess vol per 1-minute step (scorecard `excessVol.perStep`); absent ⇒ not compared. */
  excessVolPerStep?: number | null;
}

/** Runs one backtest with these per-venue overrides on one seed; returns every quoted venue's score. */
export type Evaluate = (overrides: Record<string, VenueQuoting>, seed: number) => Promise<VenueScore[]>;

export type Knob = keyof Pick<VenueQuoting, 'halfSpreadPct' | 'depthMargin' | 'levelSpacingPct' | 'orderLevels' | 'refreshTolerancePct' | 'riskAversionScale'>;

/** The grid searched per knob (values as the config writes them). */
export const DEFAULT_SPACE: Partial<Record<Knob, readonly (string | number)[]>> = {
  halfSpreadPct: ['0.05', '0.1', '0.2', '0.35'],
  depthMargin: ['1.1', '1.25', '1.5', '2'],
  levelSpacingPct: ['0.1', '0.2', '0.35'],
  orderLevels: [3, 5, 8],
};

export const GOAL_PCT = 99.9;
/** Relative difference in excess vol below which two candidates count as equal (seed noise). */
export const EXCESS_VOL_TOLERANCE = 0.02;

export interface TuneOptions {
  venues: readonly string[];
  start: Record<string, VenueQuoting>;
  trainSeeds: readonly number[];
  testSeeds: readonly number[];
  space?: Partial<Record<Knob, readonly (string | number)[]>>;
  /** Coordinate-descent passes over all knobs. Default 1. */
  rounds?: number;
  onProgress?(msg: string): void;
}

export interface VenueSummary {
  uptimePct: number;
  costPerMillionDay: number | null;
  /** Mean over the seeds; absent when the evaluation does not report it. */
  excessVolPerStep?: number;
}

export interface TuneResult {
  chosen: Record<string, VenueQuoting>;
  train: Record<string, VenueSummary>;
  /** The chosen parameters on the held-out seeds: the only figures to quote. */
  test: Record<string, VenueSummary>;
  /** The starting parameters on the held-out seeds, for comparison. */
  testStart: Record<string, VenueSummary>;
  runs: number;
}

/** Worst uptime of a row (null requirements ignored); 100 when it has none. */
export function worstUptime(s: VenueScore): number {
  const xs = [s.spreadOkPct, s.depthBidOkPct, s.depthAskOkPct].filter((x): x is number => x !== null);
  return xs.length === 0 ? 100 : Math.min(...xs);
}

/** Mean over seeds of each venue's worst uptime and cost. */
export function summarize(perSeed: readonly VenueScore[][], venues: readonly string[]): Record<string, VenueSummary> {
  const out: Record<string, VenueSummary> = {};
  for (const v of venues) {
    const rows = perSeed.map((r) => r.find((x) => x.venue === v)).filter((x): x is VenueScore => x !== undefined);
    const costs = rows.map((r) => r.costPerMillionDay).filter((c): c is number => c !== null && Number.isFinite(c));
    const vols = rows.map((r) => r.excessVolPerStep).filter((x): x is number => typeof x === 'number' && Number.isFinite(x));
    out[v] = {
      uptimePct: rows.length ? rows.reduce((s, r) => s + worstUptime(r), 0) / rows.length : 0,
      costPerMillionDay: costs.length === rows.length && costs.length > 0 ? costs.reduce((a, b) => a + b, 0) / costs.length : null,
      ...(vols.length === rows.length && vols.length > 0 ? { excessVolPerStep: vols.reduce((a, b) => a + b, 0) / vols.length } : {}),
    };
  }
  return out;
}

/** a is better than b: higher uptime (capped at the goal), then clearly lower excess vol, then lower cost (unknown cost loses). */
export function better(a: VenueSummary, b: VenueSummary): boolean {
  const ua = Math.min(a.uptimePct, GOAL_PCT);
  const ub = Math.min(b.uptimePct, GOAL_PCT);
  if (Math.abs(ua - ub) > 1e-9) return ua > ub;
  const va = a.excessVolPerStep;
  const vb = b.excessVolPerStep;
  if (va !== undefined && vb !== undefined && Math.abs(va - vb) > EXCESS_VOL_TOLERANCE * Math.max(va, vb)) return va < vb;
  if (a.costPerMillionDay === null) return false;
  if (b.costPerMillionDay === null) return true;
  return a.costPerMillionDay < b.costPerMillionDay - 1e-9;
}

async function score(evaluate: Evaluate, overrides: Record<string, VenueQuoting>, seeds: readonly number[], venues: readonly string[]): Promise<Record<string, VenueSummary>> {
  const perSeed: VenueScore[][] = [];
  for (const seed of seeds) perSeed.push(await evaluate(overrides, seed));
  return summarize(perSeed, venues);
}

export async function tune(evaluate: Evaluate, o: TuneOptions): Promise<TuneResult> {
  if (o.trainSeeds.some((s) => o.testSeeds.includes(s))) throw new RangeError('training and test seeds must not overlap');
  if (o.trainSeeds.length === 0 || o.testSeeds.length === 0) throw new RangeError('need at least one training and one test seed');
  const space = o.space ?? DEFAULT_SPACE;
  const knobs = Object.keys(space) as Knob[];
  let runs = 0;
  const count = <T>(p: Promise<T>, n: number) => {
    runs += n;
    return p;
  };
  const chosen: Record<string, VenueQuoting> = {};
  for (const v of o.venues) chosen[v] = { ...(o.start[v] ?? {}) };
  let best = await count(score(evaluate, chosen, o.trainSeeds, o.venues), o.trainSeeds.length);
  for (let round = 0; round < (o.rounds ?? 1); round++) {
    for (const knob of knobs) {
      const values = space[knob] ?? [];
      // Candidate i: every venue tries values[i] for this knob, keeping its other knobs.
      for (const value of values) {
        const trial: Record<string, VenueQuoting> = {};
        for (const v of o.venues) trial[v] = { ...chosen[v], [knob]: value };
        const s = await count(score(evaluate, trial, o.trainSeeds, o.venues), o.trainSeeds.length);
        for (const v of o.venues) {
          if (better(s[v]!, best[v]!)) {
            chosen[v] = trial[v]!;
            best[v] = s[v]!;
            o.onProgress?.(`${v}: ${knob}=${value} → uptime ${s[v]!.uptimePct.toFixed(2)} %, cost ${s[v]!.costPerMillionDay?.toFixed(0) ?? 'n/a'} per $1M·day`);
          }
        }
      }
      // Re-score the incumbents together: a venue's score moved when its neighbours' quotes did.
      best = await count(score(evaluate, chosen, o.trainSeeds, o.venues), o.trainSeeds.length);
    }
  }
  const test = await count(score(evaluate, chosen, o.testSeeds, o.venues), o.testSeeds.length);
  const testStart = await count(score(evaluate, o.start, o.testSeeds, o.venues), o.testSeeds.length);
  return { chosen, train: best, test, testStart, runs };
}
