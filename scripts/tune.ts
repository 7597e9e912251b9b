// Per-venue tuning on training seeds, reported on held-out seeds only (sim/backtest/tune.ts).
//   npm run tune -- <scenario> --train-seeds 1,2,3 --test-seeds 4,5 [--duration 6h] [--rounds 1]
//                   [--knobs halfSpreadPct,depthMargin,…] [--config config/demo.yaml] [--write] [--json]
// Each evaluation is one closed-loop `ballast` backtest (the real hot path, durable plane and pool) with
// the candidate `venues[].quoting` overrides. With --write the chosen overrides go into the config
// file (comments kept, validated), so `npm start` quotes with them.
import { loadConfig, DEFAULT_CONFIG_PATH } from '../config/load';
import { writeVenueQuoting } from '../config/write-quoting';
import type { BallastConfig, VenueQuoting } from '../domain/config.schema';
import { backtestHooks } from '../sim/backtest/hooks';
import { runBacktest } from '../sim/backtest/run-backtest';
import { DEFAULT_SPACE, tune, type Knob, type VenueScore } from '../sim/backtest/tune';
import type { Scorecard } from '../sim/backtest/scorecard-report';
import { loadScenario } from '../sim/market/scenario-loader';
import { parseDurationMs } from '../sim/market/scenario.schema';
import { option, UsageError } from './cli-args';

function seeds(args: string[], name: string): number[] {
  const v = option(args, name);
  if (v === undefined) throw new UsageError(`--${name} is required (comma-separated seeds, e.g. 1,2,3)`);
  return v.split(',').map((x) => {
    const n = Number(x);
    if (!Number.isInteger(n) || n < 0) throw new UsageError(`--${name}: expected non-negative integers, got "${x}"`);
    return n;
  });
}

const VALUED = new Set(['train-seeds', 'test-seeds', 'duration', 'rounds', 'knobs', 'config']);

function withOverrides(config: BallastConfig, overrides: Record<string, VenueQuoting>): BallastConfig {
  return { ...config, venues: config.venues.map((v) => (overrides[v.id] ? { ...v, quoting: overrides[v.id] } : v)) };
}

async function main(args: string[]): Promise<number> {
  let name: string | undefined;
  for (let i = 0; i < args.length; i++) {
    if (args[i]!.startsWith('--')) {
      if (VALUED.has(args[i]!.slice(2))) i++;
      continue;
    }
    name ??= args[i];
  }
  if (name === undefined) throw new UsageError('usage: tune <scenario> --train-seeds 1,2,3 --test-seeds 4,5 [--duration 6h] [--write]');
  const configPath = option(args, 'config') ?? DEFAULT_CONFIG_PATH;
  const config = loadConfig(configPath);
  const scenario = loadScenario(name);
  const durationArg = option(args, 'duration');
  const durationMs = durationArg === undefined ? undefined : parseDurationMs(durationArg);
  const knobsArg = option(args, 'knobs');
  const space = knobsArg === undefined ? DEFAULT_SPACE : Object.fromEntries(knobsArg.split(',').map((k) => {
    if (!(k in DEFAULT_SPACE)) throw new UsageError(`--knobs: unknown knob "${k}" (available: ${Object.keys(DEFAULT_SPACE).join(', ')})`);
    return [k, DEFAULT_SPACE[k as Knob]];
  }));
  const quoted = config.venues.filter((v) => v.kind !== 'amm' && scenario.venues.some((s) => s.id === v.id && s.kind === 'cex')).map((v) => v.id);
  const start: Record<string, VenueQuoting> = Object.fromEntries(quoted.map((id) => [id, config.venues.find((v) => v.id === id)!.quoting ?? {}]));
  let n = 0;
  // Whole-market figures of every run (overrides|seed): the held-out ones are printed beside the per-venue objective.
  const overall = new Map<string, { arbitrageQuote: number; excessVolPerStep: number | null; costPerMDay: number | null }>();
  const runKey = (overrides: Record<string, VenueQuoting>, seed: number) => `${JSON.stringify(overrides)}|${seed}`;
  const evaluate = async (overrides: Record<string, VenueQuoting>, seed: number): Promise<VenueScore[]> => {
    const t0 = performance.now();
    const [r] = await runBacktest({ scenario, config: withOverrides(config, overrides), strategies: ['ballast'], seed, ...(durationMs !== undefined ? { durationMs } : {}), ...backtestHooks() });
    process.stderr.write(`  run ${++n} (seed ${seed}) ${((performance.now() - t0) / 1000).toFixed(1)} s\n`);
    const o = r!.scorecard.overall;
    overall.set(runKey(overrides, seed), { arbitrageQuote: o.arbitrage.quote.toNumber(), excessVolPerStep: o.excessVol.perStep, costPerMDay: o.costPerMDay });
    return r!.scorecard.venues
      .filter((v) => quoted.includes(v.venue))
      .map((v) => {
        // Per-venue cost: what market making there lost (−realized PnL: spread capture against the
        // fundamental at each fill, net of fees), per $1M·day of its own ±2 % depth. Inventory PnL is
        // left out here: it is the price path, shared by every candidate on a seed.
        const realized = v.pnl ? v.pnl.realized.toNumber() : null;
        return {
          venue: v.venue,
          spreadOkPct: v.spreadOkPct,
          depthBidOkPct: v.depthBidOkPct,
          depthAskOkPct: v.depthAskOkPct,
          costPerMillionDay: realized !== null && v.ownDepthMDay > 0 ? -realized / v.ownDepthMDay : null,
          excessVolPerStep: v.excessVol.perStep,
        };
      });
  };
  const result = await tune(evaluate, {
    venues: quoted,
    start,
    trainSeeds: seeds(args, 'train-seeds'),
    testSeeds: seeds(args, 'test-seeds'),
    space,
    rounds: Number(option(args, 'rounds') ?? '1'),
    onProgress: (m) => process.stderr.write(`  better: ${m}\n`),
  });
  if (args.includes('--json')) process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
  else {
    const lines = [`tuned on seeds ${seeds(args, 'train-seeds').join(',')}, reported on held-out seeds ${seeds(args, 'test-seeds').join(',')} (${result.runs} backtests)`];
    lines.push('venue     held-out worst uptime (start → tuned)   cost per $1M·day (start → tuned)   chosen');
    for (const v of quoted) {
      const a = result.testStart[v]!;
      const b = result.test[v]!;
      const c = (x: number | null) => (x === null ? 'n/a' : x.toFixed(0));
      lines.push(`${v.padEnd(9)} ${a.uptimePct.toFixed(2).padStart(8)} % → ${b.uptimePct.toFixed(2).padStart(6)} %             ${c(a.costPerMillionDay).padStart(8)} → ${c(b.costPerMillionDay).padEnd(8)}             ${JSON.stringify(result.chosen[v])}`);
    }
    // Held-out whole-market figures against the no-market-maker run on the same seeds.
    const testSeeds = seeds(args, 'test-seeds');
    const noneRuns: Scorecard['overall'][] = [];
    for (const seed of testSeeds) {
      const [r] = await runBacktest({ scenario, config, strategies: ['none'], seed, ...(durationMs !== undefined ? { durationMs } : {}) });
      noneRuns.push(r!.scorecard.overall);
    }
    const mean = (xs: (number | null)[]) => (xs.every((x): x is number => x !== null) && xs.length ? xs.reduce((a, b) => a + b, 0) / xs.length : null);
    const held = (overrides: Record<string, VenueQuoting>) => {
      const rows = testSeeds.map((s) => overall.get(runKey(overrides, s))!);
      return {
        leakage: mean(rows.map((r, i) => r.arbitrageQuote / noneRuns[i]!.arbitrage.quote.toNumber())),
        excessVol: mean(rows.map((r, i) => (r.excessVolPerStep !== null && noneRuns[i]!.excessVol.perStep ? r.excessVolPerStep / noneRuns[i]!.excessVol.perStep : null))),
        cost: mean(rows.map((r) => r.costPerMDay)),
      };
    };
    const a = held(start);
    const b = held(result.chosen);
    const f = (x: number | null, d: number) => (x === null ? 'n/a' : x.toFixed(d));
    lines.push(
      `held-out, whole market (start → tuned): arbitrage leakage ${f(a.leakage, 3)}× → ${f(b.leakage, 3)}× the no-MM run; ` +
        `excess vol ${f(a.excessVol, 3)}× → ${f(b.excessVol, 3)}×; cost per $1M·day ${f(a.cost, 0)} → ${f(b.cost, 0)}`,
    );
    process.stdout.write(`${lines.join('\n')}\n`);
  }
  if (args.includes('--write')) {
    writeVenueQuoting(configPath, result.chosen);
    process.stdout.write(`wrote venues[].quoting to ${configPath}\n`);
  }
  return 0;
}

main(process.argv.slice(2)).then(
  (code) => (process.exitCode = code),
  (e: unknown) => {
    process.stderr.write(`tune: ${e instanceof Error ? e.message : String(e)}\n`);
    process.exitCode = e instanceof UsageError ? 2 : 1;
  },
);
