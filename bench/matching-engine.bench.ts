// Benchmark: matching-engine order operations per second on one core, against the 1,000,000/s goal.
//   (a) add + cancel of non-crossing limit orders (numeric fast path)
//   (b) a seeded mixed workload near the top of the book: adds (some crossing, partial fills),
//       cancels, market orders (numeric fast path)
//   (c) the same script as (b) through the string API (placeOrder / cancelOrder)
//   (d) the same as (b) with a market-data listener (onTrade + onBookChange)
//   (e) the same as (b) with a listener on every event (fills and order updates too)
// Scripts are generated up front from a seeded RNG so only the engine is timed. Prints figures; never
// asserts timings. Run: npx tsx bench/matching-engine.bench.ts   (or npm run bench -- matching)
import { loadavg } from 'node:os';
import { performance } from 'node:perf_hooks';
import { mulberry32 } from '../domain/rng';
import type { Clock } from '../domain/clock';
import { MatchingEngine } from '../sim/engine/matching-engine';
import type { EngineMarketConfig } from '../sim/engine/engine.types';

const GOAL = 1_000_000;
const OPS = Number(process.env.BENCH_OPS ?? 1_000_000);
const RUNS = 3;
const ACCOUNTS = 20;
const PREFILL = 10_000;
const MID = 5000; // ticks: 0.5000 USDT

const market: EngineMarketConfig = {
  symbol: 'BLST/USDT',
  base: 'BLST',
  quote: 'USDT',
  tickSize: '0.0001',
  lotSize: '1',
  minNotional: '5',
  makerFee: '0.001',
  takerFee: '0.002',
  // Coarser units than the default 8 decimals so 20 deep-pocketed accounts fit the exact range.
  baseDecimals: 4,
  quoteDecimals: 6,
};
const clock: Clock = { now: () => 1_700_000_000_000, schedule: () => () => undefined };

const K_ADD = 0;
const K_CANCEL = 1;
const K_MARKET = 2;

interface Script {
  kind: Uint8Array;
  side: Uint8Array; // 0 buy, 1 sell
  price: Int32Array; // ticks
  lots: Int32Array;
  account: Uint8Array;
  pick: Float64Array; // which live order a cancel takes, in [0, 1)
}

function script(n: number, seed: number, mixed: boolean): Script {
  const rng = mulberry32(seed);
  const s: Script = {
    kind: new Uint8Array(n),
    side: new Uint8Array(n),
    price: new Int32Array(n),
    lots: new Int32Array(n),
    account: new Uint8Array(n),
    pick: new Float64Array(n),
  };
  let mid = MID;
  for (let i = 0; i < n; i++) {
    const r = rng();
    const side = rng() < 0.5 ? 0 : 1;
    s.side[i] = side;
    s.account[i] = Math.floor(rng() * ACCOUNTS);
    s.pick[i] = rng();
    s.lots[i] = 10 + Math.floor(rng() * 290);
    if (!mixed) {
      // Alternate add / cancel; adds never cross: bids below MID, asks above, 1..100 ticks away.
      s.kind[i] = i % 2 === 0 ? K_ADD : K_CANCEL;
      const d = 1 + Math.floor(rng() * 100);
      s.price[i] = side === 0 ? MID - d : MID + d;
      continue;
    }
    if (rng() < 0.05) mid = Math.min(6000, Math.max(4000, mid + (rng() < 0.5 ? -1 : 1)));
    // Distance from the mid on the order's own side; negative = through the mid (crossing).
    const d = -3 + Math.floor(rng() * 24);
    s.price[i] = side === 0 ? mid - d : mid + d;
    s.kind[i] = r < 0.55 ? K_ADD : r < 0.9 ? K_CANCEL : K_MARKET;
    if (s.kind[i] === K_MARKET) s.lots[i] = 10 + Math.floor(rng() * 190);
  }
  return s;
}

/** A funded engine with a resting book: PREFILL non-crossing orders, 1..100 ticks from the mid (untimed). */
interface Fresh {
  e: MatchingEngine;
  resting: number[];
  owners: string[];
}

function freshEngine(): Fresh {
  const e = new MatchingEngine(market, { clock });
  for (let a = 0; a < ACCOUNTS; a++) {
    e.credit(`acct${a}`, 'BLST', '100000000');
    e.credit(`acct${a}`, 'USDT', '50000000');
  }
  const rng = mulberry32(99);
  const resting: number[] = [];
  const owners: string[] = [];
  for (let i = 0; i < PREFILL; i++) {
    const side = i % 2 === 0 ? 'buy' : 'sell';
    const d = 1 + Math.floor(rng() * 100);
    const owner = `acct${i % ACCOUNTS}`;
    const id = e.placeLimitTicks(owner, side, side === 'buy' ? MID - d : MID + d, 10 + Math.floor(rng() * 290));
    if (id > 0) {
      resting.push(id);
      owners.push(owner);
    }
  }
  return { e, resting, owners };
}

/** Live order handles; a cancel takes a random one (it may have been filled since: a no-op cancel). */
class Live<T> {
  constructor(private readonly items: T[]) {}
  add(x: T): void {
    this.items.push(x);
  }
  take(pick: number): T | undefined {
    const n = this.items.length;
    if (n === 0) return undefined;
    const i = Math.floor(pick * n);
    const x = this.items[i];
    this.items[i] = this.items[n - 1]!;
    this.items.pop();
    return x;
  }
}

const names = Array.from({ length: ACCOUNTS }, (_, a) => `acct${a}`);
const SIDES = ['buy', 'sell'] as const;

interface Timing {
  ms: number;
  /** CPU time of this process: less sensitive than wall time to other load on a shared machine. */
  cpuMs: number;
}

function startTimer(): { stop: () => Timing } {
  const t0 = performance.now();
  const c0 = process.cpuUsage();
  return {
    stop: () => {
      const c = process.cpuUsage(c0);
      return { ms: performance.now() - t0, cpuMs: (c.user + c.system) / 1000 };
    },
  };
}

function runNumeric({ e, resting }: Fresh, s: Script): Timing {
  const live = new Live<number>(resting);
  const n = s.kind.length;
  const t0 = startTimer();
  for (let i = 0; i < n; i++) {
    const k = s.kind[i];
    if (k === K_ADD) {
      const id = e.placeLimitTicks(names[s.account[i]!]!, SIDES[s.side[i]!]!, s.price[i]!, s.lots[i]!);
      if (id > 0) live.add(id);
    } else if (k === K_CANCEL) {
      const id = live.take(s.pick[i]!);
      if (id !== undefined) e.cancelById(id);
    } else {
      e.placeMarketLots(names[s.account[i]!]!, SIDES[s.side[i]!]!, s.lots[i]!);
    }
  }
  return t0.stop();
}

/** The decimal strings a caller would send (made up front: formatting them is the caller's cost). */
interface StringScript {
  price: string[];
  amount: string[];
}

function stringScript({ e }: Fresh, s: Script): StringScript {
  const out: StringScript = { price: [], amount: [] };
  for (let i = 0; i < s.kind.length; i++) {
    out.price.push(e.ticksToPrice(s.price[i]!));
    out.amount.push(e.lotsToAmount(s.lots[i]!));
  }
  return out;
}

function runStrings({ e, resting, owners }: Fresh, s: Script, strs: StringScript): Timing {
  const live = new Live(resting.map((no, i) => ({ account: owners[i]!, orderId: e.orderIdOf(no) })));
  const n = s.kind.length;
  const t0 = startTimer();
  for (let i = 0; i < n; i++) {
    const k = s.kind[i];
    if (k === K_CANCEL) {
      const ref = live.take(s.pick[i]!);
      if (ref !== undefined) e.cancelOrder(ref.account, { orderId: ref.orderId });
      continue;
    }
    // A fresh input object per call, as a caller parsing a request would make.
    const account = names[s.account[i]!]!;
    const side = SIDES[s.side[i]!]!;
    const r =
      k === K_ADD
        ? e.placeOrder({ account, side, type: 'limit', price: strs.price[i]!, amount: strs.amount[i]! })
        : e.placeOrder({ account, side, type: 'market', amount: strs.amount[i]! });
    // Like the numeric run: every accepted limit order is a cancel candidate (filled ones cancel as no-ops).
    if (r.ok && k === K_ADD) live.add({ account, orderId: r.order.orderId });
  }
  return t0.stop();
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)]!;
}

/** Wall-clock ops/s (median and best of RUNS) and ops per CPU-second (less sensitive to other load). */
function measure(label: string, once: () => { time: Timing; ops: number; trades: number }): string {
  once(); // warm-up run (JIT)
  const rates: number[] = [];
  const cpuRates: number[] = [];
  let trades = 0;
  for (let r = 0; r < RUNS; r++) {
    const { time, ops, trades: t } = once();
    rates.push(ops / (time.ms / 1000));
    cpuRates.push(ops / (time.cpuMs / 1000));
    trades = t;
  }
  const med = median(rates);
  const row = [
    label.padEnd(46),
    `${med.toFixed(0).padStart(9)} ops/s`,
    `best ${Math.max(...rates).toFixed(0).padStart(9)}`,
    `cpu ${median(cpuRates).toFixed(0).padStart(9)}`,
    `${(med / GOAL).toFixed(2).padStart(5)}× goal`,
    `${String(trades).padStart(7)} trades`,
  ];
  return row.join('  ');
}

function tradesOf(e: MatchingEngine): number {
  const last = e.recentTrades(1)[0];
  return last === undefined ? 0 : Number(last.tradeId.split('-t-')[1]);
}

const addCancel = script(OPS, 1, false);
const mixed = script(OPS, 2, true);
const mixedStrings = stringScript(freshEngine(), mixed);
const lines = [
  measure('(a) add + cancel, non-crossing (numeric)', () => {
    const f = freshEngine();
    return { time: runNumeric(f, addCancel), ops: OPS, trades: tradesOf(f.e) };
  }),
  measure('(b) mixed: add/cancel/cross/market (numeric)', () => {
    const f = freshEngine();
    return { time: runNumeric(f, mixed), ops: OPS, trades: tradesOf(f.e) };
  }),
  measure('(c) same mixed script, string API', () => {
    const f = freshEngine();
    return { time: runStrings(f, mixed, mixedStrings), ops: OPS, trades: tradesOf(f.e) };
  }),
  measure('(d) (b) + market-data listener (trades, book)', () => {
    const f = freshEngine();
    let events = 0;
    const count = () => {
      events++;
    };
    f.e.subscribe({ onTrade: count, onBookChange: count });
    const time = runNumeric(f, mixed);
    if (events === 0) throw new Error('listener saw no events');
    return { time, ops: OPS, trades: tradesOf(f.e) };
  }),
  measure('(e) (b) + listener on every event', () => {
    const f = freshEngine();
    let events = 0;
    const count = () => {
      events++;
    };
    f.e.subscribe({ onTrade: count, onFill: count, onOrderUpdate: count, onBookChange: count });
    const time = runNumeric(f, mixed);
    if (events === 0) throw new Error('listener saw no events');
    return { time, ops: OPS, trades: tradesOf(f.e) };
  }),
];

// The numeric and string paths share one core: the same script must end in the same state.
const fn = freshEngine();
runNumeric(fn, mixed);
const fs = freshEngine();
runStrings(fs, mixed, mixedStrings);
const en = fn.e;
const es = fs.e;
const same = JSON.stringify(en.book(1_000_000)) === JSON.stringify(es.book(1_000_000)) && tradesOf(en) === tradesOf(es);
const resting = en.book(1_000_000);

process.stdout.write(
  `matching engine (one market, ${OPS} ops per run, median of ${RUNS} after a warm-up, goal ${GOAL} ops/s, node ${process.version}, ` +
    `load average ${loadavg()[0]!.toFixed(1)} on this machine)\n` +
    `${lines.join('\n')}\n` +
    `mixed script: ${resting.bids.length} bid / ${resting.asks.length} ask levels at the end; numeric and string paths end identical: ${same ? 'yes' : 'NO'}\n`,
);
