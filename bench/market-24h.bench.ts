// Benchmark: 24 simulated hours of sim/scenarios/stress-24h.yaml (3 CEX + 1 AMM, every agent type,
// a whale sell-off and a scheduled jump) in virtual time on the real matching engines and the exact
// V2 pool. Prints wall time, simulated time, event count, events/s and the ratio to the 60 s goal.
// Never asserts. Run: npx tsx bench/market-24h.bench.ts  (or npm run bench -- market)
import { performance } from 'node:perf_hooks';
import { loadScenario } from '../sim/market/scenario-loader';
import { ScenarioRunner } from '../sim/market/scenario-runner';

const GOAL_MS = 60_000;

const scenario = loadScenario('stress-24h');
const heapBefore = process.memoryUsage().heapUsed;
const t0 = performance.now();
const runner = ScenarioRunner.virtual(scenario);
const summary = runner.runVirtual();
const wallMs = performance.now() - t0;
const heapAfter = process.memoryUsage().heapUsed;

const hours = summary.simulatedMs / 3_600_000;
const venues = Object.entries(summary.venues)
  .map(([id, v]) => `    ${id.padEnd(8)} ${v.kind}  ${String(v.trades).padStart(7)} trades  ${Number(v.volumeQuote).toFixed(0).padStart(10)} quote volume  final mid ${v.finalMid?.toFixed(5) ?? '-'}`)
  .join('\n');
const lines = [
  `market scenario ${summary.scenario} (seed ${summary.seed}), virtual time, one core`,
  `  simulated time     ${hours.toFixed(1)} h`,
  `  wall time          ${(wallMs / 1000).toFixed(2)} s   (${(summary.simulatedMs / wallMs).toFixed(0)}× real time)`,
  `  events (log)       ${summary.events}   clock callbacks ${summary.timerEvents}`,
  `  events/s           ${(summary.events / (wallMs / 1000)).toFixed(0)}   clock callbacks/s ${(summary.timerEvents / (wallMs / 1000)).toFixed(0)}`,
  `  vs the 60 s goal   ${(wallMs / GOAL_MS).toFixed(3)}× (wall / goal; below 1 meets it)`,
  `  heap growth        ${((heapAfter - heapBefore) / 1e6).toFixed(0)} MB`,
  `  fundamental        ${summary.fundamental.initial} → ${summary.fundamental.final.toFixed(5)} (min ${summary.fundamental.min.toFixed(5)}, max ${summary.fundamental.max.toFixed(5)})`,
  venues,
  `  arbitrage          ${summary.arbitrage.executed} trades, realized ${summary.arbitrage.realizedProfitQuote} quote (expected ${summary.arbitrage.expectedProfitQuote}, worst ${summary.arbitrage.worstRealizedQuote ?? '-'})`,
  `  event hash         ${summary.eventHash}`,
];
process.stdout.write(`${lines.join('\n')}\n`);
