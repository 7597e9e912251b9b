// The matching core: price-time priority matching, self-trade prevention, holds and fee settlement,
// all in integers (ticks, lots, smallest asset units). The string API (matching-engine.ts) and the
// numeric fast path both call `placeCore` / `closeResting`; nothing here parses or formats strings.
//
// Settlement of a trade of x lots at the maker's price p (k = quote units per tick × lot):
//   base = x × lotUnits, quote = p × x × k.
//   The buyer pays `quote` (a maker buyer from its hold, a taker buyer from free) and receives
//   base − fee; the seller pays `base` and receives quote − fee. Fees are in the asset received,
//   rounded UP to a whole smallest unit (see units.ts feeUnits), and credited to the fee account, so
//   every asset's total over all accounts is conserved exactly.
import type { Clock } from '../../domain/clock';
import * as bookSide from './book-side';
import { BookSide, OrderNode, type SideCode } from './book-side';
import { EngineAccount, type FillRecord } from './engine-account';
import * as market from './engine-market';
import type { MarketUnits } from './engine-market';
import type { RejectReason } from './engine.types';
import { OrderIndex } from './order-index';
import { TradeRing } from './trade-ring';
import * as units from './units';

// tsx (esbuild) compiles every use of an imported binding into a getter call on the module object;
// module-local copies keep those calls out of the matching loop (tsc/ts-jest output is unaffected).
const { ACTIVE, BUY, EXPIRED, FILLED, F_FOK, F_IOC, F_MARKET, F_POST_ONLY } = bookSide;
const { STP_EXPIRE_MAKER, STP_EXPIRE_TAKER } = market;
const feeUnits = units.feeUnits;

/** Negative return codes of the numeric API: code = -(index + 1). */
export const REJECT_REASONS: readonly RejectReason[] = [
  'INVALID_PRICE',
  'INVALID_AMOUNT',
  'MIN_NOTIONAL',
  'POST_ONLY_WOULD_CROSS',
  'INSUFFICIENT_FUNDS',
  'DUPLICATE_CLIENT_ORDER_ID',
  'UNKNOWN_ACCOUNT',
  'NO_LIQUIDITY',
];
export const R_INVALID_PRICE = -1;
export const R_INVALID_AMOUNT = -2;
export const R_MIN_NOTIONAL = -3;
export const R_POST_ONLY_WOULD_CROSS = -4;
export const R_INSUFFICIENT_FUNDS = -5;
export const R_DUPLICATE_CLIENT_ORDER_ID = -6;
export const R_UNKNOWN_ACCOUNT = -7;
export const R_NO_LIQUIDITY = -8;

const MAX_SAFE = Number.MAX_SAFE_INTEGER;

export abstract class EngineCore {
  protected readonly bids = new BookSide(true);
  protected readonly asks = new BookSide(false);
  protected readonly accounts = new Map<string, EngineAccount>();
  /** By account index (trade records keep indices, not names). */
  protected readonly accountList: EngineAccount[] = [];
  protected readonly feeAcct: EngineAccount;
  /** Every open order plus the last `historyLimit` finished ones (whose nodes are then reused). */
  protected readonly orders = new OrderIndex();
  private readonly closedRing: (OrderNode | undefined)[];
  private closedNext = 0;
  private readonly spareNodes: OrderNode[] = [];
  protected readonly trades: TradeRing;
  private orderSeq = 0;
  private tradeSeq = 0;
  /** Book sequence: +1 after every operation that changed the visible book. */
  protected sequence = 0;
  private bookChanged = false;
  /** clock.now() read once per operation: every event of one operation carries the same time. */
  protected now = 0;
  /** When set (string API), collects the taker's fills of the current placement. */
  protected takerFills: FillRecord[] | null = null;
  /** The order created by the last successful placeCore. */
  protected lastTaker: OrderNode | null = null;
  // Event hooks are only called when some listener wants them (set by the subclass).
  protected wantTrades = false;
  protected wantFills = false;
  protected wantOrders = false;
  protected wantBook = false;

  protected constructor(
    protected readonly u: MarketUnits,
    protected readonly clock: Clock,
  ) {
    this.closedRing = new Array<OrderNode | undefined>(u.historyLimit);
    this.trades = new TradeRing(u.historyLimit);
    this.feeAcct = this.accountFor(u.feeAccount);
  }

  protected abstract queueTrade(tradeNo: number, price: number, lots: number, takerSide: SideCode, maker: EngineAccount, taker: EngineAccount): void;
  protected abstract queueFill(account: EngineAccount, fill: FillRecord): void;
  protected abstract queueOrder(node: OrderNode): void;
  protected abstract queueBook(sequence: number): void;
  /** Delivers queued events; called at the end of every operation. */
  protected abstract flushEvents(): void;

  protected accountFor(name: string): EngineAccount {
    let a = this.accounts.get(name);
    if (a === undefined) {
      a = new EngineAccount(name, this.accountList.length, this.u.historyLimit);
      this.accounts.set(name, a);
      this.accountList.push(a);
    }
    return a;
  }

  protected beginOp(): void {
    this.now = this.clock.now();
    this.bookChanged = false;
  }

  protected endOp(): void {
    if (this.bookChanged) {
      this.bookChanged = false;
      this.sequence++;
      if (this.wantBook) this.queueBook(this.sequence);
    }
    this.flushEvents();
  }

  /**
   * Validates, matches and (GTC limit) rests one order. `price` is in ticks (ignored for market
   * orders), `lots` in lots. Returns the new order's number, or a negative R_* code. Checks run in
   * this order: price, amount, notional (MIN_NOTIONAL; market orders value at the best opposite
   * price), duplicate client id, funds, post-only, fill-or-kill.
   */
  protected placeCore(acct: EngineAccount | undefined, side: SideCode, price: number, lots: number, flags: number, cid: string | undefined): number {
    const u = this.u;
    const isBuy = side === BUY;
    const isMarket = (flags & F_MARKET) !== 0;
    if (!isMarket && !(Number.isInteger(price) && price > 0 && price <= u.maxTicks)) return R_INVALID_PRICE;
    if (!(Number.isInteger(lots) && lots > 0 && lots <= u.maxLots)) return R_INVALID_AMOUNT;
    const opp = isBuy ? this.asks : this.bids;
    const best = opp.best();
    let refPrice = price;
    if (isMarket) {
      if (best === undefined) return R_NO_LIQUIDITY;
      refPrice = best.price;
      price = 0;
    }
    const notional = refPrice * lots * u.tickLotUnits;
    // Beyond the safe range no account can pay it (every asset's total supply is capped below it).
    if (notional > MAX_SAFE) return R_INVALID_AMOUNT;
    if (notional < u.minNotionalUnits) return R_MIN_NOTIONAL;
    if (acct === undefined) return R_INSUFFICIENT_FUNDS;
    if (cid !== undefined && acct.byClientId.has(cid)) return R_DUPLICATE_CLIENT_ORDER_ID;
    if (isBuy) {
      // A market buy must afford at least one lot at the best ask; it then fills what free quote buys.
      if (acct.quoteFree < (isMarket ? refPrice * u.tickLotUnits : notional)) return R_INSUFFICIENT_FUNDS;
    } else if (acct.baseFree < lots * u.lotUnits) {
      return R_INSUFFICIENT_FUNDS;
    }
    const crosses = best !== undefined && (isMarket || (isBuy ? best.price <= price : best.price >= price));
    if ((flags & F_POST_ONLY) !== 0 && (crosses || isMarket)) return R_POST_ONLY_WOULD_CROSS;
    if ((flags & F_FOK) !== 0) {
      const r = this.fokShortfall(acct, isBuy, price, lots);
      if (r !== 0) return r;
    }

    const node = this.spareNodes.pop() ?? new OrderNode();
    node.id = ++this.orderSeq;
    node.account = acct;
    node.side = side;
    node.price = price;
    node.lots = lots;
    node.rem = lots;
    node.filledQuote = 0;
    node.status = ACTIVE;
    node.flags = flags;
    node.clientOrderId = cid;
    node.timestamp = node.updatedAt = this.now;
    node.idText = node.priceText = node.amountText = undefined;
    this.orders.add(node.id, node);
    this.lastTaker = node;

    const stopped = crosses ? this.match(node, opp) : false;
    if (node.rem === 0) {
      node.status = FILLED;
      this.retire(node);
    } else if (stopped || (flags & (F_MARKET | F_IOC | F_FOK)) !== 0) {
      node.status = EXPIRED;
      this.retire(node);
    } else {
      if (isBuy) {
        const h = price * node.rem * u.tickLotUnits;
        acct.quoteFree -= h;
        acct.quoteLocked += h;
        this.bids.add(node);
      } else {
        const h = node.rem * u.lotUnits;
        acct.baseFree -= h;
        acct.baseLocked += h;
        this.asks.add(node);
      }
      acct.linkOpen(node);
      this.bookChanged = true;
    }
    if (this.wantOrders) this.queueOrder(node);
    return node.id;
  }

  /** Matches a taker against the opposite side. Returns true if self-trade prevention expired the taker. */
  private match(taker: OrderNode, opp: BookSide): boolean {
    const u = this.u;
    const acct = taker.account!;
    const isBuy = taker.side === BUY;
    const isMarketBuy = isBuy && taker.price === 0;
    const limit = taker.price === 0 ? (isBuy ? Infinity : 0) : taker.price;
    const levels = opp.levels;
    while (taker.rem > 0) {
      const n = levels.length;
      if (n === 0) break;
      const lvl = levels[n - 1]!;
      const p = lvl.price;
      if (isBuy ? p > limit : p < limit) break;
      const maker = lvl.head!;
      if (maker.account === acct) {
        if (u.stp !== STP_EXPIRE_TAKER) this.closeResting(maker, EXPIRED);
        if (u.stp !== STP_EXPIRE_MAKER) return true;
        continue;
      }
      let x = taker.rem < maker.rem ? taker.rem : maker.rem;
      if (isMarketBuy) {
        // Never overspend free quote: buy only the whole lots it affords at this price.
        const unit = p * u.tickLotUnits;
        let afford = Math.floor(acct.quoteFree / unit);
        if (afford * unit > acct.quoteFree) afford--;
        if (afford < x) {
          if (afford <= 0) break;
          x = afford;
        }
      }
      this.fill(taker, maker, opp, p, x);
    }
    return false;
  }

  private fill(taker: OrderNode, maker: OrderNode, opp: BookSide, p: number, x: number): void {
    const u = this.u;
    const baseU = x * u.lotUnits;
    const quoteU = p * x * u.tickLotUnits;
    const ta = taker.account!;
    const ma = maker.account!;
    const fees = this.feeAcct;
    let takerFee: number;
    let makerFee: number;
    if (taker.side === BUY) {
      takerFee = feeUnits(baseU, u.takerNum, u.takerDen);
      makerFee = feeUnits(quoteU, u.makerNum, u.makerDen);
      ta.quoteFree -= quoteU;
      ta.baseFree += baseU - takerFee;
      ma.baseLocked -= baseU;
      ma.quoteFree += quoteU - makerFee;
      fees.baseFree += takerFee;
      fees.quoteFree += makerFee;
    } else {
      takerFee = feeUnits(quoteU, u.takerNum, u.takerDen);
      makerFee = feeUnits(baseU, u.makerNum, u.makerDen);
      ta.baseFree -= baseU;
      ta.quoteFree += quoteU - takerFee;
      ma.quoteLocked -= quoteU;
      ma.baseFree += baseU - makerFee;
      fees.quoteFree += takerFee;
      fees.baseFree += makerFee;
    }
    const now = this.now;
    taker.rem -= x;
    taker.filledQuote += quoteU;
    maker.rem -= x;
    maker.filledQuote += quoteU;
    maker.updatedAt = now;
    maker.level!.lots -= x;
    if (maker.rem === 0) {
      opp.remove(maker);
      maker.status = FILLED;
      ma.unlinkOpen(maker);
    }
    this.bookChanged = true;

    const tradeNo = ++this.tradeSeq;
    this.trades.push(tradeNo, p, x, taker.side, ma.index, ta.index, now);
    ma.fills.push(tradeNo, maker.id, maker.clientOrderId, maker.side, p, x, makerFee, true, now);
    ta.fills.push(tradeNo, taker.id, taker.clientOrderId, taker.side, p, x, takerFee, false, now);
    if (this.wantTrades) this.queueTrade(tradeNo, p, x, taker.side, ma, ta);
    // Records as objects only when someone will read them.
    if (this.takerFills !== null || this.wantFills) {
      const tf: FillRecord = { tradeNo, orderNo: taker.id, clientOrderId: taker.clientOrderId, side: taker.side, price: p, lots: x, fee: takerFee, maker: false, timestamp: now };
      if (this.takerFills !== null) this.takerFills.push(tf);
      if (this.wantFills) {
        this.queueFill(ma, { tradeNo, orderNo: maker.id, clientOrderId: maker.clientOrderId, side: maker.side, price: p, lots: x, fee: makerFee, maker: true, timestamp: now });
        this.queueFill(ta, tf);
      }
    }
    if (this.wantOrders) this.queueOrder(maker);
    if (maker.rem === 0) this.retire(maker);
  }

  /** FOK pre-check mirroring `match` exactly, so an accepted FOK always fills completely. Returns 0 or an R_* code. */
  private fokShortfall(acct: EngineAccount, isBuy: boolean, limit: number, lots: number): number {
    const u = this.u;
    const levels = (isBuy ? this.asks : this.bids).levels;
    const isMarket = limit === 0;
    let need = lots;
    let cost = 0;
    for (let i = levels.length - 1; i >= 0 && need > 0; i--) {
      const lvl = levels[i]!;
      const p = lvl.price;
      if (!isMarket && (isBuy ? p > limit : p < limit)) break;
      for (let o = lvl.head; o !== null && need > 0; o = o.next) {
        if (o.account === acct) {
          if (u.stp === STP_EXPIRE_MAKER) continue;
          return R_NO_LIQUIDITY; // the taker would be expired here
        }
        const x = need < o.rem ? need : o.rem;
        need -= x;
        cost += p * x * u.tickLotUnits;
      }
    }
    if (need > 0) return R_NO_LIQUIDITY;
    if (isMarket && isBuy && cost > acct.quoteFree) return R_INSUFFICIENT_FUNDS;
    return 0;
  }

  /** Takes a resting order off the book (cancel, or STP expiry) and releases its remaining hold. */
  protected closeResting(node: OrderNode, status: typeof bookSide.CANCELED | typeof bookSide.EXPIRED): void {
    const u = this.u;
    const acct = node.account!;
    if (node.side === BUY) {
      const h = node.price * node.rem * u.tickLotUnits;
      acct.quoteLocked -= h;
      acct.quoteFree += h;
      this.bids.remove(node);
    } else {
      const h = node.rem * u.lotUnits;
      acct.baseLocked -= h;
      acct.baseFree += h;
      this.asks.remove(node);
    }
    node.status = status;
    node.updatedAt = this.now;
    acct.unlinkOpen(node);
    this.bookChanged = true;
    if (this.wantOrders) this.queueOrder(node);
    this.retire(node);
  }

  /** Keeps a finished order findable for a while; the oldest one's node is recycled. */
  private retire(node: OrderNode): void {
    const i = this.closedNext;
    const old = this.closedRing[i];
    if (old !== undefined) {
      this.orders.delete(old.id);
      old.account = null;
      old.clientOrderId = undefined;
      this.spareNodes.push(old);
    }
    this.closedRing[i] = node;
    this.closedNext = i + 1 === this.closedRing.length ? 0 : i + 1;
  }

  /** Finished orders, newest first (for getOrder by client order id). */
  protected *closedNewestFirst(): Generator<OrderNode> {
    const n = this.closedRing.length;
    for (let k = 1; k <= n; k++) {
      const node = this.closedRing[(this.closedNext - k + n) % n];
      if (node === undefined) return;
      yield node;
    }
  }
}
