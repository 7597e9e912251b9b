// Seeded random workloads: after every operation every asset's total over all accounts (fee account
// included) is exactly what was credited, no account trades with itself, the book is never crossed,
// and locked balances equal the holds of open orders. Also: the string API and the numeric fast path
// give identical results for the same script.
import { mulberry32, type Rng } from '../../domain/rng';
import type { MatchingEngine } from '../../sim/engine/matching-engine';
import type { EngineMarketConfig, PlaceOrderInput, Side } from '../../sim/engine/engine.types';
import { setup } from './matching-engine-helpers';

const ACCOUNTS = ['a0', 'a1', 'a2', 'a3', 'a4', 'a5'];
const GARBAGE: unknown[] = ['abc', '-1', '1e5', '', ' 1', '0', '1.234567', null, 12, {}, 'NaN'];

/** A decimal string as exact integer units of 1e-8 (the engine's default asset precision). */
function units(s: string): bigint {
  const neg = s.startsWith('-');
  const [int, frac = ''] = (neg ? s.slice(1) : s).split('.');
  const v = BigInt(int! + frac.padEnd(8, '0'));
  return neg ? -v : v;
}

const pick = <T>(rng: Rng, xs: readonly T[]): T => xs[Math.floor(rng() * xs.length)]!;
const int = (rng: Rng, lo: number, hi: number): number => lo + Math.floor(rng() * (hi - lo + 1));

interface Ref {
  account: string;
  orderId: string;
  clientOrderId?: string;
}

function checkInvariants(e: MatchingEngine, expected: Record<string, bigint>, where: string): void {
  const totals: Record<string, bigint> = { BLST: 0n, USDT: 0n };
  for (const account of [...ACCOUNTS, e.feeAccount]) {
    for (const b of e.balances(account)) {
      totals[b.asset] = (totals[b.asset] ?? 0n) + units(b.free) + units(b.locked);
      if (units(b.free) < 0n || units(b.locked) < 0n) throw new Error(`${where}: negative ${b.asset} balance of ${account}`);
    }
  }
  for (const asset of ['BLST', 'USDT']) {
    if (totals[asset] !== expected[asset]) throw new Error(`${where}: ${asset} total ${totals[asset]} != ${expected[asset]}`);
  }
  const bid = e.bestBid();
  const ask = e.bestAsk();
  if (bid !== undefined && ask !== undefined && units(bid) >= units(ask)) throw new Error(`${where}: crossed book ${bid} >= ${ask}`);
}

/** Locked = Σ holds of open orders: price × remaining quote for buys, remaining base for sells. */
function checkHolds(e: MatchingEngine, where: string): void {
  for (const account of ACCOUNTS) {
    let base = 0n;
    let quote = 0n;
    for (const o of e.openOrders(account)) {
      const rem = units(o.amount) - units(o.filled);
      if (o.side === 'sell') base += rem;
      else quote += (units(o.price!) * rem) / 100_000_000n;
    }
    const bal = Object.fromEntries(e.balances(account).map((b) => [b.asset, units(b.locked)]));
    if (bal.BLST !== base || bal.USDT !== quote) throw new Error(`${where}: ${account} locked ${bal.BLST}/${bal.USDT}, open orders hold ${base}/${quote}`);
  }
}

function randomWorkload(mode: NonNullable<EngineMarketConfig['selfTradePrevention']>, seed: number, ops: number) {
  const { e, clock } = setup({ selfTradePrevention: mode });
  const rng = mulberry32(seed);
  const expected: Record<string, bigint> = { BLST: 0n, USDT: 0n };
  const credit = (account: string, asset: string, amount: string) => {
    e.credit(account, asset, amount);
    expected[asset]! += units(amount);
  };
  for (const a of ACCOUNTS) {
    credit(a, 'BLST', '500');
    credit(a, 'USDT', '5000');
  }
  const selfTrades: string[] = [];
  e.subscribe({ onTrade: (t) => t.makerAccount === t.takerAccount && selfTrades.push(t.tradeId) });
  const refs: Ref[] = [];
  let mid = 1000; // ticks: 10.00
  const counts = { accepted: 0, rejected: 0, fills: 0 };

  for (let i = 0; i < ops; i++) {
    clock.t += int(rng, 0, 3);
    if (rng() < 0.05) mid = Math.max(900, Math.min(1100, mid + (rng() < 0.5 ? -1 : 1)));
    const account = pick(rng, ACCOUNTS);
    const side: Side = rng() < 0.5 ? 'buy' : 'sell';
    const r = rng();
    if (r < 0.45 || (r >= 0.88 && r < 0.93)) {
      const ticks = side === 'buy' ? mid - int(rng, -6, 20) : mid + int(rng, -6, 20);
      const lots = int(rng, 1, 60);
      const tif = pick(rng, ['GTC', 'GTC', 'GTC', 'GTC', 'IOC', 'FOK'] as const);
      const postOnly = rng() < 0.1;
      const clientOrderId = rng() < 0.3 ? `c${int(rng, 0, 15)}` : undefined;
      if (r < 0.45) {
        const input: PlaceOrderInput = { account, side, type: 'limit', price: e.ticksToPrice(ticks), amount: e.lotsToAmount(lots), timeInForce: tif, postOnly, clientOrderId };
        const res = e.placeOrder(input);
        if (res.ok) {
          counts.accepted++;
          counts.fills += res.fills.length;
          refs.push({ account, orderId: res.order.orderId, clientOrderId });
        } else counts.rejected++;
      } else {
        const flags = (postOnly ? 1 : 0) | (tif === 'IOC' ? 2 : tif === 'FOK' ? 4 : 0);
        const no = e.placeLimitTicks(account, side, ticks, lots, flags);
        if (no > 0) refs.push({ account, orderId: e.orderIdOf(no) });
      }
    } else if (r < 0.55) {
      const res = e.placeOrder({ account, side, type: 'market', amount: e.lotsToAmount(int(rng, 1, 40)), timeInForce: rng() < 0.2 ? 'FOK' : 'IOC' });
      if (res.ok) counts.fills += res.fills.length;
    } else if (r < 0.85) {
      if (refs.length > 0) {
        const ref = refs.splice(Math.floor(rng() * refs.length), 1)[0]!;
        e.cancelOrder(ref.account, rng() < 0.5 || ref.clientOrderId === undefined ? { orderId: ref.orderId } : { clientOrderId: ref.clientOrderId });
      }
    } else if (r < 0.88) {
      e.cancelAll(account);
    } else if (r < 0.96) {
      const res = e.placeOrder({ account, side, type: 'limit', price: pick(rng, GARBAGE), amount: pick(rng, GARBAGE) } as PlaceOrderInput);
      if (res.ok) throw new Error(`garbage accepted at op ${i}`);
    } else if (r < 0.98) {
      // A withdrawal hold that is released again, and a deposit: totals move only by the deposit.
      const free = e.balances(account).find((b) => b.asset === 'USDT')!.free;
      if (units(free) >= units('1')) {
        e.hold(account, 'USDT', '1');
        e.release(account, 'USDT', '1');
      }
      credit(account, pick(rng, ['BLST', 'USDT']), `${int(rng, 1, 50)}.${int(rng, 0, 99)}`);
    } else {
      clock.t += 1; // idle
    }
    checkInvariants(e, expected, `${mode} op ${i}`);
    if (i % 50 === 0) checkHolds(e, `${mode} op ${i}`);
  }
  checkHolds(e, `${mode} end`);
  return { e, selfTrades, counts };
}

describe.each(['expire_maker', 'expire_taker', 'expire_both'] as const)('seeded random workload, STP %s', (mode) => {
  it('conserves every asset exactly, never self-trades, never crosses, holds match open orders', () => {
    const { e, selfTrades, counts } = randomWorkload(mode, 7, 10_000);
    expect(selfTrades).toEqual([]);
    expect(e.recentTrades(10_000).filter((t) => t.makerAccount === t.takerAccount)).toEqual([]);
    // The workload must actually exercise matching, not just rest and cancel.
    expect(counts.accepted).toBeGreaterThan(2_000);
    expect(counts.rejected).toBeGreaterThan(10);
    expect(counts.fills).toBeGreaterThan(1_000);
    expect(e.book(1).sequence).toBeGreaterThan(3_000);
    const fees = e.balances(e.feeAccount);
    expect(fees.every((b) => units(b.free) > 0n)).toBe(true);
  });
});

describe('string API and numeric fast path', () => {
  it('give identical books, balances and trades for the same seeded script', () => {
    const a = setup().e;
    const b = setup().e;
    for (const e of [a, b]) for (const acct of ACCOUNTS) {
      e.credit(acct, 'BLST', '300');
      e.credit(acct, 'USDT', '3000');
    }
    const rng = mulberry32(99);
    const liveA: { account: string; orderId: string }[] = [];
    const liveB: number[] = [];
    for (let i = 0; i < 4_000; i++) {
      const account = pick(rng, ACCOUNTS);
      const side: Side = rng() < 0.5 ? 'buy' : 'sell';
      const r = rng();
      const lots = int(rng, 1, 50);
      const ticks = side === 'buy' ? 1000 - int(rng, -5, 15) : 1000 + int(rng, -5, 15);
      const k = rng();
      if (r < 0.55) {
        const ra = a.placeOrder({ account, side, type: 'limit', price: a.ticksToPrice(ticks), amount: a.lotsToAmount(lots) });
        const rb = b.placeLimitTicks(account, side, ticks, lots);
        expect(ra.ok ? ra.order.orderId : ra.reason).toBe(rb > 0 ? b.orderIdOf(rb) : b.rejectReason(rb));
        if (ra.ok) liveA.push({ account, orderId: ra.order.orderId });
        if (rb > 0) liveB.push(rb);
      } else if (r < 0.65) {
        const ra = a.placeOrder({ account, side, type: 'market', amount: a.lotsToAmount(lots) });
        const rb = b.placeMarketLots(account, side, lots);
        expect(ra.ok ? ra.order.orderId : ra.reason).toBe(rb > 0 ? b.orderIdOf(rb) : b.rejectReason(rb));
      } else if (liveA.length > 0) {
        const j = Math.floor(k * liveA.length);
        const ref = liveA.splice(j, 1)[0]!;
        const no = liveB.splice(j, 1)[0]!;
        expect(a.cancelOrder(ref.account, { orderId: ref.orderId }) !== undefined).toBe(b.cancelById(no));
      }
    }
    expect(b.book(1_000)).toEqual(a.book(1_000));
    for (const acct of [...ACCOUNTS, '__fees__']) expect(b.balances(acct)).toEqual(a.balances(acct));
    expect(b.recentTrades(10_000)).toEqual(a.recentTrades(10_000));
    expect(a.recentTrades(10_000).length).toBeGreaterThan(500);
  });
});
