// Runs one scenario with the same seed once per strategy and aggregates what a listing-compliance
// desk cares about per venue and overall (metrics.ts), counting only each venue's healthy time.
// Every strategy but `none` is the real Ballast hot path in a closed-loop world (closed-loop.ts):
//   none                 no Ballast at all (the market as the scenario's traders leave it);
//   ballast              the engine with the config's strategy and per-venue tuning, plus the durable
//                        plane (the `durable` hook) and the pool liquidity (the `pool` hook);
//   ballast-pa           `ballast` with price action on: sustained selling → a buyback, buy pressure
//                        with bought-back inventory → a liquidation, executed on the exchanges and the
//                        pool (knobs: `priceAction`, default PRICE_ACTION_DEFAULTS);
//   fixed-spread, pure-mm, avellaneda-stoikov, glft
//                        the same engine, same depth ladder, order diff and kill switch, with that
//                        model's default parameters (domain/quoting/default-params.ts, per-venue tuning
//                        left out) and no durable plane or pool: a quoting bot on its own, which is
//                        what the system is measured against.
import type { BallastConfig } from '../../domain/config.schema';
import type { VenueRequirements } from '../../domain/compliance';
import type { KillDecision } from '../../domain/quoting/kill-switch';
import type { ImbalanceEvent } from '../../domain/quoting/imbalance';
import type { QuotingModelName } from '../../domain/quoting/quote.types';
import type { QuoterStats } from '../../hotpath/venue-quoter';
import type { TransferRecord } from '../../venues/venue.port';
import type { RunSummary } from '../market/run-summary';
import type { Scenario } from '../market/scenario.schema';
import { ClosedLoop, type ClosedLoopOptions, type DecisionRecord, type PoolStats, type PriceActionRun } from './closed-loop';
import type { PriceActionChecks } from './sim-price-action';
import { BacktestRecorder, type Recording } from './metrics';
import { aggregate, type MetricRow } from './aggregate';
import { buildScorecard, type Scorecard, type ScorecardInput } from './scorecard-report';
import { scorecardInput } from './scorecard-input';

export type { MetricRow } from './aggregate';
export type StrategyName = 'none' | 'ballast' | 'ballast-pa' | QuotingModelName;
export const STRATEGIES: readonly StrategyName[] = ['none', 'ballast', 'ballast-pa', 'fixed-spread', 'pure-mm', 'avellaneda-stoikov', 'glft'];
const isBallastRun = (s: StrategyName) => s === 'ballast' || s === 'ballast-pa';

/**
 * Price action in `ballast-pa` runs unless BacktestOptions.priceAction says otherwise. Tuned on
 * stress-24h seeds 1–4 (bench/price-action.bench.ts; 1001… held out): the whale's selling shows as a
 * sell share of taker flow of ~0.6–0.7 per venue, noise reaches 0.8 for minutes, so "sustained selling"
 * is read over a 15-min flow window (enter 0.6, exit 0.48, 2 min); buybacks follow at once, at most 12 a
 * day, 5 min apart, 40 % participation, 20 s slices, up to 1 % above the arrival fair; a liquidation sells
 * only 1 % above fair (0.5 % sold into the arbitrageurs' buying during the sell-off itself).
 */
export const PRICE_ACTION_DEFAULTS: PriceActionRun = {
  pool: true,
  flowWindowMs: 15 * 60_000,
  imbalance: { SELL_OFF: { enter: 0.6, exit: 0.2, minDurationMs: 60_000, cooldownMs: 60_000 } },
  policy: {
    perKind: { SELL_OFF: { minRaisedMs: 0 } },
    cooldownMs: { rebalance: 15 * 60_000, venueRisk: 10 * 60_000, buyback: 5 * 60_000, liquidation: 30 * 60_000 },
    maxActionsPerDay: { rebalance: 6, venueRisk: 4, buyback: 12, liquidation: 4 },
    priceAction: { trigger: 'sell-off', buybackLimitPct: 1, liquidationPremiumPct: 1, participationPct: 40, durationMs: 2 * 3_600_000, maxFairMovePct: 6 },
  },
  execution: { sliceIntervalMs: 20_000 },
};

export interface BacktestOptions {
  scenario: Scenario;
  strategies: readonly StrategyName[];
  /** Ballast's configuration (config/demo.yaml): venues, requirements, strategy, funding. */
  config: BallastConfig;
  durationMs?: number;
  seed?: number;
  /** Overrides the config's venue requirements (by venue id); default: the config's. */
  requirements?: Record<string, VenueRequirements>;
  sampleEveryMs?: number;
  /** Hooks of the `ballast` run (see closed-loop.ts). */
  durable?: ClosedLoopOptions['durable'];
  pool?: ClosedLoopOptions['pool'];
  /** The `ballast-pa` run's price action (default PRICE_ACTION_DEFAULTS) and monitor thresholds. */
  priceAction?: PriceActionRun;
  /** Called as simulated time advances: overall fraction done and the running strategy. */
  onProgress?(fraction: number, strategy: StrategyName): void;
}

export interface StrategyResult {
  strategy: StrategyName;
  seed: number;
  wallMs: number;
  rows: MetricRow[];
  overall: MetricRow & { arbitrageLosses: number };
  summary: RunSummary;
  recording: Recording;
  /** Orders Ballast placed over all venues (0 for `none`). */
  quotesPlaced: number;
  /** Per venue: the quoter's counters (cycles, placed, canceled, rejected, rate limited, errors). */
  quoters: Record<string, QuoterStats>;
  killSwitchTrips: KillDecision[];
  imbalances: ImbalanceEvent[];
  decisions: DecisionRecord[];
  /** ballast-pa: self-trades and self-trade-prevention expiries over the run. */
  priceActionChecks?: PriceActionChecks;
  pool?: PoolStats;
  /** Ballast's withdrawals per venue (transfers made, with their fees). */
  withdrawals: Record<string, TransferRecord[]>;
  /** The scorecard (scorecard-report.ts), with ratios to the `none` run of the same seed. */
  scorecard: Scorecard;
}

export type RunRecord = Omit<StrategyResult, 'rows' | 'overall' | 'scorecard'> & { cardInput: ScorecardInput };

/** The requirements the scorecard holds each venue to: the option's, else the config's. */
export function requirementsOf(opts: Pick<BacktestOptions, 'config' | 'requirements'>): Record<string, VenueRequirements> {
  if (opts.requirements) return opts.requirements;
  return Object.fromEntries(opts.config.venues.map((v) => [v.id, v.requirements]));
}

/**
 * The config a strategy quotes with: baselines get the model's defaults, without per-venue tuning,
 * and skew by each venue's own inventory, as one bot per venue does (no portfolio skew).
 */
function configFor(config: BallastConfig, strategy: StrategyName): BallastConfig {
  if (isBallastRun(strategy) || strategy === 'none') return config;
  const { inventorySkew: _portfolio, ...perVenue } = config.strategy;
  return { ...config, strategy: { ...perVenue, model: strategy }, venues: config.venues.map(({ quoting: _tuned, ...v }) => v) };
}

async function runOne(opts: BacktestOptions, scenario: Scenario, seed: number, strategy: StrategyName, index: number, count: number): Promise<RunRecord> {
  const wall0 = performance.now();
  const isBallast = isBallastRun(strategy);
  const config = configFor(opts.config, strategy);
  const loop = new ClosedLoop({
    scenario,
    config,
    seed,
    ...(strategy === 'none' ? {} : { model: config.strategy.model }),
    ...(isBallast && opts.durable ? { durable: opts.durable } : {}),
    ...(isBallast && opts.pool ? { pool: opts.pool } : {}),
    ...(strategy === 'ballast-pa' ? { priceAction: opts.priceAction ?? PRICE_ACTION_DEFAULTS } : {}),
  });
  const { runner, clock, exchanges, account } = loop.world;
  const recorder = new BacktestRecorder({
    runner,
    exchanges,
    requirements: requirementsOf(opts),
    everyMs: opts.sampleEveryMs ?? 10_000,
    ...(strategy === 'none' ? {} : { account }),
  });
  await loop.start();
  recorder.sample(clock.now());
  const chunk = Math.max(60_000, Math.floor(scenario.duration / 200));
  for (let t = clock.now(); t < runner.endMs; ) {
    t = Math.min(runner.endMs, t + chunk);
    await loop.runUntil(t);
    opts.onProgress?.((index + (t - runner.startMs) / scenario.duration) / count, strategy);
  }
  await loop.stop();
  recorder.sample(clock.now());
  const engine = loop.world.engine;
  const quoters: Record<string, QuoterStats> = {};
  for (const q of engine?.quoters ?? []) quoters[q.venueId] = { ...q.stats };
  const withdrawals: Record<string, TransferRecord[]> = {};
  for (const [id, ex] of Object.entries(exchanges)) withdrawals[id] = ex.withdrawalRecords(account);
  const summary = runner.summary();
  const pool = loop.pool?.stats();
  const killSwitchTrips = engine ? [...engine.trips] : [];
  const cardInput = scorecardInput({
    strategy,
    runner,
    summary,
    recording: recorder.recording,
    requirements: requirementsOf(opts),
    exchanges,
    ...(strategy === 'none' ? {} : { account }),
    killSwitchTrips: killSwitchTrips.length,
    ...(pool ? { pool } : {}),
  });
  return {
    strategy,
    seed,
    wallMs: performance.now() - wall0,
    summary,
    cardInput,
    recording: recorder.recording,
    quotesPlaced: Object.values(quoters).reduce((s, q) => s + q.placed, 0),
    quoters,
    killSwitchTrips,
    imbalances: loop.imbalances,
    decisions: loop.durable?.timeline() ?? [],
    ...(loop.durable?.priceActionChecks?.() ? { priceActionChecks: loop.durable.priceActionChecks()! } : {}),
    ...(pool ? { pool } : {}),
    withdrawals: strategy === 'none' ? {} : withdrawals,
  };
}

/** Runs every strategy on the same scenario and seed; "none" (when asked for) runs first, for the vol ratios. */
export async function runBacktest(opts: BacktestOptions): Promise<StrategyResult[]> {
  const scenario: Scenario = opts.durationMs !== undefined ? { ...opts.scenario, duration: opts.durationMs } : opts.scenario;
  const seed = opts.seed ?? scenario.seed;
  const order = [...new Set(opts.strategies)].sort((a, b) => (a === 'none' ? -1 : b === 'none' ? 1 : 0));
  const requirements = requirementsOf(opts);
  const results: StrategyResult[] = [];
  let vol0: Map<string, number | null> | undefined;
  let noneCard: Scorecard | undefined;
  for (const [i, strategy] of order.entries()) {
    const { cardInput, ...run } = await runOne(opts, scenario, seed, strategy, i, order.length);
    const agg = aggregate(run, requirements, vol0);
    const scorecard = buildScorecard(cardInput, noneCard);
    if (strategy === 'none') noneCard = scorecard;
    if (strategy === 'none') {
      vol0 = new Map(agg.rows.map((x) => [x.venue, x.realizedVol]));
      vol0.set('overall', agg.overall.realizedVol);
      agg.overall.volRatio = 1;
      for (const x of agg.rows) x.volRatio = x.realizedVol !== null ? 1 : null;
    }
    results.push({ ...run, ...agg, scorecard });
  }
  return results;
}

/** A progress bar on a stream (stderr): redraws in place on a TTY, prints every 10 % otherwise. */
export function progressBar(out: { write(s: string): boolean; isTTY?: boolean }): (fraction: number, strategy: string) => void {
  let lastShown = -Infinity;
  return (fraction, strategy) => {
    const pctDone = Math.floor(fraction * 100 + 1e-9);
    const step = out.isTTY ? 1 : 10;
    if (pctDone < lastShown + step && fraction < 1) return;
    lastShown = pctDone;
    const filled = Math.round(fraction * 30);
    const bar = `[${'#'.repeat(filled)}${'.'.repeat(30 - filled)}] ${String(pctDone).padStart(3)}% ${strategy}`;
    out.write(out.isTTY ? `\r${bar.padEnd(70)}${fraction >= 1 ? '\n' : ''}` : `${bar}\n`);
  };
}
