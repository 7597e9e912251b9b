// Benchmark: the price-action planner's decision time per slice (issue 10), on the pure domain
// functions a buyback step runs between a market snapshot and its child orders:
//   depth in the ±2 % band (3 CEX books + the pool's curve) → estimateImpact → the Almgren–Chriss
//   schedule of what is left, jittered (jitteredSchedule → acSlices → acTrajectory) → followingPrice per
//   venue → participationRoom → routeSlice over 3 books × 20 levels + a constant-product pool.
// Re-planning the whole remaining schedule at every slice is an upper bound (the executor plans once
// at the start); it is timed so the figure covers either way. Inputs: 1,000 snapshots from a seeded
// random walk of the mid (built before timing), cycled; the slice walks a 120-slice (2 h × 60 s) plan.
// Two routing cases:
//   - following price: the route's limit is the never-lead price (max of last independent trade and
//     best bid per venue), so only the asks at or under the last trade are eligible (the usual case);
//   - hard limit: the route may take every level under the buyback's limit (all 60 levels sorted:
//     the worst case for routeSlice).
// Prints p50/p99/mean µs per decision, decisions/s, and each step's mean. Never asserts.
// Run: npx tsx bench/price-action-planner.bench.ts  (or npm run bench -- price-action)
import { estimateImpact, followingPrice, jitteredSchedule, participationRoom } from '../domain/price-action/execution-schedule';
import { routeSlice, type CexSource, type PoolSource } from '../domain/price-action/route';
import { mulberry32 } from '../domain/rng';

const DECISIONS = 50_000;
const WARMUP = 5_000;
const SNAPSHOTS = 1_000;
const VENUES = ['alpha', 'bravo', 'charlie'];
const LEVELS = 20;
const SLICES = 120;
const INTERVAL_SEC = 60;
const TOTAL = 200_000;
const BAND = 0.02;
const HARD_LIMIT = 3;

interface Snapshot {
  mid: number;
  asks: CexSource[];
  bestBid: number[];
  lastTrade: number[];
  pool: PoolSource;
  othersVolume: number;
  volumePerSec: number;
}

function snapshots(): Snapshot[] {
  const rng = mulberry32(11);
  let mid = 2.5;
  const out: Snapshot[] = [];
  for (let i = 0; i < SNAPSHOTS; i++) {
    mid *= 1 + (rng() - 0.5) * 0.002;
    const asks = VENUES.map((venue, v) => {
      const m = mid * (1 + (rng() - 0.5) * 0.001);
      const levels = Array.from({ length: LEVELS }, (_, l) => ({ price: m * (1 + 0.0005 + l * 0.001), amount: 500 + 400 * l + Math.floor(rng() * 300) }));
      return { venue, takerFee: [0.001, 0.002, 0.001][v]!, levels };
    });
    out.push({
      mid,
      asks,
      bestBid: asks.map((a) => a.levels[0]!.price * (1 - 0.002)),
      // Last independent trade within ±0.4 % of the mid: 0–4 of a venue's ask levels under it.
      lastTrade: asks.map(() => mid * (1 + (rng() - 0.5) * 0.008)),
      pool: { venue: 'uniswap', reserveBase: 400_000 * (1 + (rng() - 0.5) * 0.02), reserveQuote: 400_000 * mid, fee: 0.003 },
      othersVolume: 20_000 + rng() * 20_000,
      volumePerSec: 30 + rng() * 30,
    });
  }
  return out;
}

/** Base on the ask side within +BAND of the mid: the books' levels and the pool's curve. */
function depthInBand(s: Snapshot): number {
  let d = 0;
  const top = s.mid * (1 + BAND);
  for (const b of s.asks) for (const l of b.levels) if (l.price <= top) d += l.amount;
  return d + s.pool.reserveBase * (1 - 1 / Math.sqrt(1 + BAND));
}

type Step = 'depth + impact' | 'schedule' | 'following price' | 'participation' | 'route';

/** One decision for slice i; `times` (when given) gets each step's ns. Returns the base routed. */
function decide(s: Snapshot, i: number, hardLimit: boolean, times?: Record<Step, number>): number {
  let t = times ? process.hrtime.bigint() : 0n;
  const lap = (step: Step) => {
    if (!times) return;
    const now = process.hrtime.bigint();
    times[step] += Number(now - t);
    t = now;
  };
  const impact = estimateImpact({ mid: s.mid, depthBase: depthInBand(s), bandFraction: BAND, volumeBasePerSec: s.volumePerSec });
  lap('depth + impact');
  const k = i % SLICES;
  const left = (TOTAL * (SLICES - k)) / SLICES;
  const plan = jitteredSchedule(
    { total: left, slices: SLICES - k, intervalSec: INTERVAL_SEC, lambda: 1e-4, sigma: s.mid * 0.0004, eta: impact.eta, gamma: impact.gamma },
    { sizePct: 25, timePct: 25 },
    mulberry32(1000 + i),
  );
  lap('schedule');
  let ref = 0;
  for (let v = 0; v < VENUES.length; v++) {
    const px = followingPrice('buy', { limit: HARD_LIMIT, lastIndependentTrade: s.lastTrade[v]!, bestIndependentBid: s.bestBid[v]! });
    if (px !== undefined && px > ref) ref = px;
  }
  lap('following price');
  const room = participationRoom({ capPct: 10, othersVolume: s.othersVolume, oursVolume: 1_500 });
  lap('participation');
  const amount = Math.min(plan[0]!.amount, room);
  const route = amount > 0 ? routeSlice({ side: 'buy', amount, limit: hardLimit ? HARD_LIMIT : Math.min(HARD_LIMIT, ref), cex: s.asks, pool: s.pool }) : undefined;
  lap('route');
  return route?.filled ?? 0;
}

function quantiles(ns: Float64Array): { p50: number; p99: number; max: number; mean: number } {
  const s = Float64Array.from(ns).sort();
  const q = (p: number) => s[Math.min(s.length - 1, Math.floor(p * s.length))]! / 1000;
  return { p50: q(0.5), p99: q(0.99), max: s[s.length - 1]! / 1000, mean: s.reduce((a, b) => a + b, 0) / s.length / 1000 };
}

function run(snaps: Snapshot[], hardLimit: boolean): string[] {
  let routed = 0;
  for (let i = 0; i < WARMUP; i++) routed += decide(snaps[i % SNAPSHOTS]!, i, hardLimit);
  const ns = new Float64Array(DECISIONS);
  const wall = process.hrtime.bigint();
  for (let i = 0; i < DECISIONS; i++) {
    const s = process.hrtime.bigint();
    routed += decide(snaps[i % SNAPSHOTS]!, i, hardLimit);
    ns[i] = Number(process.hrtime.bigint() - s);
  }
  const wallSec = Number(process.hrtime.bigint() - wall) / 1e9;
  const times: Record<Step, number> = { 'depth + impact': 0, schedule: 0, 'following price': 0, participation: 0, route: 0 };
  for (let i = 0; i < DECISIONS; i++) routed += decide(snaps[i % SNAPSHOTS]!, i, hardLimit, times);
  const r = quantiles(ns);
  const f = (x: number) => x.toFixed(1).padStart(6);
  return [
    `  ${hardLimit ? 'hard limit' : 'following price'}: p50 ${f(r.p50)} µs  p99 ${f(r.p99)} µs  max ${r.max.toFixed(0).padStart(5)} µs  mean ${f(r.mean)} µs  ${Math.round(DECISIONS / wallSec).toLocaleString('en-US')} decisions/s`,
    `    step means (µs): ${Object.entries(times)
      .map(([k, v]) => `${k} ${(v / DECISIONS / 1000).toFixed(2)}`)
      .join(', ')}  (checksum ${Math.round(routed)})`,
  ];
}

function main(): void {
  const snaps = snapshots();
  const lines = [
    `price-action planner decision per slice: ${VENUES.length} CEX books × ${LEVELS} levels + 1 pool, ${SLICES}-slice A-C schedule re-planned each slice, ${DECISIONS} decisions timed (+${WARMUP} warm-up), one core`,
    ...run(snaps, false),
    ...run(snaps, true),
  ];
  process.stdout.write(`${lines.join('\n')}\n`);
}

main();
