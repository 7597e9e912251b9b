// Executes agents' actions on the venues: float orders are quantized and placed through the
// engine's numeric fast path (or turned into swaps on an AMM), exact arbitrage legs go through the
// string API so their fills are known, and every arbitrage's realized profit is measured from the
// account's balances before and after, at the price the planner used.
import { D, fmt, type Dec } from '../../domain/money';
import type { Clock } from '../../domain/clock';
import type { AgentAction, ArbitrageAction, ExactOrderAction, LimitAction, SwapAction } from './agent.types';
import { V2_FEE_RATE, type AmmVenue } from './amm-venue';
import type { CexVenue } from './cex-venue';
import type { EventLog } from './event-log';
import type { LiveAgentView, SimVenue } from './live-view';

export interface ActivityStats {
  orders: number;
  rejects: number;
  skipped: number;
  swaps: number;
}

export interface ArbitrageStats {
  executed: number;
  expected: Dec;
  realized: Dec;
  gas: Dec;
  /** Lowest realized profit of one arbitrage (should never be below 0). */
  worstRealized: Dec | undefined;
  mismatches: number;
}

export function emptyArbitrageStats(): ArbitrageStats {
  return { executed: 0, expected: new D(0), realized: new D(0), gas: new D(0), worstRealized: undefined, mismatches: 0 };
}

export class ActionExecutor {
  /** Cancels of pending TTL timers (RealClock runs stop them at the end). */
  private readonly ttlTimers = new Set<() => void>();
  stopped = false;

  constructor(
    private readonly venues: ReadonlyMap<string, SimVenue>,
    private readonly clock: Clock,
    private readonly log: EventLog,
    private readonly arbStats: Map<string, ArbitrageStats>,
  ) {}

  execute(account: string, actions: readonly AgentAction[], view: LiveAgentView, stats: ActivityStats): void {
    for (const a of actions) {
      switch (a.type) {
        case 'limit':
          this.limit(account, a, view, stats);
          break;
        case 'cancelAll': {
          const v = this.venues.get(a.venue);
          if (v?.kind === 'cex') for (const o of v.engine.cancelAll(account)) this.log.add('C', this.clock.now(), v.id, account, o.orderId);
          break;
        }
        case 'exactOrder':
          this.exactOrder(account, a, stats);
          break;
        case 'swap':
          this.swap(account, a, stats);
          break;
        case 'arbitrage':
          this.arbitrage(account, a, stats);
          break;
      }
    }
  }

  stop(): void {
    this.stopped = true;
    for (const cancel of this.ttlTimers) cancel();
    this.ttlTimers.clear();
  }

  private limit(account: string, a: LimitAction, view: LiveAgentView, stats: ActivityStats): void {
    const v = this.venues.get(a.venue);
    if (!v) return;
    if (v.kind === 'amm') {
      if (a.tif === 'IOC') this.limitOnAmm(account, a, v, stats);
      else stats.skipped++; // a pool has no resting orders
      return;
    }
    const out = v.placeFloat(account, a, a.side === 'buy' ? view.holdings(a.venue).quote : 0);
    if (!out.sent) {
      stats.skipped++;
      return;
    }
    for (const no of out.selfCancelled) this.log.add('CS', this.clock.now(), v.id, account, no);
    stats.orders++;
    this.log.add('O', this.clock.now(), v.id, account, a.side, out.ticks, out.lots, a.tif, out.orderNo);
    if (out.orderNo < 0) {
      stats.rejects++;
      return;
    }
    if (a.tif === 'GTC' && a.ttlMs !== undefined && v.engine.openLots(out.orderNo) > 0) this.expireLater(account, v, out.orderNo, a.ttlMs);
  }

  private expireLater(account: string, v: CexVenue, orderNo: number, ttlMs: number): void {
    const cancel = this.clock.schedule(ttlMs, () => {
      this.ttlTimers.delete(cancel);
      if (!this.stopped && v.cancel(account, orderNo)) this.log.add('C', this.clock.now(), v.id, account, orderNo);
    });
    this.ttlTimers.add(cancel);
  }

  /** An IOC limit on a pool: swap as much as keeps the swap's marginal price within the limit. */
  private limitOnAmm(account: string, a: LimitAction, amm: AmmVenue, stats: ActivityStats): void {
    const { base: x, quote: y } = amm.reservesFloat();
    const fee = 1 - V2_FEE_RATE;
    // Marginal cost of the Δ-th base bought: x·y / (fee·(x − Δ)²); marginal proceeds of the Δ-th sold: fee·x·y / (x + fee·Δ)².
    const maxBase = a.side === 'buy' ? x - Math.sqrt((x * y) / (fee * a.price)) : (Math.sqrt((fee * x * y) / a.price) - x) / fee;
    const units = amm.baseUnits(Math.min(a.amount, maxBase));
    if (units <= 0n) {
      stats.skipped++;
      return;
    }
    const r = a.side === 'buy' ? amm.swapExactOut(account, 'buy', units) : amm.swapExactIn(account, 'sell', units, 1n);
    this.logSwap(account, amm, a.side, r, stats);
  }

  private swap(account: string, a: SwapAction, stats: ActivityStats): bigint {
    const amm = this.venues.get(a.venue);
    if (amm?.kind !== 'amm') return 0n;
    const r = amm.swapExactIn(account, a.side, a.amountIn, a.minAmountOut);
    this.logSwap(account, amm, a.side, r, stats);
    return r.ok ? r.swap.amountOut : 0n;
  }

  private logSwap(account: string, amm: AmmVenue, side: string, r: ReturnType<AmmVenue['swapExactIn']>, stats: ActivityStats): void {
    stats.swaps++;
    if (r.ok) this.log.add('S', this.clock.now(), amm.id, account, side, r.swap.amountIn, r.swap.amountOut);
    else {
      stats.rejects++;
      this.log.add('SR', this.clock.now(), amm.id, account, side, r.reason);
    }
  }

  /** An exact IOC order; returns the base filled. */
  private exactOrder(account: string, a: ExactOrderAction, stats: ActivityStats): Dec {
    const v = this.venues.get(a.venue);
    if (v?.kind !== 'cex') return new D(0);
    stats.orders++;
    const r = v.engine.placeOrder({ account, side: a.side, type: 'limit', price: a.price, amount: a.amount, timeInForce: 'IOC' });
    this.log.add('OX', this.clock.now(), v.id, account, a.side, a.price, a.amount, r.ok ? r.order.filled : r.reason);
    if (!r.ok) {
      stats.rejects++;
      return new D(0);
    }
    return new D(r.order.filled);
  }

  private arbitrage(account: string, a: ArbitrageAction, stats: ActivityStats): void {
    const venueIds = [...new Set(a.legs.map((l) => l.venue))];
    const before = this.holdingsOf(account, venueIds);
    const [first, ...rest] = a.legs;
    if (first?.type !== 'exactOrder') throw new Error('arbitrage plans start with their CEX leg');
    const filled = this.exactOrder(account, first, stats);
    let arb = this.arbStats.get(account);
    if (!arb) {
      arb = emptyArbitrageStats();
      this.arbStats.set(account, arb);
    }
    if (filled.lte(0)) return;
    const mismatch = !filled.eq(first.amount);
    if (mismatch) arb.mismatches++;
    for (const leg of rest) {
      if (leg.type === 'exactOrder') this.exactOrder(account, mismatch ? this.resize(leg, filled) : leg, stats);
      else if (!mismatch) this.swap(account, leg, stats);
      else this.resizedSwap(account, leg, first, filled, stats);
    }
    const after = this.holdingsOf(account, venueIds);
    const realized = after.quote.minus(before.quote).plus(after.base.minus(before.base).times(a.markPrice)).minus(a.gasQuote);
    arb.executed++;
    arb.expected = arb.expected.plus(a.expectedProfitQuote);
    arb.realized = arb.realized.plus(realized);
    arb.gas = arb.gas.plus(a.gasQuote);
    if (!arb.worstRealized || realized.lt(arb.worstRealized)) arb.worstRealized = realized;
    this.log.add('A', this.clock.now(), account, a.expectedProfitQuote, fmt(realized));
  }

  private resize(leg: ExactOrderAction, filled: Dec): ExactOrderAction {
    const v = this.venues.get(leg.venue) as CexVenue;
    const lot = v.config.rules.lotSize;
    return { ...leg, amount: fmt(filled.div(lot).floor().times(lot)) };
  }

  /** The pool leg re-sized to a CEX leg that filled less than planned (not expected to happen). */
  private resizedSwap(account: string, leg: SwapAction, cexLeg: ExactOrderAction, filled: Dec, stats: ActivityStats): void {
    const amm = this.venues.get(leg.venue) as AmmVenue;
    const scale = new D(10).pow(amm.config.baseDecimals);
    if (leg.side === 'buy') {
      const out = BigInt(filled.times(scale).floor().toFixed(0));
      const r = amm.swapExactOut(account, 'buy', out);
      this.logSwap(account, amm, 'buy', r, stats);
    } else {
      const fee = (this.venues.get(cexLeg.venue) as CexVenue).config.fees.taker;
      const amountIn = BigInt(filled.times(new D(1).minus(fee)).times(scale).floor().toFixed(0));
      this.logSwap(account, amm, 'sell', amm.swapExactIn(account, 'sell', amountIn, 1n), stats);
    }
  }

  /** Total (free + locked) base and quote of the account over the venues, exact. */
  holdingsOf(account: string, venueIds: readonly string[]): { base: Dec; quote: Dec } {
    let base = new D(0);
    let quote = new D(0);
    for (const id of venueIds) {
      const v = this.venues.get(id);
      if (!v) continue;
      if (v.kind === 'amm') {
        const w = v.balances(account);
        base = base.plus(new D(w.base.toString()).div(new D(10).pow(v.config.baseDecimals)));
        quote = quote.plus(new D(w.quote.toString()).div(new D(10).pow(v.config.quoteDecimals)));
        continue;
      }
      for (const b of v.engine.balances(account)) {
        if (b.asset === v.base) base = base.plus(b.free).plus(b.locked);
        else if (b.asset === v.quote) quote = quote.plus(b.free).plus(b.locked);
      }
    }
    return { base, quote };
  }
}
