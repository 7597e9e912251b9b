// Benchmark: compliance metrics (spread, depth within ±1/2/5 %) on synthetic books of several sizes.
// Prints figures; never asserts timings. Run: npm run bench -- compliance
import { performance } from 'node:perf_hooks';
import { computeBookMetrics, evaluateCompliance, bandsFor } from '../domain/compliance';
import { loadConfig } from '../config/load';
import type { SimVenueConfig } from '../domain/config.schema';
import { SyntheticBook } from '../sim/synthetic-book';

const config = loadConfig();
const venue = config.venues.find((v): v is SimVenueConfig => v.kind === 'sim');
if (!venue) throw new Error('the demo config has no sim venue');

const rows: string[] = [];
let baseUs = 0;
for (const levels of [10, 50, 100, 200]) {
  const book = new SyntheticBook({ ...venue, sim: { ...venue.sim, levels } }, () => 0).snapshot(levels);
  const bands = bandsFor(venue.requirements);
  // Warm up the JIT, then time a fixed wall-clock budget.
  for (let i = 0; i < 200; i++) computeBookMetrics(book, bands);
  let n = 0;
  const t0 = performance.now();
  while (performance.now() - t0 < 1_000) {
    const m = computeBookMetrics(book, bands);
    evaluateCompliance(m, '100000', venue.requirements);
    n++;
  }
  const ms = performance.now() - t0;
  const us = (ms * 1000) / n;
  baseUs ||= us;
  rows.push(
    `${String(levels).padStart(6)} levels/side  ${(n / (ms / 1000)).toFixed(0).padStart(8)} checks/s  ${us.toFixed(1).padStart(8)} µs/check  ${(us / baseUs).toFixed(2).padStart(6)}× the 10-level cost`,
  );
}
process.stdout.write(`compliance metrics (decimal.js, 3 depth bands, one core)\n${rows.join('\n')}\n`);
