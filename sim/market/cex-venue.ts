// One simulated CEX market for the scenario runner: the real matching engine plus what the market
// agents need around it — float touch prices from the numeric fast path, exact order placement of
// float decisions (price to tick against the agent, amount down to lot, min notional, budget), and
// self-trade avoidance for agents that also rest orders.
import type { Clock } from '../../domain/clock';
import { MatchingEngine } from '../engine/matching-engine';
import { ORDER_FLAGS, type EngineMarketConfig, type MatchingEngineApi, type MatchingEngineFastPath, type Side } from '../engine/engine.types';
import type { Holdings, LimitAction } from './agent.types';
import { Grid } from './grid';
import type { CexScenarioVenue } from './scenario.schema';

interface RestingOrder {
  orderNo: number;
  side: Side;
  ticks: number;
}

/** Outcome of placing a float order: an order number, a reject code (< 0) or 0 when nothing was sent. */
export type PlaceOutcome =
  | { sent: false; why: 'ZERO_AMOUNT' | 'MIN_NOTIONAL' | 'BUDGET' | 'NO_PRICE' }
  /** `selfCancelled`: the account's own resting orders cancelled first because this order would hit them. */
  | { sent: true; orderNo: number; ticks: number; lots: number; selfCancelled: number[] };

/** What the venue needs from an engine: the public API plus the numeric fast path. */
export type FastEngine = MatchingEngineApi & MatchingEngineFastPath;

export class CexVenue {
  readonly kind = 'cex' as const;
  readonly engine: FastEngine;
  readonly tick: Grid;
  readonly lot: Grid;
  readonly takerFee: number;
  readonly minNotional: number;
  readonly base: string;
  readonly quote: string;
  lastPrice: number | undefined;
  lastTradeAt: number | undefined;
  /** Resting orders of accounts that rest orders (noise traders), to avoid trading with themselves. */
  private readonly resting = new Map<string, RestingOrder[]>();

  /** `engine`: adopt an existing engine (e.g. a SimExchange's) instead of creating one; its market must match. */
  constructor(
    readonly config: CexScenarioVenue,
    clock: Clock,
    engine?: FastEngine,
  ) {
    [this.base, this.quote] = config.market.split('/') as [string, string];
    const market: EngineMarketConfig = {
      symbol: config.market,
      base: this.base,
      quote: this.quote,
      tickSize: config.rules.tickSize,
      lotSize: config.rules.lotSize,
      minNotional: config.rules.minNotional,
      makerFee: config.fees.maker,
      takerFee: config.fees.taker,
      selfTradePrevention: config.selfTradePrevention,
    };
    if (engine) {
      for (const k of ['symbol', 'tickSize', 'lotSize', 'minNotional', 'makerFee', 'takerFee'] as const) {
        if (engine.market[k] !== market[k] && Number(engine.market[k]) !== Number(market[k])) {
          throw new RangeError(`venue ${config.id}: the engine's ${k} is ${engine.market[k]}, the scenario says ${market[k]}`);
        }
      }
    }
    this.engine = engine ?? new MatchingEngine(market, { clock });
    this.tick = Grid.parse(config.rules.tickSize, 'tickSize');
    this.lot = Grid.parse(config.rules.lotSize, 'lotSize');
    this.takerFee = Number(config.fees.taker);
    this.minNotional = Number(config.rules.minNotional);
  }

  get id(): string {
    return this.config.id;
  }

  bid(): number | undefined {
    const t = this.engine.bestBidTicks();
    return t > 0 ? this.tick.value(t) : undefined;
  }

  ask(): number | undefined {
    const t = this.engine.bestAskTicks();
    return t > 0 ? this.tick.value(t) : undefined;
  }

  /** Free balances as floats (decisions), and totals (free + locked). */
  holdings(account: string): Holdings & { totalBase: number; totalQuote: number } {
    const out = { base: 0, quote: 0, totalBase: 0, totalQuote: 0 };
    for (const b of this.engine.balances(account)) {
      const free = Number(b.free);
      const total = free + Number(b.locked);
      if (b.asset === this.base) [out.base, out.totalBase] = [free, total];
      else if (b.asset === this.quote) [out.quote, out.totalQuote] = [free, total];
    }
    return out;
  }

  /** Free balances as exact decimal strings. */
  freeExact(account: string): { base: string; quote: string } {
    let base = '0';
    let quote = '0';
    for (const b of this.engine.balances(account)) {
      if (b.asset === this.base) base = b.free;
      else if (b.asset === this.quote) quote = b.free;
    }
    return { base, quote };
  }

  /** Quantizes and places a float order through the numeric fast path. */
  placeFloat(account: string, a: LimitAction, freeQuote: number): PlaceOutcome {
    const ticks = a.side === 'buy' ? this.tick.floor(a.price) : this.tick.ceil(a.price);
    if (!(ticks > 0)) return { sent: false, why: 'NO_PRICE' };
    const price = this.tick.value(ticks);
    let lots = this.lot.floor(a.amount);
    // Re-check the budget on the quantized price (a buy holds price × amount).
    if (a.side === 'buy') lots = Math.min(lots, this.lot.floor(freeQuote / price));
    if (!(lots > 0)) return { sent: false, why: a.side === 'buy' ? 'BUDGET' : 'ZERO_AMOUNT' };
    if (price * this.lot.value(lots) < this.minNotional * (1 + 1e-9)) return { sent: false, why: 'MIN_NOTIONAL' };
    const selfCancelled = a.tif === 'IOC' || !a.postOnly ? this.avoidSelfTrade(account, a.side, ticks) : [];
    let flags = a.tif === 'IOC' ? ORDER_FLAGS.IOC : 0;
    if (a.postOnly && a.tif === 'GTC') flags |= ORDER_FLAGS.POST_ONLY;
    const orderNo = this.engine.placeLimitTicks(account, a.side, ticks, lots, flags);
    if (orderNo > 0 && a.tif === 'GTC' && this.engine.openLots(orderNo) > 0) this.track(account, { orderNo, side: a.side, ticks });
    return { sent: true, orderNo, ticks, lots, selfCancelled };
  }

  /** Cancels an order placed through `placeFloat` (a TTL expiring); false if it was no longer open. */
  cancel(account: string, orderNo: number): boolean {
    const list = this.resting.get(account);
    if (list) {
      const i = list.findIndex((r) => r.orderNo === orderNo);
      if (i >= 0) list.splice(i, 1);
    }
    return this.engine.cancelById(orderNo);
  }

  /** Cancels the account's own resting orders that an order on `side` up to `ticks` would hit. */
  private avoidSelfTrade(account: string, side: Side, ticks: number): number[] {
    const list = this.resting.get(account);
    const cancelled: number[] = [];
    if (!list || list.length === 0) return cancelled;
    for (let i = list.length - 1; i >= 0; i--) {
      const r = list[i]!;
      const open = this.engine.openLots(r.orderNo) > 0;
      const crossed = r.side !== side && (side === 'buy' ? r.ticks <= ticks : r.ticks >= ticks);
      if (!open || crossed) {
        if (open && this.engine.cancelById(r.orderNo)) cancelled.push(r.orderNo);
        list.splice(i, 1);
      }
    }
    return cancelled;
  }

  private track(account: string, r: RestingOrder): void {
    let list = this.resting.get(account);
    if (!list) {
      list = [];
      this.resting.set(account, list);
    }
    list.push(r);
  }
}
