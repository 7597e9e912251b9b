// Runs a market scenario from the command line and prints its summary.
//   npx tsx sim/market/run-scenario.ts demo [--duration 1h] [--seed 7] [--real] [--json]
// Virtual time by default (as fast as possible); --real runs on wall time (the live demo clock).
import { RealClock, VirtualClock } from '../../hotpath/clocks';
import { parseDurationMs } from './scenario.schema';
import { loadScenario } from './scenario-loader';
import { ScenarioRunner } from './scenario-runner';
import type { RunSummary } from './run-summary';

function option(args: string[], name: string): string | undefined {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? args[i + 1] : undefined;
}

function text(s: RunSummary, wallMs: number): string {
  const lines = [
    `${s.scenario} seed ${s.seed}: ${(s.simulatedMs / 3_600_000).toFixed(2)} h simulated in ${(wallMs / 1000).toFixed(2)} s, ${s.events} events, hash ${s.eventHash.slice(0, 16)}`,
    `fundamental ${s.fundamental.initial} → ${s.fundamental.final.toFixed(5)} (min ${s.fundamental.min.toFixed(5)}, max ${s.fundamental.max.toFixed(5)})`,
    ...Object.entries(s.venues).map(([id, v]) => `  ${id.padEnd(10)} ${v.kind} ${String(v.trades).padStart(7)} trades ${v.volumeQuote.padStart(16)} quote, mid ${v.finalMid?.toFixed(5) ?? '-'}`),
    ...s.agents.map((a) => `  ${a.id.padEnd(14)} ${a.kind.padEnd(9)} ${String(a.trades).padStart(6)} trades  pnl ${a.pnlQuote}`),
    `arbitrage ${s.arbitrage.executed} trades, realized ${s.arbitrage.realizedProfitQuote} (gas ${s.arbitrage.gasQuote})`,
  ];
  return `${lines.join('\n')}\n`;
}

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  const name = args.find((a, i) => !a.startsWith('--') && !args[i - 1]?.startsWith('--')) ?? 'demo';
  const scenario = loadScenario(name);
  const duration = option(args, 'duration');
  const seed = option(args, 'seed');
  const run = { ...scenario, ...(duration ? { duration: parseDurationMs(duration) } : {}) };
  const real = args.includes('--real');
  const clock = real ? new RealClock() : new VirtualClock(Date.parse(run.startTime));
  const runner = new ScenarioRunner(run, { clock, ...(seed ? { seed: Number(seed) } : {}) });
  // RealClock timers are unref'd: keep the process alive until the run ends.
  const keepAlive = real ? setInterval(() => undefined, 1000) : undefined;
  const t0 = performance.now();
  const summary = await runner.run();
  clearInterval(keepAlive);
  if (real) (clock as RealClock).stop();
  process.stdout.write(args.includes('--json') ? `${JSON.stringify(summary, null, 2)}\n` : text(summary, performance.now() - t0));
}

main().catch((e: unknown) => {
  process.stderr.write(`${e instanceof Error ? e.message : String(e)}\n`);
  process.exit(2);
});
