// Runs one scenario with the same seed once per strategy ("none" = no Ballast market maker) and
// aggregates what a listing-compliance desk cares about per venue and overall (see metrics.ts).
// Each run is driven on its own VirtualClock in chunks so a caller can show progress.
import type { VenueRequirements } from '../../domain/compliance';
import { D, fmt } from '../../domain/money';
import type { QuoteParams, QuotingModelName } from '../../domain/quoting';
import { deannualizeVol } from '../../domain/signals/volatility';
import { VirtualClock } from '../../hotpath/clocks';
import type { StartingBalances } from '../market/agent-factory';
import type { RunSummary } from '../market/run-summary';
import { ScenarioRunner } from '../market/scenario-runner';
import type { Scenario } from '../market/scenario.schema';
import { MarketMakerAgent } from './market-maker-agent';
import { defaultQuoteParams } from '../../domain/quoting/default-params';
import { BacktestRecorder, decomposePnl, realizedVolAnnual, timeFraction, timeWeightedMean, type Recording } from './metrics';

export type StrategyName = 'none' | QuotingModelName;
export const STRATEGIES: readonly StrategyName[] = ['none', 'fixed-spread', 'pure-mm', 'avellaneda-stoikov', 'glft'];
export const MM_ACCOUNT = 'ballast-mm';

export interface BacktestOptions {
  scenario: Scenario;
  strategies: readonly StrategyName[];
  durationMs?: number;
  seed?: number;
  /** Venue requirements by venue id (config/demo.yaml); venues without one get no requirement columns. */
  requirements: Record<string, VenueRequirements>;
  sampleEveryMs?: number;
  /** Quote value the maker is funded with per CEX venue, half in base at the initial price. Default 200000. */
  fundingQuote?: number;
  /** Quote value of one order level. Default 2000. */
  levelQuote?: number;
  /** Called as simulated time advances: overall fraction done and the running strategy. */
  onProgress?(fraction: number, strategy: StrategyName): void;
}

export interface MetricRow {
  venue: string;
  twSpreadPct: number | null;
  spreadOkPct: number | null;
  depthOkPct: number | null;
  volumeQuote: number;
  mmVolumeQuote: number;
  feesPaid: number;
  realizedPnl: number;
  inventoryPnl: number;
  realizedVol: number | null;
  /** Realized vol / the same measure in the "none" run (null when "none" was not run). */
  volRatio: number | null;
  /** Largest |MM base − starting base|, base units. */
  maxInventoryDev: number;
}

export interface StrategyResult {
  strategy: StrategyName;
  wallMs: number;
  rows: MetricRow[];
  overall: MetricRow & { arbitrageLosses: number };
  summary: RunSummary;
  recording: Recording;
  quotesPlaced: number;
}

function startingBalances(scenario: Scenario, venues: string[], fundingQuote: number): Record<string, StartingBalances> {
  const out: Record<string, StartingBalances> = {};
  const half = new D(fundingQuote).div(2);
  for (const id of venues) out[id] = { base: fmt(half.div(scenario.fundamental.initial.toPrecision(12)).floor()), quote: fmt(half) };
  return out;
}

function runOne(opts: BacktestOptions, scenario: Scenario, strategy: StrategyName, index: number): Omit<StrategyResult, 'rows' | 'overall'> {
  const clock = new VirtualClock(Date.parse(scenario.startTime));
  const runner = new ScenarioRunner(scenario, { clock, seed: opts.seed });
  const cex = scenario.venues.filter((v) => v.kind === 'cex').map((v) => v.id);
  const mid = scenario.fundamental.initial;
  let mm: MarketMakerAgent | undefined;
  if (strategy !== 'none') {
    const params: Record<string, QuoteParams> = {};
    for (const id of cex) params[id] = defaultQuoteParams(strategy, mid, opts.levelQuote ?? 2000);
    const sigma = deannualizeVol(scenario.fundamental.volatility);
    mm = new MarketMakerAgent(MM_ACCOUNT, {
      venues: cex,
      params,
      refreshMs: 5000,
      jitter: 0.2,
      targetBaseRatio: 0.5,
      maxInventoryFactor: 2,
      volHalfLifeSec: 600,
      seedVariancePerSec: sigma * sigma,
    });
    runner.addAgent({ agent: mm, account: MM_ACCOUNT, balances: startingBalances(scenario, cex, opts.fundingQuote ?? 200_000) });
  }
  const recorder = new BacktestRecorder(runner, { everyMs: opts.sampleEveryMs ?? 10_000, mmAccount: mm ? MM_ACCOUNT : undefined, requirements: opts.requirements });
  const wall0 = performance.now();
  runner.start();
  recorder.sample(clock.now());
  const chunk = Math.max(60_000, Math.floor(scenario.duration / 200));
  const n = opts.strategies.length;
  for (let t = runner.startMs; t < runner.endMs; ) {
    t = Math.min(runner.endMs, t + chunk);
    clock.runUntil(t);
    opts.onProgress?.((index + (t - runner.startMs) / scenario.duration) / n, strategy);
  }
  const summary = runner.runVirtual();
  recorder.sample(clock.now());
  return { strategy, wallMs: performance.now() - wall0, summary, recording: recorder.recording, quotesPlaced: mm?.quotesPlaced ?? 0 };
}

function venueMids(summary: RunSummary, id: string): { t: number; price: number }[] {
  const out: { t: number; price: number }[] = [];
  for (const s of summary.pricePath) {
    const m = s.mids[id];
    if (m !== null && m !== undefined) out.push({ t: s.t, price: m });
  }
  return out;
}

function averageMids(summary: RunSummary, ids: string[]): { t: number; price: number }[] {
  const out: { t: number; price: number }[] = [];
  for (const s of summary.pricePath) {
    const ms = ids.map((id) => s.mids[id]).filter((m): m is number => typeof m === 'number' && m > 0);
    if (ms.length === ids.length) out.push({ t: s.t, price: ms.reduce((a, b) => a + b, 0) / ms.length });
  }
  return out;
}

/** Aggregates one run (per venue and overall); `vol0` holds the "none" run's volatilities for the ratio. */
export function aggregate(r: Omit<StrategyResult, 'rows' | 'overall'>, requirements: Record<string, VenueRequirements>, vol0?: Map<string, number | null>): Pick<StrategyResult, 'rows' | 'overall'> {
  const endT = r.summary.simulatedMs;
  const rec = r.recording;
  const f = rec.fundamental;
  const mark0 = (f[0]?.v ?? r.summary.fundamental.initial).toPrecision(12);
  const mark1 = r.summary.fundamental.final.toPrecision(12);
  const ratio = (key: string, v: number | null): number | null => {
    const base = vol0?.get(key);
    return v !== null && base ? v / base : null;
  };
  const rows: MetricRow[] = Object.entries(rec.venues).map(([venue, samples]) => {
    const req = requirements[venue];
    const first = samples[0];
    const last = samples[samples.length - 1];
    const pnl = decomposePnl({
      base0: first?.mmBase ?? 0,
      quote0: first?.mmQuote ?? 0,
      base1: last?.mmBase ?? 0,
      quote1: last?.mmQuote ?? 0,
      mark0,
      mark1,
      fills: rec.fills[venue] ?? [],
    });
    const b0 = Number(first?.mmBase ?? 0);
    const vol = realizedVolAnnual(venueMids(r.summary, venue));
    return {
      venue,
      twSpreadPct: timeWeightedMean(samples.map((s) => ({ t: s.t, v: s.spreadPct })), endT),
      spreadOkPct: req ? pct(timeFraction(samples.map((s) => ({ t: s.t, ok: s.spreadOk })), endT)) : null,
      depthOkPct: req ? pct(timeFraction(samples.map((s) => ({ t: s.t, ok: s.depthOk })), endT)) : null,
      volumeQuote: Number(r.summary.venues[venue]?.volumeQuote ?? 0),
      mmVolumeQuote: pnl.volumeQuote.toNumber(),
      feesPaid: pnl.fees.toNumber(),
      realizedPnl: pnl.realized.toNumber(),
      inventoryPnl: pnl.inventory.toNumber(),
      realizedVol: vol,
      volRatio: ratio(venue, vol),
      maxInventoryDev: samples.reduce((m, s) => Math.max(m, Math.abs(Number(s.mmBase) - b0)), 0),
    };
  });
  const withReq = Object.keys(rec.venues).filter((id) => requirements[id]);
  const n = rec.fundamental.length;
  const allOk = (key: 'spreadOk' | 'depthOk') => Array.from({ length: n }, (_, i) => ({ t: f[i]!.t, ok: withReq.every((id) => rec.venues[id]?.[i]?.[key] === true) }));
  const spreads = rows.map((x) => x.twSpreadPct).filter((x): x is number => x !== null);
  const totalBase = (i: number): number => Object.values(rec.venues).reduce((s, xs) => s + Number(xs[i]?.mmBase ?? 0), 0);
  const overallVol = realizedVolAnnual(averageMids(r.summary, Object.keys(rec.venues)));
  const sum = (k: keyof MetricRow): number => rows.reduce((s, x) => s + Number(x[k] ?? 0), 0);
  let maxDev = 0;
  for (let i = 0; i < n; i++) maxDev = Math.max(maxDev, Math.abs(totalBase(i) - totalBase(0)));
  return {
    rows,
    overall: {
      venue: 'overall',
      twSpreadPct: spreads.length ? spreads.reduce((a, b) => a + b, 0) / spreads.length : null,
      spreadOkPct: withReq.length ? pct(timeFraction(allOk('spreadOk'), endT)) : null,
      depthOkPct: withReq.length ? pct(timeFraction(allOk('depthOk'), endT)) : null,
      volumeQuote: sum('volumeQuote'),
      mmVolumeQuote: sum('mmVolumeQuote'),
      feesPaid: sum('feesPaid'),
      realizedPnl: sum('realizedPnl'),
      inventoryPnl: sum('inventoryPnl'),
      realizedVol: overallVol,
      volRatio: ratio('overall', overallVol),
      maxInventoryDev: maxDev,
      arbitrageLosses: Number(r.summary.arbitrage.realizedProfitQuote),
    },
  };
}

function pct(x: number | null): number | null {
  return x === null ? null : x * 100;
}

/** Runs every strategy on the same scenario and seed; "none" (when asked for) runs first, for the vol ratios. */
export function runBacktest(opts: BacktestOptions): StrategyResult[] {
  const scenario: Scenario = opts.durationMs !== undefined ? { ...opts.scenario, duration: opts.durationMs } : opts.scenario;
  const order = [...opts.strategies].sort((a, b) => (a === 'none' ? -1 : b === 'none' ? 1 : 0));
  const results: StrategyResult[] = [];
  let vol0: Map<string, number | null> | undefined;
  order.forEach((strategy, i) => {
    const run = runOne({ ...opts, strategies: order }, scenario, strategy, i);
    const agg = aggregate(run, opts.requirements, vol0);
    if (strategy === 'none') {
      vol0 = new Map(agg.rows.map((x) => [x.venue, x.realizedVol]));
      vol0.set('overall', agg.overall.realizedVol);
      agg.overall.volRatio = 1;
      for (const x of agg.rows) x.volRatio = x.realizedVol !== null ? 1 : null;
    }
    results.push({ ...run, ...agg });
  });
  return results;
}

/** A progress bar on a stream (stderr): redraws in place on a TTY, prints every 10 % otherwise. */
export function progressBar(out: { write(s: string): boolean; isTTY?: boolean }): (fraction: number, strategy: StrategyName) => void {
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
