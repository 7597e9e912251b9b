// Integers → the API's decimal strings and records. Only called when a caller or listener asks,
// never on the matching hot path.
import * as bookSide from './book-side';
import type { OrderNode } from './book-side';
import type { FillRecord } from './engine-account';
import type { MarketUnits } from './engine-market';
import type { EngineFill, EngineOrder, EngineOrderStatus, EngineTrade, Side } from './engine.types';
import type { TradeRecord } from './trade-ring';
import * as units from './units';

// Module-local copies: tsx turns imported bindings into getter calls on every use (see engine-core.ts).
const { ACTIVE, BUY, CANCELED, EXPIRED, F_FOK, F_IOC, F_MARKET, F_POST_ONLY } = bookSide;
const formatScaled = units.formatScaled;
/** Entries a string cache keeps before it starts over (bounds memory on a long run with drifting prices). */
const CACHE_MAX = 8192;

export class EngineFormat {
  private readonly orderPrefix: string;
  private readonly tradePrefix: string;
  /** Formatted prices by ticks and amounts by lots: a book snapshot formats the same levels over and over. */
  private readonly priceText = new Map<number, string>();
  private readonly amountText = new Map<number, string>();

  constructor(private readonly u: MarketUnits) {
    this.orderPrefix = `${u.idPrefix}-o-`;
    this.tradePrefix = `${u.idPrefix}-t-`;
  }

  price(ticks: number): string {
    const cache = this.priceText;
    let s = cache.get(ticks);
    if (s === undefined) {
      s = formatScaled(ticks * this.u.tickMant, this.u.tickDp);
      if (cache.size >= CACHE_MAX) cache.clear();
      cache.set(ticks, s);
    }
    return s;
  }

  amount(lots: number): string {
    const cache = this.amountText;
    let s = cache.get(lots);
    if (s === undefined) {
      s = formatScaled(lots * this.u.lotMant, this.u.lotDp);
      if (cache.size >= CACHE_MAX) cache.clear();
      cache.set(lots, s);
    }
    return s;
  }

  baseUnits(units: number): string {
    return formatScaled(units, this.u.baseDp);
  }

  quoteUnits(units: number): string {
    return formatScaled(units, this.u.quoteDp);
  }

  orderId(no: number): string {
    return this.orderPrefix + String(no);
  }

  tradeId(no: number): string {
    return this.tradePrefix + String(no);
  }

  /** The order number inside an order id of this market, or undefined. */
  orderNo(orderId: unknown): number | undefined {
    const start = this.orderPrefix.length;
    if (typeof orderId !== 'string' || orderId.length <= start || orderId.length > start + 15 || !orderId.startsWith(this.orderPrefix)) return undefined;
    // Digits only, no leading zero (one canonical id per order); hand-rolled, it runs on every cancel.
    let n = 0;
    for (let i = start; i < orderId.length; i++) {
      const d = orderId.charCodeAt(i) - 48;
      if (d < 0 || d > 9 || (d === 0 && i === start)) return undefined;
      n = n * 10 + d;
    }
    return n;
  }

  order(node: OrderNode): EngineOrder {
    const isMarket = (node.flags & F_MARKET) !== 0;
    // One literal, then the optional fields: cheaper than spreads, and the same shape every time.
    const o: EngineOrder = {
      orderId: (node.idText ??= this.orderId(node.id)),
      account: node.account!.name,
      side: side(node.side),
      type: isMarket ? 'market' : 'limit',
      amount: (node.amountText ??= this.amount(node.lots)),
      filled: this.amount(node.lots - node.rem),
      filledQuote: this.quoteUnits(node.filledQuote),
      status: status(node),
      postOnly: (node.flags & F_POST_ONLY) !== 0,
      timeInForce: (node.flags & F_FOK) !== 0 ? 'FOK' : (node.flags & (F_IOC | F_MARKET)) !== 0 ? 'IOC' : 'GTC',
      timestamp: node.timestamp,
      updatedAt: node.updatedAt,
    };
    if (!isMarket) o.price = node.priceText ??= this.price(node.price);
    if (node.clientOrderId !== undefined) o.clientOrderId = node.clientOrderId;
    return o;
  }

  fill(account: string, f: FillRecord): EngineFill {
    const isBuy = f.side === BUY;
    const out: EngineFill = {
      tradeId: this.tradeId(f.tradeNo),
      orderId: this.orderId(f.orderNo),
      account,
      side: side(f.side),
      price: this.price(f.price),
      amount: this.amount(f.lots),
      fee: isBuy ? this.baseUnits(f.fee) : this.quoteUnits(f.fee),
      feeAsset: isBuy ? this.u.base : this.u.quote,
      liquidity: f.maker ? 'maker' : 'taker',
      timestamp: f.timestamp,
    };
    if (f.clientOrderId !== undefined) out.clientOrderId = f.clientOrderId;
    return out;
  }

  trade(t: TradeRecord, makerAccount: string, takerAccount: string): EngineTrade {
    return {
      tradeId: this.tradeId(t.tradeNo),
      price: this.price(t.price),
      amount: this.amount(t.lots),
      takerSide: side(t.takerSide),
      makerAccount,
      takerAccount,
      timestamp: t.timestamp,
    };
  }
}

function side(code: number): Side {
  return code === BUY ? 'buy' : 'sell';
}

function status(node: OrderNode): EngineOrderStatus {
  switch (node.status) {
    case ACTIVE:
      return node.rem === node.lots ? 'open' : 'partially_filled';
    case CANCELED:
      return 'canceled';
    case EXPIRED:
      return 'expired';
    default:
      return 'filled';
  }
}
