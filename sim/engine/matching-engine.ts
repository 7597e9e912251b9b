// The simulated CEX matching engine for one spot market (public API: engine.types.ts).
// Strings are parsed here, once, into ticks/lots/units; matching, holds and fees run in the integer
// core (engine-core.ts), which the numeric fast path (placeLimitTicks, cancelById) calls directly.
//
// Decisions worth knowing:
// - Rejections are results ({ ok: false }) for any input, garbage included; unknown side/type/
//   timeInForce/clientOrderId types are reported as INVALID_AMOUNT with a message naming the field
//   (RejectReason has no generic "invalid order" member), a missing/empty account as UNKNOWN_ACCOUNT.
// - Market orders never rest (IOC, or FOK), are valued at the best opposite price for MIN_NOTIONAL,
//   and a market BUY (by base amount) fills only what the account's free quote affords, lot by lot;
//   the rest expires. It is rejected with INSUFFICIENT_FUNDS if it cannot afford one lot at the best ask.
// - FOK that cannot fill completely is rejected (NO_LIQUIDITY) with no side effect at all.
// - Events of one operation are queued and delivered after the engine state is consistent; a listener
//   may call the engine again. If a listener throws, the others still get every event, then the first
//   error is rethrown to the caller of the operation (whose effects stand).
import type { Clock } from '../../domain/clock';
import * as bookSide from './book-side';
import type { OrderNode, SideCode } from './book-side';
import type { EngineAccount, FillRecord } from './engine-account';
import { EngineCore, REJECT_REASONS } from './engine-core';
import { EngineBalances } from './engine-balances';
import { EngineFormat } from './engine-format';
import { deriveMarketUnits } from './engine-market';
import { rejectMessage } from './reject-message';
import type {
  BookView,
  EngineBalance,
  EngineFill,
  EngineListener,
  EngineMarketConfig,
  EngineOrder,
  EngineTrade,
  MatchingEngineApi,
  MatchingEngineFastPath,
  PlaceOrderInput,
  PlaceResult,
  RejectReason,
  Side,
} from './engine.types';
import * as units from './units';

// Module-local copies: tsx turns imported bindings into getter calls on every use (see engine-core.ts).
const { ACTIVE, BUY, CANCELED, F_FOK, F_IOC, F_MARKET, F_POST_ONLY, SELL } = bookSide;
const parseScaled = units.parseScaled;
const EV_TRADE = 0;
const EV_FILL = 1;
const EV_ORDER = 2;
const EV_BOOK = 3;

type OrderRef = { orderId?: string; clientOrderId?: string };

export class MatchingEngine extends EngineCore implements MatchingEngineApi, MatchingEngineFastPath {
  readonly market: EngineMarketConfig;
  readonly feeAccount: string;
  private readonly fmt: EngineFormat;
  private readonly bal: EngineBalances;
  /** Replaced (never mutated) on subscribe/unsubscribe, so delivery can iterate it safely. */
  private listeners: readonly EngineListener[] = [];
  private readonly evKinds: number[] = [];
  private readonly evData: unknown[] = [];
  private flushing = false;

  constructor(config: EngineMarketConfig, opts: { clock: Clock }) {
    const u = deriveMarketUnits(config);
    super(u, opts.clock);
    this.market = Object.freeze({ ...config });
    this.feeAccount = u.feeAccount;
    this.fmt = new EngineFormat(u);
    this.bal = new EngineBalances(u, (name) => this.accountFor(name), (name) => this.accounts.get(name));
  }

  // ---- orders (string API) ----

  placeOrder(input: PlaceOrderInput): PlaceResult {
    const i = (typeof input === 'object' && input !== null ? input : {}) as Partial<Record<keyof PlaceOrderInput, unknown>>;
    if (typeof i.account !== 'string' || i.account === '') return reject('UNKNOWN_ACCOUNT', 'account: expected a non-empty string');
    if (i.side !== 'buy' && i.side !== 'sell') return reject('INVALID_AMOUNT', `side: expected "buy" or "sell", got ${show(i.side)}`);
    if (i.type !== 'limit' && i.type !== 'market') return reject('INVALID_AMOUNT', `type: expected "limit" or "market", got ${show(i.type)}`);
    const tif = i.timeInForce ?? (i.type === 'market' ? 'IOC' : 'GTC');
    if (tif !== 'GTC' && tif !== 'IOC' && tif !== 'FOK') return reject('INVALID_AMOUNT', `timeInForce: expected GTC, IOC or FOK, got ${show(tif)}`);
    if (i.postOnly !== undefined && typeof i.postOnly !== 'boolean') return reject('INVALID_AMOUNT', `postOnly: expected a boolean, got ${show(i.postOnly)}`);
    const cid = i.clientOrderId === undefined || i.clientOrderId === '' ? undefined : i.clientOrderId;
    if (cid !== undefined && typeof cid !== 'string') return reject('INVALID_AMOUNT', `clientOrderId: expected a string, got ${show(cid)}`);

    const isMarket = i.type === 'market';
    let ticks = 0;
    if (!isMarket) {
      const t = this.priceToTicks(i.price);
      if (t === undefined) return reject('INVALID_PRICE', `price: expected a positive multiple of tickSize ${this.market.tickSize}, got ${show(i.price)}`);
      ticks = t;
    }
    const lots = this.amountToLots(i.amount);
    if (lots === undefined) return reject('INVALID_AMOUNT', `amount: expected a positive multiple of lotSize ${this.market.lotSize}, got ${show(i.amount)}`);
    let flags = tif === 'FOK' ? F_FOK : tif === 'IOC' ? F_IOC : 0;
    if (i.postOnly === true) flags |= F_POST_ONLY;
    if (isMarket) flags |= F_MARKET;

    const side: SideCode = i.side === 'buy' ? BUY : SELL;
    const acct = this.accounts.get(i.account);
    const fills: FillRecord[] = [];
    this.beginOp();
    this.takerFills = fills;
    let code: number;
    try {
      code = this.placeCore(acct, side, ticks, lots, flags, cid);
    } finally {
      this.takerFills = null;
    }
    if (code < 0) {
      this.endOp();
      const reason = REJECT_REASONS[-code - 1]!;
      return reject(reason, rejectMessage(reason, { u: this.u, fmt: this.fmt, acct, side, ticks, lots, flags, cid, book: this.bookRefs() }));
    }
    const order = this.fmt.order(this.lastTaker!);
    const result: PlaceResult = { ok: true, order, fills: fills.map((f) => this.fmt.fill(i.account as string, f)) };
    this.endOp();
    return result;
  }

  cancelOrder(account: string, ref: OrderRef): EngineOrder | undefined {
    const node = this.findOpen(account, ref);
    if (node === undefined) return undefined;
    this.beginOp();
    this.closeResting(node, CANCELED);
    const out = this.fmt.order(node);
    this.endOp();
    return out;
  }

  cancelAll(account: string): EngineOrder[] {
    const acct = this.accounts.get(account);
    if (acct === undefined || acct.openHead === null) return [];
    const out: EngineOrder[] = [];
    this.beginOp();
    while (acct.openHead !== null) {
      const node = acct.openHead;
      this.closeResting(node, CANCELED);
      out.push(this.fmt.order(node)); // now: the node may be recycled by later retirements
    }
    this.endOp();
    return out;
  }

  /** Open orders, and finished ones among the last `historyLimit` to finish. */
  getOrder(account: string, ref: OrderRef): EngineOrder | undefined {
    const open = this.findOpen(account, ref);
    if (open !== undefined) return this.fmt.order(open);
    if (ref?.orderId !== undefined) {
      const no = this.fmt.orderNo(ref.orderId);
      const node = no === undefined ? undefined : this.orders.get(no);
      return node !== undefined && node.account?.name === account ? this.fmt.order(node) : undefined;
    }
    if (typeof ref?.clientOrderId !== 'string') return undefined;
    for (const node of this.closedNewestFirst()) {
      if (node.clientOrderId === ref.clientOrderId && node.account?.name === account) return this.fmt.order(node);
    }
    return undefined;
  }

  /** Oldest first. */
  openOrders(account: string): EngineOrder[] {
    const out: EngineOrder[] = [];
    for (let n = this.accounts.get(account)?.openHead ?? null; n !== null; n = n.accNext) out.push(this.fmt.order(n));
    return out;
  }

  /** The account's fills (at most the last `historyLimit`), oldest first, with timestamp ≥ sinceMs. */
  myTrades(account: string, sinceMs?: number): EngineFill[] {
    const acct = this.accounts.get(account);
    if (acct === undefined) return [];
    const since = sinceMs ?? -Infinity;
    return acct.fills
      .records()
      .filter((f) => f.timestamp >= since)
      .map((f) => this.fmt.fill(account, f));
  }

  /** The last `limit` public trades, oldest first. */
  recentTrades(limit: number): EngineTrade[] {
    return this.trades.last(limit).map((t) => this.fmt.trade(t, this.accountList[t.makerIndex]!.name, this.accountList[t.takerIndex]!.name));
  }

  book(depth: number): BookView {
    const n = depth > 0 ? depth : 0;
    const side = (levels: readonly { price: number; lots: number }[]) => {
      const out = [];
      for (let k = levels.length - 1; k >= 0 && out.length < n; k--) {
        const l = levels[k]!;
        out.push({ price: this.fmt.price(l.price), amount: this.fmt.amount(l.lots) });
      }
      return out;
    };
    return { bids: side(this.bids.levels), asks: side(this.asks.levels), timestamp: this.clock.now(), sequence: this.sequence };
  }

  bestBid(): string | undefined {
    const l = this.bids.best();
    return l === undefined ? undefined : this.fmt.price(l.price);
  }

  bestAsk(): string | undefined {
    const l = this.asks.best();
    return l === undefined ? undefined : this.fmt.price(l.price);
  }

  // ---- balances ----

  credit(account: string, asset: string, amount: string): void {
    this.bal.credit(account, asset, amount);
  }
  debit(account: string, asset: string, amount: string): void {
    this.bal.debit(account, asset, amount);
  }
  hold(account: string, asset: string, amount: string): void {
    this.bal.hold(account, asset, amount);
  }
  release(account: string, asset: string, amount: string): void {
    this.bal.release(account, asset, amount);
  }
  consume(account: string, asset: string, amount: string): void {
    this.bal.consume(account, asset, amount);
  }
  balances(account: string): EngineBalance[] {
    return this.bal.balances(account);
  }

  // ---- events ----

  subscribe(listener: EngineListener): () => void {
    this.listeners = [...this.listeners, listener];
    this.updateWants();
    return () => {
      this.listeners = this.listeners.filter((l) => l !== listener);
      this.updateWants();
    };
  }

  private updateWants(): void {
    const ls = this.listeners;
    this.wantTrades = ls.some((l) => l.onTrade !== undefined);
    this.wantFills = ls.some((l) => l.onFill !== undefined);
    this.wantOrders = ls.some((l) => l.onOrderUpdate !== undefined);
    this.wantBook = ls.some((l) => l.onBookChange !== undefined);
  }

  protected queueTrade(tradeNo: number, price: number, lots: number, takerSide: SideCode, maker: EngineAccount, taker: EngineAccount): void {
    this.evKinds.push(EV_TRADE);
    this.evData.push(this.fmt.trade({ tradeNo, price, lots, takerSide, makerIndex: maker.index, takerIndex: taker.index, timestamp: this.now }, maker.name, taker.name));
  }
  protected queueFill(account: EngineAccount, fill: FillRecord): void {
    this.evKinds.push(EV_FILL);
    this.evData.push(this.fmt.fill(account.name, fill));
  }
  protected queueOrder(node: OrderNode): void {
    this.evKinds.push(EV_ORDER);
    this.evData.push(this.fmt.order(node));
  }
  protected queueBook(sequence: number): void {
    this.evKinds.push(EV_BOOK);
    this.evData.push(sequence);
  }

  protected flushEvents(): void {
    if (this.flushing || this.evKinds.length === 0) return;
    this.flushing = true;
    let failed = false;
    let error: unknown;
    try {
      // Re-reads length: events queued by listeners that call the engine are delivered in this loop.
      for (let k = 0; k < this.evKinds.length; k++) {
        const kind = this.evKinds[k];
        const data = this.evData[k];
        for (const l of this.listeners) {
          try {
            if (kind === EV_TRADE) l.onTrade?.(data as EngineTrade);
            else if (kind === EV_FILL) l.onFill?.(data as EngineFill);
            else if (kind === EV_ORDER) l.onOrderUpdate?.(data as EngineOrder);
            else l.onBookChange?.(data as number);
          } catch (e) {
            if (!failed) {
              failed = true;
              error = e;
            }
          }
        }
      }
    } finally {
      this.evKinds.length = 0;
      this.evData.length = 0;
      this.flushing = false;
    }
    if (failed) throw error;
  }

  // ---- numeric fast path (MatchingEngineFastPath) ----

  get bookSequence(): number {
    return this.sequence;
  }

  placeLimitTicks(account: string, side: Side, priceTicks: number, lots: number, flags = 0): number {
    this.beginOp();
    const r = this.placeCore(this.accounts.get(account), side === 'buy' ? BUY : SELL, priceTicks, lots, flags & (F_POST_ONLY | F_IOC | F_FOK), undefined);
    this.endOp();
    return r;
  }

  placeMarketLots(account: string, side: Side, lots: number, flags = 0): number {
    this.beginOp();
    const r = this.placeCore(this.accounts.get(account), side === 'buy' ? BUY : SELL, 0, lots, (flags & F_FOK) | F_MARKET, undefined);
    this.endOp();
    return r;
  }

  cancelById(orderNo: number): boolean {
    const node = this.orders.get(orderNo);
    if (node === undefined || node.status !== ACTIVE) return false;
    this.beginOp();
    this.closeResting(node, CANCELED);
    this.endOp();
    return true;
  }

  rejectReason(code: number): RejectReason | undefined {
    return REJECT_REASONS[-code - 1];
  }
  openLots(orderNo: number): number {
    const node = this.orders.get(orderNo);
    return node !== undefined && node.status === ACTIVE ? node.rem : 0;
  }
  bestBidTicks(): number {
    return this.bids.best()?.price ?? 0;
  }
  bestAskTicks(): number {
    return this.asks.best()?.price ?? 0;
  }
  priceToTicks(price: unknown): number | undefined {
    const n = parseScaled(price, this.u.tickDp);
    if (n === undefined || n === 0 || n % this.u.tickMant !== 0) return undefined;
    const t = n / this.u.tickMant;
    return t <= this.u.maxTicks ? t : undefined;
  }
  amountToLots(amount: unknown): number | undefined {
    const n = parseScaled(amount, this.u.lotDp);
    if (n === undefined || n === 0 || n % this.u.lotMant !== 0) return undefined;
    const l = n / this.u.lotMant;
    return l <= this.u.maxLots ? l : undefined;
  }
  ticksToPrice(ticks: number): string {
    return this.fmt.price(ticks);
  }
  lotsToAmount(lots: number): string {
    return this.fmt.amount(lots);
  }
  orderIdOf(orderNo: number): string {
    return this.fmt.orderId(orderNo);
  }
  orderNoOf(orderId: string): number | undefined {
    return this.fmt.orderNo(orderId);
  }
  assetDecimals(asset: string): number | undefined {
    return asset === this.u.base ? this.u.baseDp : asset === this.u.quote ? this.u.quoteDp : undefined;
  }
  accountNames(): string[] {
    return this.accountList.map((a) => a.name);
  }

  // ---- internals ----

  private findOpen(account: string, ref: OrderRef): OrderNode | undefined {
    let node: OrderNode | undefined;
    if (ref?.orderId !== undefined) {
      const no = this.fmt.orderNo(ref.orderId);
      node = no === undefined ? undefined : this.orders.get(no);
    } else if (typeof ref?.clientOrderId === 'string') {
      node = this.accounts.get(account)?.byClientId.get(ref.clientOrderId);
    }
    return node !== undefined && node.status === ACTIVE && node.account?.name === account ? node : undefined;
  }

  private bookRefs(): { bestBid: number; bestAsk: number } {
    return { bestBid: this.bestBidTicks(), bestAsk: this.bestAskTicks() };
  }
}

function reject(reason: RejectReason, message: string): PlaceResult {
  return { ok: false, reason, message };
}

function show(v: unknown): string {
  if (typeof v === 'string') return JSON.stringify(v.length > 40 ? `${v.slice(0, 40)}…` : v);
  if (v === undefined) return 'nothing';
  if (typeof v === 'number' || typeof v === 'boolean' || typeof v === 'bigint' || v === null) return String(v);
  try {
    return JSON.stringify(v) ?? typeof v;
  } catch {
    return typeof v; // e.g. a cyclic object
  }
}
