// Price action in the closed loop (issue 10, item 7): the same seeds with and without buybacks —
// `none` (no market maker), `ballast` and `ballast-pa` (ballast with price action) — on the sell-off
// scenarios. Per sell-off episode (sell-off-episodes.ts via the scorecard): the deepest drawdown beyond
// the fundamental over the venues, and its time to recover; per run: excess volatility; per buyback /
// liquidation: shortfall + fees, inventory bought and sold, its mark-to-market at the end's
// fundamental, the budget used, the stop reasons, reversion, self-trades and self-trade-prevention
// expiries; and whether a buyback running through a scheduled fundamental drop stopped (FAIR_VALUE_MOVED
// or PRICE_LIMIT) instead of buying on.
//   npm run bench -- price-action                  (stress-24h and outage-selloff, held-out seeds 1001–1005)
//   BENCH_SEEDS=1,2,3,4 BENCH_SCENARIOS=stress-24h BENCH_DURATION=16h npm run bench -- price-action   (tuning)
//   BENCH_WHALE_FLOOR=1 …   (also `ballast` with the whale's selling removed: the floor of the goal's ratio)
//   BENCH_PA='{"pool":true,"policy":{"priceAction":{"participationPct":30}},"imbalance":{"ONE_SIDED_SELLING":{…}}}'  (knobs;
//   replaces PRICE_ACTION_DEFAULTS of run-backtest.ts)
// Goal: a whale's sell-off drawdown beyond F with price action ≤ 0.3× the one without (the `ballast` run).
import { loadConfig } from '../config/load';
import { backtestHooks } from '../sim/backtest/hooks';
import { PRICE_ACTION_DEFAULTS, runBacktest, type StrategyName, type StrategyResult } from '../sim/backtest/run-backtest';
import type { PriceActionRun } from '../sim/backtest/closed-loop';
import { loadScenario } from '../sim/market/scenario-loader';
import { parseDurationMs } from '../sim/market/scenario.schema';

const env = process.env;
const scenarios = (env.BENCH_SCENARIOS ?? 'stress-24h,outage-selloff').split(',');
const seeds = (env.BENCH_SEEDS ?? '1001,1002,1003,1004,1005').split(',').map(Number);
const durationMs = env.BENCH_DURATION ? parseDurationMs(env.BENCH_DURATION) : undefined;
/** BENCH_PA replaces the run-backtest defaults (a PriceActionRun as JSON). */
const priceAction: PriceActionRun = env.BENCH_PA ? (JSON.parse(env.BENCH_PA) as PriceActionRun) : PRICE_ACTION_DEFAULTS;
/** BENCH_STRATEGIES=ballast,ballast-pa skips the others (the goal's ratio needs ballast and ballast-pa). */
const STRATEGIES = (env.BENCH_STRATEGIES ?? 'none,ballast,ballast-pa').split(',') as StrategyName[];
/**
 * BENCH_ORACLE_MIN=5: an upper-bound study, not Ballast's trigger — the monitor never raises SELL_OFF
 * itself; one is handed to the coordinator this many minutes after the whale starts (found in the
 * ballast run), so the only buyback is a perfectly timed one with the whole episode budget.
 */
const ORACLE_MIN = env.BENCH_ORACLE_MIN === undefined ? undefined : Number(env.BENCH_ORACLE_MIN);
/**
 * BENCH_WHALE_FLOOR=1 also runs `ballast` on each seed with the whale cut to 10 base per slice (same
 * slices, start and RNG draws: only its selling is gone) and reports that run's drawdown beyond F in
 * the whale's window: what is left when the whale's selling is entirely undone. Its ratio to the
 * `ballast` run is the lowest pa/ballast any price action that only offsets the whale (never leading
 * the price above where it would have been) can reach; `whale-attributable` is (pa − floor) / (ballast − floor).
 */
const WHALE_FLOOR = env.BENCH_WHALE_FLOOR === '1';
/** BENCH_TRACE=1 prints each run's sell-off episodes (deepest point, when) and every buyback / liquidation. */
const TRACE = env.BENCH_TRACE === '1';
const GOAL_RATIO = 0.3;

interface Row {
  scenario: string;
  seed: number;
  strategy: StrategyName;
  /** Per episode label: the deepest drawdown beyond F over the venues (%, ≤ 0) and that venue's recovery (min). */
  episodes: Record<string, { deepestPct: number | null; recoverMin: number | null }>;
  excessVolBp: number | null;
  pa?: PaFigures;
}

interface PaFigures {
  buybacks: number;
  liquidations: number;
  boughtBase: number;
  boughtQuote: number;
  soldBase: number;
  soldQuote: number;
  /** Shortfall vs arrival, fees included (quote), summed over executions. */
  shortfallQuote: number;
  feesQuote: number;
  /** Net inventory left × F at the end − quote paid + quote received − fees. */
  markToMarket: number;
  budgetUsd: number;
  stops: Record<string, number>;
  reverted60: number[];
  selfTrades: number;
  /** Self-trade-prevention expiries: `pa-` orders (a quote crossed them) / quotes a `pa-` order crossed. */
  stpExpired: number;
  stpSplit: string;
  /** Buybacks running through a scheduled negative jump: how each stopped. */
  jumpStops: string[];
}

function paFigures(r: StrategyResult, scenario: ReturnType<typeof loadScenario>): PaFigures {
  const f = { buybacks: 0, liquidations: 0, boughtBase: 0, boughtQuote: 0, soldBase: 0, soldQuote: 0, shortfallQuote: 0, feesQuote: 0, markToMarket: 0, budgetUsd: 0, stops: {} as Record<string, number>, reverted60: [] as number[], selfTrades: 0, stpExpired: 0, stpSplit: '', jumpStops: [] as string[] };
  const fEnd = r.summary.fundamental.final;
  const start = Date.parse(scenario.startTime);
  const jumps = scenario.fundamental.scheduledJumps.filter((j) => j.logSize < 0).map((j) => start + j.at);
  for (const d of r.decisions) {
    const pa = d.priceAction;
    if (!pa || (d.kind !== 'buyback' && d.kind !== 'liquidation')) continue;
    const x = pa.report;
    const base = Number(x.filledBase);
    const quote = Number(x.quote);
    const fees = Number(x.feesQuote);
    if (d.kind === 'buyback') {
      f.buybacks += 1;
      f.boughtBase += base;
      f.boughtQuote += quote;
      f.budgetUsd += Number(x.budgetUsedUsd);
    } else {
      f.liquidations += 1;
      f.soldBase += base;
      f.soldQuote += quote;
    }
    f.feesQuote += fees;
    f.shortfallQuote += Number(x.shortfallQuote ?? 0);
    const why = x.stopReason ?? x.status;
    f.stops[why] = (f.stops[why] ?? 0) + 1;
    const r60 = pa.reversion.find((v) => v.afterMs === 60 * 60_000)?.reverted;
    if (typeof r60 === 'number') f.reverted60.push(r60);
    f.stpExpired += pa.stpExpired.priceAction + pa.stpExpired.quotes;
    // Running at a scheduled drop: started before it and still trading then; what it bought after it.
    for (const j of jumps) {
      if (d.kind !== 'buyback' || d.startedAt > j || (pa.stoppedAt ?? Infinity) <= j) continue;
      const after = pa.children.filter((c) => c.atMs >= j).reduce((a, c) => a + Number(c.filled), 0);
      f.jumpStops.push(`${why} ${((( pa.stoppedAt ?? NaN) - j) / 60_000).toFixed(1)} min after the drop, ${after.toFixed(0)} base bought after it`);
    }
  }
  f.markToMarket = (f.boughtBase - f.soldBase) * fEnd - f.boughtQuote + f.soldQuote - f.feesQuote;
  f.selfTrades = r.priceActionChecks?.selfTrades ?? 0;
  const stp = r.priceActionChecks?.stpExpired;
  if (stp) {
    f.stpExpired = stp.priceAction + stp.quotesByPriceAction;
    f.stpSplit = `${stp.priceAction} pa- orders crossed by a quote, ${stp.quotesByPriceAction} quotes crossed by a pa- order`;
  }
  return f;
}

function rowOf(scenarioName: string, seed: number, r: StrategyResult, scenario: ReturnType<typeof loadScenario>): Row {
  const episodes: Row['episodes'] = {};
  for (const v of r.scorecard.venues) {
    for (const e of v.episodes) {
      const label = e.label.startsWith('whale') ? 'whale' : e.label;
      const cur = episodes[label];
      if (e.deepestPct === null) continue;
      if (!cur || cur.deepestPct === null || e.deepestPct < cur.deepestPct) episodes[label] = { deepestPct: e.deepestPct, recoverMin: e.recoverMs === null ? null : e.recoverMs / 60_000 };
    }
  }
  return {
    scenario: scenarioName,
    seed,
    strategy: r.strategy,
    episodes,
    excessVolBp: r.scorecard.overall.excessVol.perStep === null ? null : r.scorecard.overall.excessVol.perStep * 10_000,
    ...(r.strategy === 'ballast-pa' ? { pa: paFigures(r, scenario) } : {}),
  };
}

const mean = (xs: number[]) => (xs.length ? xs.reduce((a, b) => a + b, 0) / xs.length : NaN);
const f2 = (x: number) => (Number.isFinite(x) ? (Math.abs(x) >= 1000 ? x.toFixed(0) : x.toFixed(2)) : '—');

/** The scenario with every whale's selling cut to 10 base per slice; all else (its start, slices, draws) the same. */
function withoutWhale(scenario: ReturnType<typeof loadScenario>): ReturnType<typeof loadScenario> {
  return { ...scenario, agents: scenario.agents.map((a) => (a.kind === 'whale' ? { ...a, totalBase: String(a.slices * 10) } : a)) };
}

/** Per scenario and seed: the whale-window drawdown of `ballast` with the whale's selling removed. */
const floors: { scenario: string; seed: number; deepestPct: number | null }[] = [];

function floorLines(rows: Row[], scenario: string, w: (s: string) => void): void {
  const fs = floors.filter((f) => f.scenario === scenario);
  if (!fs.length) return;
  const at = (strategy: StrategyName, seed: number) => rows.find((r) => r.scenario === scenario && r.strategy === strategy && r.seed === seed)?.episodes.whale?.deepestPct ?? null;
  const floorRatios: number[] = [];
  const attributable: string[] = [];
  for (const f of fs) {
    const b = at('ballast', f.seed);
    const p = at('ballast-pa', f.seed);
    if (f.deepestPct === null || b === null || b >= 0) continue;
    floorRatios.push(f.deepestPct / b);
    // Only meaningful where the whale deepened the drawdown by at least 0.1 percentage point.
    if (p !== null && b < f.deepestPct - 0.1) attributable.push(`${f.seed} ${((p - f.deepestPct) / (b - f.deepestPct)).toFixed(2)}`);
    else attributable.push(`${f.seed} — (the whale added < 0.1 pp)`);
  }
  w(`  whale removed (ballast, same seeds): whale-window drawdown beyond F per seed ${fs.map((f) => `${f.seed} ${f2(f.deepestPct ?? NaN)} %`).join(', ')}
`);
  if (floorRatios.length)
    w(`  floor: the lowest pa/ballast reachable by undoing the whale entirely, per seed ${floorRatios.map((x) => x.toFixed(2)).join(', ')}; mean ${mean(floorRatios).toFixed(2)}×, best ${Math.min(...floorRatios).toFixed(2)}× (goal ${GOAL_RATIO}×)
`);
  if (attributable.length) w(`  whale-attributable drawdown with / without price action, (pa − floor) / (ballast − floor), per seed: ${attributable.join(', ')}
`);
}

function table(rows: Row[], scenario: string): void {
  const of = (s: StrategyName) => rows.filter((r) => r.scenario === scenario && r.strategy === s);
  const labels = [...new Set(rows.filter((r) => r.scenario === scenario).flatMap((r) => Object.keys(r.episodes)))];
  const w = process.stdout.write.bind(process.stdout);
  w(`\n${scenario}: seeds ${seeds.join(',')}${durationMs ? `, first ${durationMs / 3_600_000} h` : ''}\n`);
  w(`${'metric'.padEnd(44)}${'none'.padStart(10)}${'ballast'.padStart(10)}${'ballast-pa'.padStart(12)}${'pa worst'.padStart(10)}${'pa/ballast'.padStart(12)}${'pa/none'.padStart(10)}\n`);
  const line = (name: string, get: (r: Row) => number | null, worst: 'min' | 'max') => {
    const m = (s: StrategyName) => mean(of(s).map(get).filter((x): x is number => x !== null));
    const pa = of('ballast-pa').map(get).filter((x): x is number => x !== null);
    const wv = pa.length ? (worst === 'min' ? Math.min(...pa) : Math.max(...pa)) : NaN;
    w(`${name.padEnd(44)}${f2(m('none')).padStart(10)}${f2(m('ballast')).padStart(10)}${f2(m('ballast-pa')).padStart(12)}${f2(wv).padStart(10)}${(f2(m('ballast-pa') / m('ballast')) + '×').padStart(12)}${(f2(m('ballast-pa') / m('none')) + '×').padStart(10)}\n`);
  };
  for (const l of labels) {
    line(`${l}: deepest drawdown beyond F, %`, (r) => r.episodes[l]?.deepestPct ?? null, 'min');
    line(`${l}: time to recover, min`, (r) => r.episodes[l]?.recoverMin ?? null, 'max');
  }
  line('excess volatility, bp per 1-min step', (r) => r.excessVolBp, 'max');
  const pas = of('ballast-pa').map((r) => r.pa!).filter(Boolean);
  const sum = (k: keyof PaFigures) => mean(pas.map((p) => p[k] as number));
  w(`price action per run (mean over seeds): buybacks ${f2(sum('buybacks'))}, liquidations ${f2(sum('liquidations'))}, bought ${f2(sum('boughtBase'))} base for ${f2(sum('boughtQuote'))} quote, ` +
    `sold ${f2(sum('soldBase'))} base for ${f2(sum('soldQuote'))} quote, budget used ${f2(sum('budgetUsd'))} USD\n`);
  w(`  cost: shortfall+fees ${f2(sum('shortfallQuote'))} quote (fees ${f2(sum('feesQuote'))}), mark-to-market of bought − sold at the end's F ${f2(sum('markToMarket'))} quote (worst ${f2(Math.min(...pas.map((p) => p.markToMarket)))})\n`);
  const stops: Record<string, number> = {};
  for (const p of pas) for (const [k, v] of Object.entries(p.stops)) stops[k] = (stops[k] ?? 0) + v;
  w(`  stops ${JSON.stringify(stops)}; reversion after 60 min mean ${f2(mean(pas.flatMap((p) => p.reverted60)))} (${pas.flatMap((p) => p.reverted60).length} measurable)\n`);
  w(`  self-trades ${pas.reduce((a, p) => a + p.selfTrades, 0)}, self-trade-prevention expiries involving price action ${pas.reduce((a, p) => a + p.stpExpired, 0)} (${pas.map((p) => p.stpSplit).join('; ')})\n`);
  const js = pas.flatMap((p, i) => p.jumpStops.map((x) => `seed ${of('ballast-pa')[i]!.seed}: ${x}`));
  w(`  buybacks running at a scheduled fundamental drop: ${js.length ? js.join('; ') : 'none'}\n`);
  const whale = (s: StrategyName) => of(s).map((r) => r.episodes.whale?.deepestPct ?? null);
  const b = whale('ballast');
  const p = whale('ballast-pa');
  const ratios = p.map((x, i) => (x !== null && b[i] !== null && b[i]! < 0 ? x / b[i]! : null)).filter((x): x is number => x !== null);
  if (ratios.length) w(`  goal: whale drawdown beyond F with / without price action ≤ ${GOAL_RATIO}×: per seed ${ratios.map((x) => x.toFixed(2)).join(', ')}; mean ${mean(ratios).toFixed(2)}×, worst ${Math.max(...ratios).toFixed(2)}× → ${Math.max(...ratios) <= GOAL_RATIO ? 'met' : 'MISSED'}\n`);
  floorLines(rows, scenario, w);
}

/** Time of day in the run (absolute times, or offsets from the start below 1e12). */
const hhmm = (t: number | null | undefined, start: number) => (t === null || t === undefined ? '—' : new Date(t >= 1e12 ? t - start : t).toISOString().slice(11, 16));

/** One line per sell-off episode of each venue, and per buyback / liquidation: when, how much, why it stopped. */
function trace(r: StrategyResult, start: number): void {
  const w = process.stdout.write.bind(process.stdout);
  for (const v of r.scorecard.venues) {
    for (const e of v.episodes) {
      w(`    ${r.strategy} ${v.venue ?? ''} ${e.label} ${hhmm(e.startMs, start)}–${hhmm(e.endMs, start)}: deepest ${f2(e.deepestPct ?? NaN)} % at ${hhmm(e.deepestAt, start)}, recovered in ${e.recoverMs === null ? '—' : (e.recoverMs / 60_000).toFixed(1)} min\n`);
    }
  }
  for (const d of r.decisions) {
    const pa = d.priceAction;
    if (!pa) continue;
    const x = pa.report;
    w(`    ${r.strategy} ${d.kind} ${hhmm(d.startedAt, start)}–${hhmm(pa.stoppedAt, start)} limit ${pa.limitPrice} arrival F ${pa.arrivalFair.toFixed(4)}: ${Number(x.filledBase).toFixed(0)} of ${Number(x.quantity).toFixed(0)} base at ${x.averagePrice ?? '—'}, ${x.stopReason ?? x.status}\n`);
  }
}

/** `ballast`, then `ballast-pa` whose only trigger is a SELL_OFF handed in `delayMin` after the whale started. */
async function oracleRuns(common: Omit<Parameters<typeof runBacktest>[0], 'strategies' | 'priceAction'>, scenario: ReturnType<typeof loadScenario>, delayMin: number): Promise<StrategyResult[]> {
  const [base] = await runBacktest({ ...common, strategies: ['ballast'], priceAction });
  const t0 = Date.parse(scenario.startTime);
  const starts = base!.scorecard.venues.flatMap((v) => v.episodes.filter((e) => e.label.startsWith('whale')).map((e) => (e.startMs >= 1e12 ? e.startMs - t0 : e.startMs)));
  if (starts.length === 0) throw new Error('oracle: no whale episode in the ballast run');
  const venueId = scenario.venues.find((v) => v.kind === 'cex')!.id;
  const never = { enter: 1e9, exit: 1e8, minDurationMs: 0, cooldownMs: 0 };
  const oracle: PriceActionRun = {
    ...priceAction,
    imbalance: { ...(priceAction.imbalance ?? {}), SELL_OFF: never },
    inject: [{ afterMs: Math.min(...starts) + delayMin * 60_000, event: { type: 'raised', venueId, kind: 'SELL_OFF', value: 99 } }],
  };
  const [pa] = await runBacktest({ ...common, strategies: ['ballast-pa'], priceAction: oracle });
  return [base!, pa!];
}

async function main(): Promise<void> {
  const config = loadConfig();
  const rows: Row[] = [];
  process.stdout.write(`price action: ${JSON.stringify(priceAction)}\n`);
  for (const name of scenarios) {
    const scenario = loadScenario(name);
    for (const seed of seeds) {
      const t0 = performance.now();
      const common = { scenario, config, seed, ...(durationMs !== undefined ? { durationMs } : {}), ...backtestHooks() };
      const rs = ORACLE_MIN === undefined ? await runBacktest({ ...common, strategies: STRATEGIES, priceAction }) : await oracleRuns(common, scenario, ORACLE_MIN);
      for (const r of rs) rows.push(rowOf(name, seed, r, scenario));
      if (WHALE_FLOOR) {
        const [b] = await runBacktest({ ...common, scenario: withoutWhale(scenario), strategies: ['ballast'], priceAction });
        const deepestPct = rowOf(name, seed, b!, scenario).episodes.whale?.deepestPct ?? null;
        floors.push({ scenario: name, seed, deepestPct });
        process.stdout.write(`  ${name} seed ${seed}: whale removed, ballast whale-window deepest ${f2(deepestPct ?? NaN)} %\n`);
      }
      if (TRACE) for (const r of rs) trace(r, Date.parse(scenario.startTime));
      const last = rows.slice(-rs.length);
      process.stdout.write(
        `  ${name} seed ${seed}: ${((performance.now() - t0) / 1000).toFixed(0)} s; whale deepest ${last.map((r) => `${r.strategy} ${f2(r.episodes.whale?.deepestPct ?? NaN)} %`).join(', ')}` +
          `; pa bought ${f2(last.find((r) => r.pa)?.pa?.boughtBase ?? NaN)} stops ${JSON.stringify(last.find((r) => r.pa)?.pa?.stops ?? {})}\n`,
      );
    }
  }
  for (const name of scenarios) table(rows, name);
}

main().catch((e: unknown) => {
  process.stderr.write(`price-action bench: ${e instanceof Error ? e.stack : String(e)}\n`);
  process.exit(1);
});
