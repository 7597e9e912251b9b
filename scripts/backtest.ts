// Backtests from the command line.
//   npm run backtest -- <scenario> [--strategies none,fixed-spread,pure-mm,avellaneda-stoikov,glft] [--duration 6h] [--seed N] [--out report.html] [--json]
//     runs the scenario (a name in sim/scenarios or a file) with the same seed once per strategy ("none" = no
//     market maker), prints per-venue and overall metrics, writes a self-contained HTML report with --out.
//     Venue requirements come from config/demo.yaml (by venue id).
//   npm run backtest -- --paper avellaneda-stoikov [--paths 1000] [--seed 20080301] [--gammas 0.01,0.1,1] [--json]
import { writeFileSync } from 'node:fs';
import { loadConfig } from '../config/load';
import type { VenueRequirements } from '../domain/compliance';
import { formatTable, renderReport } from '../sim/backtest/report-html';
import { progressBar, runBacktest, STRATEGIES, type StrategyName } from '../sim/backtest/run-backtest';
import { loadScenario } from '../sim/market/scenario-loader';
import { parseDurationMs } from '../sim/market/scenario.schema';
import { AS_PAPER_DEFAULTS, formatAsPaperTable, runAsPaper, type AsPaperConfig } from '../sim/paper/avellaneda-stoikov-paper';

const PAPERS = ['avellaneda-stoikov'];

class UsageError extends Error {}

function option(args: string[], name: string): string | undefined {
  const i = args.indexOf(`--${name}`);
  if (i < 0) return undefined;
  const v = args[i + 1];
  if (v === undefined || v.startsWith('--')) throw new UsageError(`--${name} needs a value`);
  return v;
}

function positiveInt(name: string, v: string): number {
  const n = Number(v);
  if (!Number.isInteger(n) || n <= 0) throw new UsageError(`--${name}: expected a positive integer, got "${v}"`);
  return n;
}

function config(args: string[]): AsPaperConfig {
  const c = { ...AS_PAPER_DEFAULTS };
  const paths = option(args, 'paths');
  const seed = option(args, 'seed');
  const gammas = option(args, 'gammas');
  if (paths !== undefined) c.paths = positiveInt('paths', paths);
  if (seed !== undefined) c.seed = positiveInt('seed', seed);
  if (gammas !== undefined) {
    c.gammas = gammas.split(',').map((g) => {
      const x = Number(g);
      if (!Number.isFinite(x) || x <= 0) throw new UsageError(`--gammas: expected positive numbers separated by commas, got "${g}"`);
      return x;
    });
  }
  return c;
}

const VALUED = new Set(['strategies', 'duration', 'seed', 'out', 'paper', 'paths', 'gammas', 'sample-every']);

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

function scenarioMain(name: string, args: string[]): number {
  const list = (option(args, 'strategies') ?? 'none,fixed-spread,pure-mm,avellaneda-stoikov,glft').split(',').map((x) => x.trim());
  for (const s of list) {
    if (!(STRATEGIES as readonly string[]).includes(s)) throw new UsageError(`--strategies: unknown strategy "${s}" (available: ${STRATEGIES.join(', ')})`);
  }
  const seed = option(args, 'seed');
  const requirements: Record<string, VenueRequirements> = {};
  for (const v of loadConfig().venues) requirements[v.id] = v.requirements;
  const scenario = loadScenario(name);
  const results = runBacktest({
    scenario,
    strategies: [...new Set(list)] as StrategyName[],
    durationMs: durationOption(args, 'duration'),
    seed: seed === undefined ? undefined : positiveInt('seed', seed),
    sampleEveryMs: durationOption(args, 'sample-every'),
    requirements,
    onProgress: progressBar(process.stderr),
  });
  const out = option(args, 'out');
  if (out !== undefined) writeFileSync(out, renderReport(`Ballast backtest: ${scenario.name}`, results));
  if (args.includes('--json')) {
    process.stdout.write(`${JSON.stringify(results.map((r) => ({ strategy: r.strategy, wallMs: r.wallMs, rows: r.rows, overall: r.overall })), null, 2)}\n`);
  } else {
    process.stdout.write(formatTable(results));
    if (out !== undefined) process.stdout.write(`report written to ${out}\n`);
  }
  return 0;
}

function main(args: string[]): number {
  const paper = option(args, 'paper');
  if (paper === undefined) {
    const name = positional(args);
    if (name === undefined) throw new UsageError('usage: backtest <scenario> [--strategies a,b] [--duration 6h] [--seed N] [--out report.html] | --paper avellaneda-stoikov');
    return scenarioMain(name, args);
  }
  if (!PAPERS.includes(paper)) {
    process.stderr.write(`no paper experiment "${paper}" (available: ${PAPERS.join(', ')})\n`);
    return 2;
  }
  const c = config(args);
  const rows = runAsPaper(c);
  process.stdout.write(args.includes('--json') ? `${JSON.stringify({ config: c, rows }, null, 2)}\n` : formatAsPaperTable(rows, c));
  return 0;
}

try {
  process.exitCode = main(process.argv.slice(2));
} catch (e) {
  process.stderr.write(`backtest: ${e instanceof Error ? e.message : String(e)}\n`);
  process.exitCode = 2;
}
