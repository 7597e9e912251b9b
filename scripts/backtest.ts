// Backtests from the command line.
//   npm run backtest -- <scenario> [--strategies none,ballast,ballast-pa,fixed-spread,pure-mm,avellaneda-stoikov,glft] [--duration 6h]
//                       [--seed N] [--seeds N] [--config file] [--out report.html] [--json]
//     runs the scenario (a name in sim/scenarios or a file) with the same seed once per strategy ("none" = no
//     Ballast, "ballast" = the real system, "ballast-pa" = the real system with price action on: buybacks on
//     sustained selling, liquidations of what it bought back; the others = the same engine with a baseline
//     model; the default list leaves ballast-pa out), prints
//     per-venue and overall metrics, writes a self-contained HTML report with --out. --seeds N runs seeds
//     seed, seed+1, … and prints the mean and the worst seed per metric. Venues, requirements, strategy and
//     Ballast's funding come from the config (default config/demo.yaml).
//   npm run backtest -- --paper avellaneda-stoikov [--paths 1000] [--seed 20080301] [--gammas 0.01,0.1,1] [--json]
//   npm run backtest -- --paper almgren-chriss [--paths 20000] [--seed 20000101] [--lambdas 1e-9,1e-6,2e-6] [--json]
import { writeFileSync } from 'node:fs';
import { loadConfig } from '../config/load';
import { summarizeSeeds } from '../sim/backtest/aggregate';
import { backtestHooks } from '../sim/backtest/hooks';
import { formatSeedTable, formatTable, renderReport } from '../sim/backtest/report-html';
import { formatScorecard } from '../sim/backtest/scorecard-report';
import { progressBar, runBacktest, STRATEGIES, type StrategyName, type StrategyResult } from '../sim/backtest/run-backtest';
import { loadScenario } from '../sim/market/scenario-loader';
import { parseDurationMs } from '../sim/market/scenario.schema';
import { AC_PAPER_DEFAULTS, formatAcPaperTable, runAcPaper, type AcPaperConfig } from '../sim/paper/almgren-chriss-paper';
import { AS_PAPER_DEFAULTS, formatAsPaperTable, runAsPaper, type AsPaperConfig } from '../sim/paper/avellaneda-stoikov-paper';
import { option, UsageError } from './cli-args';

function positiveInt(name: string, v: string): number {
  const n = Number(v);
  if (!Number.isInteger(n) || n <= 0) throw new UsageError(`--${name}: expected a positive integer, got "${v}"`);
  return n;
}

/** A comma-separated list of numbers, each accepted by `ok`. */
function numbers(name: string, v: string, ok: (x: number) => boolean, what: string): number[] {
  return v.split(',').map((g) => {
    const x = Number(g);
    if (g.trim() === '' || !Number.isFinite(x) || !ok(x)) throw new UsageError(`--${name}: expected ${what} separated by commas, got "${g}"`);
    return x;
  });
}

function asConfig(args: string[]): AsPaperConfig {
  const c = { ...AS_PAPER_DEFAULTS };
  const paths = option(args, 'paths');
  const seed = option(args, 'seed');
  const gammas = option(args, 'gammas');
  if (paths !== undefined) c.paths = positiveInt('paths', paths);
  if (seed !== undefined) c.seed = positiveInt('seed', seed);
  if (gammas !== undefined) c.gammas = numbers('gammas', gammas, (x) => x > 0, 'positive numbers');
  return c;
}

function acConfig(args: string[]): AcPaperConfig {
  const c = { ...AC_PAPER_DEFAULTS };
  const paths = option(args, 'paths');
  const seed = option(args, 'seed');
  const lambdas = option(args, 'lambdas');
  if (paths !== undefined) c.paths = positiveInt('paths', paths);
  if (seed !== undefined) c.seed = positiveInt('seed', seed);
  if (lambdas !== undefined) c.lambdas = numbers('lambdas', lambdas, (x) => x >= 0, 'numbers ≥ 0');
  return c;
}

/** The paper experiments: name → what `--paper name` prints (a table, or JSON with --json). */
const PAPERS: Record<string, (args: string[], json: boolean) => string> = {
  'avellaneda-stoikov': (args, json) => {
    const c = asConfig(args);
    const rows = runAsPaper(c);
    return json ? `${JSON.stringify({ config: c, rows }, null, 2)}\n` : formatAsPaperTable(rows, c);
  },
  'almgren-chriss': (args, json) => {
    const c = acConfig(args);
    const res = runAcPaper(c);
    return json ? `${JSON.stringify({ config: c, ...res }, null, 2)}\n` : formatAcPaperTable(res, c);
  },
};

/** `--paper <name>`: writes the experiment's output (a UsageError names the papers when <name> is not one). */
export function runPaper(args: string[], write: (s: string) => void): number {
  const paper = option(args, 'paper') ?? '';
  const run = PAPERS[paper];
  if (!run) throw new UsageError(`no paper experiment "${paper}" (available: ${Object.keys(PAPERS).join(', ')})`);
  write(run(args, args.includes('--json')));
  return 0;
}

const VALUED = new Set(['strategies', 'duration', 'seed', 'seeds', 'config', 'out', 'paper', 'paths', 'gammas', 'lambdas', 'sample-every']);

/** The first argument that is neither an option nor an option's value. */
function positional(args: string[]): string | undefined {
  for (let i = 0; i < args.length; i++) {
    const a = args[i]!;
    if (a.startsWith('--')) {
      if (VALUED.has(a.slice(2))) i++;
      continue;
    }
    return a;
  }
  return undefined;
}

function durationOption(args: string[], name: string): number | undefined {
  const v = option(args, name);
  if (v === undefined) return undefined;
  try {
    return parseDurationMs(v);
  } catch {
    throw new UsageError(`--${name}: expected a duration like "30m", "6h", got "${v}"`);
  }
}

async function scenarioMain(name: string, args: string[]): Promise<number> {
  const list = (option(args, 'strategies') ?? 'none,ballast,fixed-spread,pure-mm,avellaneda-stoikov,glft').split(',').map((x) => x.trim());
  for (const s of list) {
    if (!(STRATEGIES as readonly string[]).includes(s)) throw new UsageError(`--strategies: unknown strategy "${s}" (available: ${STRATEGIES.join(', ')})`);
  }
  const seedArg = option(args, 'seed');
  const seedsArg = option(args, 'seeds');
  const config = loadConfig(option(args, 'config'));
  const scenario = loadScenario(name);
  const firstSeed = seedArg === undefined ? scenario.seed : positiveInt('seed', seedArg);
  const seeds = Array.from({ length: seedsArg === undefined ? 1 : positiveInt('seeds', seedsArg) }, (_, i) => firstSeed + i);
  const progress = progressBar(process.stderr);
  const perSeed: StrategyResult[][] = [];
  for (const [i, seed] of seeds.entries()) {
    perSeed.push(
      await runBacktest({
        scenario,
        config,
        strategies: [...new Set(list)] as StrategyName[],
        durationMs: durationOption(args, 'duration'),
        seed,
        sampleEveryMs: durationOption(args, 'sample-every'),
        ...backtestHooks(),
        onProgress: (f, s) => progress((i + f) / seeds.length, seeds.length > 1 ? `${s} (seed ${seed})` : s),
      }),
    );
  }
  const results = perSeed[0]!;
  const out = option(args, 'out');
  if (out !== undefined) writeFileSync(out, renderReport(`Ballast backtest: ${scenario.name}`, results, Object.fromEntries(config.venues.map((v) => [v.id, v.requirements]))));
  const json = args.includes('--json');
  if (seeds.length === 1) {
    if (json) process.stdout.write(`${JSON.stringify(results.map(jsonOf), null, 2)}\n`);
    else process.stdout.write(`${formatTable(results)}\n${results.map((r) => formatScorecard(r.scorecard)).join('\n')}`);
  } else {
    const strategies = results.map((r, k) => ({ strategy: r.strategy, seeds, wallMs: perSeed.map((rs) => rs[k]!.wallMs), summary: summarizeSeeds(perSeed.map((rs) => withCard(rs[k]!))) }));
    if (json) process.stdout.write(`${JSON.stringify({ seeds, strategies, runs: perSeed.flat().map(jsonOf) }, null, 2)}\n`);
    else process.stdout.write(formatSeedTable(strategies));
  }
  if (out !== undefined && !json) process.stdout.write(`report written to ${out}\n`);
  return 0;
}

/** A run's rows with the scorecard's overall goals beside today's overall metrics (for the seed summary). */
function withCard(r: StrategyResult): StrategyResult {
  const o = r.scorecard.overall;
  const card = { excessVolRatio: o.excessVolRatio, volVsFundamentalRatio: o.volVsFundamentalRatio, arbitrageRatio: o.arbitrage.ratio, costPerMDay: o.costPerMDay, killSwitchTrips: o.killSwitchTrips, transfers: o.transfers.count };
  return { ...r, overall: { ...r.overall, ...card } };
}

/** What `--json` prints for one run: today's keys plus the closed loop's counters. */
function jsonOf(r: StrategyResult): Record<string, unknown> {
  return {
    strategy: r.strategy,
    seed: r.seed,
    wallMs: r.wallMs,
    rows: r.rows,
    overall: r.overall,
    quotesPlaced: r.quotesPlaced,
    quoters: r.quoters,
    killSwitchTrips: r.killSwitchTrips,
    imbalances: r.imbalances.length,
    decisions: r.decisions,
    ...(r.priceActionChecks ? { priceActionChecks: r.priceActionChecks } : {}),
    ...(r.pool ? { pool: r.pool } : {}),
    transfers: Object.values(r.withdrawals).reduce((n, xs) => n + xs.length, 0),
    scorecard: r.scorecard,
  };
}

async function main(args: string[]): Promise<number> {
  if (option(args, 'paper') !== undefined) return runPaper(args, (s) => process.stdout.write(s));
  const name = positional(args);
  if (name === undefined) throw new UsageError('usage: backtest <scenario> [--strategies none,ballast,ballast-pa,…] [--duration 6h] [--seed N] [--seeds N] [--config file] [--out report.html] [--json] | --paper avellaneda-stoikov | --paper almgren-chriss');
  return await scenarioMain(name, args);
}

if (require.main === module) {
  main(process.argv.slice(2)).then(
    (code) => {
      process.exitCode = code;
    },
    (e: unknown) => {
      process.stderr.write(`backtest: ${e instanceof Error ? e.message : String(e)}\n`);
      process.exitCode = 2;
    },
  );
}
