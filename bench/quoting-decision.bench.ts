// Benchmark: quoting decision latency, from a book update to the computed order actions, on the
// real VenueQuoter code path, everything a cycle computes between a book event and its order actions:
// MarketState.updateBook → VenueQuoter's kill-switch step (own orders into MarketState, cross-venue
// fair value net of own orders over 4 venues × 5 levels, EWMA σ, PnL/inventory observation, the
// kill-switch evaluation) → VenueQuoter.decide (model → depth ladder → size jitter → caps → diff
// against the live orders, on the integer grid).
// Cases over a seeded random walk of the mid:
//   - full recompute: every update moves the mid, so the decision cache misses (live orders either
//     follow each plan, or stay the first 10 all along — the worst case, every order replaced);
//   - plan reused: the update repeats the book already held, inputs are unchanged and the cached
//     plan is returned.
// Prints p50/p90/p99/max and the p99 ratio to the 200 µs goal. Never asserts.
// Run: npx tsx bench/quoting-decision.bench.ts  (or npm run bench -- quoting)
import { D, fmt } from '../domain/money';
import type { OrderBookSnapshot } from '../domain/order-book';
import { mulberry32 } from '../domain/rng';
import type { GridAction } from '../domain/quoting/order-diff';
import { marketGrid } from '../domain/grid';
import { VirtualClock } from '../hotpath/clocks';
import type { ManagedVenue } from '../venues/managed-venue';
import type { MarketRules } from '../venues/venue.port';
import { MarketState } from '../domain/quoting/market-state';
import { StaticModeSource } from '../hotpath/mode-source';
import { VenueQuoter } from '../hotpath/venue-quoter';
import { benchQuoterConfig } from './quoter-config';

const GOAL_P99_US = 200;
const UPDATES = 20_000;
const WARMUP = 2_000;
const VENUES = ['alpha', 'bravo', 'charlie', 'delta'];
const LEVELS = 5;
const RULES: MarketRules = { symbol: 'BLST/USDT', base: 'BLST', quote: 'USDT', tickSize: '0.0001', lotSize: '1', minNotional: '5', makerFee: '0.001', takerFee: '0.002' };

const config = benchQuoterConfig({ orderAmount: '20', targetInventory: '10000', maxInventory: '20000', killInventory: '22000' });

interface FakeOrder {
  clientOrderId: string;
  side: 'buy' | 'sell';
  price: string;
  amount: string;
  filled: string;
  status: string;
}

// The quoter's venue, reduced to what start() and decide() read: rules, balances, open orders.
// No I/O happens inside the timed region (decide never calls the venue beyond openOrders()).
let live: FakeOrder[] = [];
const fakeVenue = {
  id: 'alpha',
  adapter: {},
  rules: () => Promise.resolve(RULES),
  fetchBalances: () => Promise.resolve([{ asset: 'BLST', free: '10000', used: '0', total: '10000' }, { asset: 'USDT', free: '25000', used: '0', total: '25000' }]),
  fetchOrderBook: () => Promise.resolve(book('alpha', 2.5, 0)),
  openOrders: () => live,
} as unknown as ManagedVenue;

const tick = new D(RULES.tickSize);
function book(venue: string, mid: number, at: number): OrderBookSnapshot {
  const m = new D(mid.toFixed(6)).div(tick).floor().times(tick);
  const bids = [];
  const asks = [];
  for (let i = 1; i <= LEVELS; i++) {
    bids.push({ price: fmt(m.minus(tick.times(i * 3))), amount: String(400 + i * 100) });
    asks.push({ price: fmt(m.plus(tick.times(i * 3))), amount: String(400 + i * 100) });
  }
  return { venue, market: RULES.symbol, timestamp: at, bids, asks };
}

function stats(samplesNs: number[]): { p50: number; p90: number; p99: number; max: number; mean: number } {
  const s = [...samplesNs].sort((a, b) => a - b);
  const q = (p: number) => s[Math.min(s.length - 1, Math.floor(p * s.length))]! / 1000;
  return { p50: q(0.5), p90: q(0.9), p99: q(0.99), max: s[s.length - 1]! / 1000, mean: s.reduce((a, b) => a + b, 0) / s.length / 1000 };
}

async function main(): Promise<void> {
  const clock = new VirtualClock(1_700_000_000_000);
  const market = new MarketState();
  const quoter = new VenueQuoter('alpha', config, { venue: fakeVenue, market, modes: new StaticModeSource(), clock, rng: mulberry32(3) });
  await clock.resolve(quoter.start());
  quoter.stop(); // no timers: the bench drives each step itself
  for (const v of VENUES.slice(1)) market.register(v, 'cex', '0.001');
  // VenueQuoter's kill-switch step (own orders → MarketState, fair value + EWMA σ, observation,
  // evaluation) is private; the bench calls it as its cycle does, then decide().
  const q = quoter as unknown as { checkKillSwitch(): boolean };
  const grid = marketGrid(RULES);

  // Seeded random walk of the mid (≈ 5 bp per update), each venue a little off the common mid.
  const rng = mulberry32(42);
  let mid = 2.5;
  const walk: OrderBookSnapshot[] = [];
  for (let i = 0; i < UPDATES + WARMUP; i++) {
    mid *= 1 + (rng() - 0.5) * 0.001;
    const v = VENUES[i % VENUES.length]!;
    walk.push(book(v, mid * (1 + (rng() - 0.5) * 0.0004), 0));
  }
  const t0 = clock.now();
  for (const v of VENUES) market.updateBook(v, book(v, 2.5, t0), t0);
  q.checkKillSwitch();
  // Ten resting orders from the first plan: the diff always has live orders to match against.
  const first = quoter.decide('normal')!.actions.filter((a): a is Extract<GridAction, { type: 'place' }> => a.type === 'place');
  live = first.map((a, i) => ({ clientOrderId: `bq-${i}`, side: a.side, price: grid.priceStr(a.ticks), amount: grid.amountStr(a.lots), filled: '0', status: 'open' }));

  let nextId = live.length;
  /** Runs the walk; with `follow`, each plan is executed on the live orders (cancels remove, places rest). */
  const runWalk = (follow: boolean) => {
    const full: number[] = [];
    const reused: number[] = [];
    let actions = 0;
    let hits = 0;
    for (let i = 0; i < walk.length; i++) {
      clock.runFor(1);
      const b = walk[i]!;
      const snap = { ...b, timestamp: clock.now() };
      // Full recompute: the book moved.
      let s = process.hrtime.bigint();
      market.updateBook(b.venue, snap, clock.now());
      if (q.checkKillSwitch()) throw new Error('the kill switch tripped: the bench measures quoting, not halting');
      const plan = quoter.decide('normal');
      let e = process.hrtime.bigint();
      if (i >= WARMUP) {
        full.push(Number(e - s));
        actions += plan?.actions.length ?? 0;
      }
      // Plan reused: the same book arrives again (a stream echo, or a change beyond our levels).
      s = process.hrtime.bigint();
      market.updateBook(b.venue, { ...snap }, clock.now());
      q.checkKillSwitch();
      const again = quoter.decide('normal');
      e = process.hrtime.bigint();
      if (i >= WARMUP) {
        reused.push(Number(e - s));
        if (again?.actions === plan?.actions) hits += 1;
      }
      if (follow && plan) {
        const gone = new Set(plan.actions.flatMap((a) => (a.type === 'cancel' ? [a.clientOrderId] : [])));
        live = live.filter((o) => !gone.has(o.clientOrderId));
        for (const a of plan.actions) if (a.type === 'place') live.push({ clientOrderId: `bq-${nextId++}`, side: a.side, price: grid.priceStr(a.ticks), amount: grid.amountStr(a.lots), filled: '0', status: 'open' });
      }
    }
    return { full, reused, actions, hits };
  };
  const stale = runWalk(false);
  const follow = runWalk(true);

  const fmtRow = (name: string, r: ReturnType<typeof stats>) =>
    `  ${name.padEnd(16)} p50 ${r.p50.toFixed(1).padStart(7)} µs  p90 ${r.p90.toFixed(1).padStart(7)} µs  p99 ${r.p99.toFixed(1).padStart(7)} µs  max ${r.max.toFixed(0).padStart(6)} µs  mean ${r.mean.toFixed(1)} µs  p99/goal ${(r.p99 / GOAL_P99_US).toFixed(2)}×`;
  const f = stats(follow.full);
  const r = stats(follow.reused);
  const st = stats(stale.full);
  const lines = [
    `quoting decision latency (book update → order actions), ${VENUES.length} venues × ${LEVELS} levels, pure-mm + 5-level depth ladder + 5 % size jitter + kill switch`,
    `  updates          ${UPDATES} timed (+${WARMUP} warm-up) per pass, seeded random walk of the mid (±5 bp per update)`,
    `  live orders follow the plan (each plan executed):`,
    fmtRow('full recompute', f),
    fmtRow('plan reused', r),
    `    ${(follow.actions / follow.full.length).toFixed(1)} actions per full recompute; plan reused: cache hit on ${follow.hits}/${follow.reused.length} repeats`,
    `  worst case, the same 10 live orders all along (the mid walks away: every order is replaced):`,
    fmtRow('full recompute', st),
    `    ${(stale.actions / stale.full.length).toFixed(1)} actions per full recompute`,
    `  goal p99 < ${GOAL_P99_US} µs: full recompute ${f.p99 < GOAL_P99_US ? 'met' : 'MISSED'} (${(f.p99 / GOAL_P99_US).toFixed(2)}×), plan reused ${r.p99 < GOAL_P99_US ? 'met' : 'MISSED'} (${(r.p99 / GOAL_P99_US).toFixed(2)}×), worst case ${st.p99 < GOAL_P99_US ? 'met' : 'MISSED'} (${(st.p99 / GOAL_P99_US).toFixed(2)}×)`,
  ];
  process.stdout.write(`${lines.join('\n')}\n`);
}

void main();
