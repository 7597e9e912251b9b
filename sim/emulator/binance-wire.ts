// Binance spot wire format: error bodies, number formatting, and the JSON shapes of orders,
// trades and transfers exactly as api.binance.com returns them (what ccxt's binance.js parses).
import { D } from '../../domain/money';
import type { TransferRecord } from '../../venues/venue.port';
import { isVenueError } from '../../venues/venue-errors';
import type { EngineFill, EngineMarketConfig, EngineOrder } from '../engine/engine.types';

/** An error answer: HTTP status plus Binance's `{ "code": -XXXX, "msg": "..." }`. */
export class BinanceError extends Error {
  constructor(
    readonly status: number,
    readonly code: number,
    msg: string,
    readonly headers: Record<string, string> = {},
  ) {
    super(msg);
    this.name = 'BinanceError';
  }

  body(): { code: number; msg: string } {
    return { code: this.code, msg: this.message };
  }
}

export const errors = {
  badSignature: () => new BinanceError(400, -1022, 'Signature for this request is not valid.'),
  apiKeyFormat: () => new BinanceError(401, -2014, 'API-key format invalid.'),
  apiKeyInvalid: () => new BinanceError(401, -2015, 'Invalid API-key, IP, or permissions for action.'),
  timestamp: () => new BinanceError(400, -1021, 'Timestamp for this request is outside of the recvWindow.'),
  mandatory: (p: string) => new BinanceError(400, -1102, `Mandatory parameter '${p}' was not sent, was empty/null, or malformed.`),
  illegal: (p: string) =>
    new BinanceError(400, -1100, `Illegal characters found in parameter '${p}'; legal range is '^([0-9]{1,20})(\\.[0-9]{1,20})?$'.`),
  badParam: (p: string, v: string) => new BinanceError(400, -1130, `Invalid data sent for a parameter: ${p}=${v}.`),
  invalidSymbol: () => new BinanceError(400, -1121, 'Invalid symbol.'),
  rejected: (msg: string) => new BinanceError(400, -2010, msg),
  filter: (name: 'PRICE_FILTER' | 'LOT_SIZE' | 'NOTIONAL') => new BinanceError(400, -1013, `Filter failure: ${name}`),
  unknownOrder: () => new BinanceError(400, -2011, 'Unknown order sent.'),
  noSuchOrder: () => new BinanceError(400, -2013, 'Order does not exist.'),
  notFound: (path: string) => new BinanceError(404, -1000, `Unknown endpoint ${path}`),
  rateLimited: (limit: number, retryAfterS: number) =>
    new BinanceError(
      429,
      -1003,
      `Too much request weight used; current limit is ${limit} request weight per 1 MINUTE. Please use WebSocket Streams for live updates to avoid polling the API.`,
      { 'Retry-After': String(retryAfterS) },
    ),
  unavailable: (why: string) => new BinanceError(503, -1008, `Service Unavailable. ${why}`),
  internal: (why: string) => new BinanceError(500, -1001, `Internal error; unable to process your request. ${why}`),
  insufficientBalance: () => new BinanceError(400, -2010, 'Account has insufficient balance for requested action.'),
};

/** Failures of the simulated exchange (VenueError) and anything unexpected, as Binance answers them. */
export function toBinanceError(e: unknown, weightLimit: number): BinanceError {
  if (e instanceof BinanceError) return e;
  if (!isVenueError(e)) return errors.internal(e instanceof Error ? e.message : String(e));
  // The simulated exchange prefixes engine rejections with their reason ("DUPLICATE_CLIENT_ORDER_ID: ...").
  const detail = e.message.replace(/^[^:]*: /, '');
  switch (e.code) {
    case 'VENUE.RATE_LIMITED':
      return errors.rateLimited(weightLimit, Math.max(1, Math.ceil((e.retryAfterMs ?? 1000) / 1000)));
    case 'VENUE.UNAVAILABLE':
      return errors.unavailable(detail);
    case 'VENUE.INSUFFICIENT_FUNDS':
      return errors.insufficientBalance();
    case 'VENUE.POST_ONLY_WOULD_CROSS':
      return errors.rejected('Order would immediately match and take.');
    case 'VENUE.ORDER_NOT_FOUND':
      return errors.unknownOrder();
    case 'VENUE.AUTHENTICATION':
      return errors.apiKeyInvalid();
    case 'VENUE.WITHDRAWALS_SUSPENDED':
      return new BinanceError(400, -4019, 'The current currency is not open for withdrawal.');
    case 'VENUE.INVALID_ORDER':
      return /DUPLICATE_CLIENT_ORDER_ID/.test(e.message) ? errors.rejected('Duplicate order sent.') : errors.rejected(detail);
    case 'VENUE.NOT_SUPPORTED':
      return new BinanceError(400, -4003, detail);
    default:
      return errors.internal(detail);
  }
}

const decimalsOf = (s: string): number => (s.includes('.') ? s.split('.')[1]!.replace(/0+$/, '').length : 0);

/** Binance prints amounts with a fixed number of decimals (8, or more when the market needs it). */
export function wireDecimals(m: EngineMarketConfig): number {
  return Math.max(8, decimalsOf(m.tickSize), decimalsOf(m.lotSize), decimalsOf(m.minNotional));
}

export const fixed = (x: string | undefined, dp: number): string => new D(x ?? '0').toFixed(dp);

export const symbolId = (m: EngineMarketConfig): string => `${m.base}${m.quote}`;

/**
 * Binance order and trade ids are integers; the engine's may be any string. Maps both ways,
 * keeping integer ids as they are.
 */
export class IdMap {
  private readonly toNum = new Map<string, number>();
  private readonly fromNum = new Map<number, string>();
  private next = 1;

  wire(id: string): number {
    if (/^\d{1,15}$/.test(id)) return Number(id);
    let n = this.toNum.get(id);
    if (n === undefined) {
      n = this.next++;
      while (this.fromNum.has(n)) n = this.next++;
      this.toNum.set(id, n);
      this.fromNum.set(n, id);
    }
    return n;
  }

  engine(n: string): string | undefined {
    if (!/^\d{1,15}$/.test(n)) return undefined;
    return this.fromNum.get(Number(n)) ?? n;
  }
}

const STATUS: Record<EngineOrder['status'], string> = {
  open: 'NEW',
  partially_filled: 'PARTIALLY_FILLED',
  filled: 'FILLED',
  canceled: 'CANCELED',
  expired: 'EXPIRED',
};

export function orderType(o: Pick<EngineOrder, 'type' | 'postOnly'>): string {
  if (o.type === 'market') return 'MARKET';
  return o.postOnly ? 'LIMIT_MAKER' : 'LIMIT';
}

export interface WireContext {
  market: EngineMarketConfig;
  dp: number;
  orderIds: IdMap;
  tradeIds: IdMap;
}

/** GET /api/v3/order, /api/v3/openOrders entries. */
export function orderJson(ctx: WireContext, o: EngineOrder): Record<string, unknown> {
  const { dp } = ctx;
  return {
    symbol: symbolId(ctx.market),
    orderId: ctx.orderIds.wire(o.orderId),
    orderListId: -1,
    clientOrderId: o.clientOrderId ?? `sim${o.orderId}`,
    price: fixed(o.price, dp),
    origQty: fixed(o.amount, dp),
    executedQty: fixed(o.filled, dp),
    cummulativeQuoteQty: fixed(o.filledQuote, dp),
    status: STATUS[o.status],
    timeInForce: o.postOnly || o.type === 'market' ? 'GTC' : o.timeInForce,
    type: orderType(o),
    side: o.side.toUpperCase(),
    stopPrice: fixed('0', dp),
    icebergQty: fixed('0', dp),
    time: o.timestamp,
    updateTime: o.updatedAt,
    isWorking: true,
    workingTime: o.timestamp,
    origQuoteOrderQty: fixed('0', dp),
    selfTradePreventionMode: 'EXPIRE_MAKER',
  };
}

/** POST /api/v3/order with newOrderRespType=FULL. */
export function newOrderJson(ctx: WireContext, o: EngineOrder, fills: EngineFill[], respType: string): Record<string, unknown> {
  const base = orderJson(ctx, o);
  const ack = { symbol: base.symbol, orderId: base.orderId, orderListId: -1, clientOrderId: base.clientOrderId, transactTime: o.updatedAt };
  if (respType === 'ACK') return ack;
  const { time: _t, updateTime: _u, isWorking: _w, stopPrice: _s, icebergQty: _i, origQuoteOrderQty: _q, ...rest } = base;
  const result = { ...rest, transactTime: o.updatedAt };
  if (respType === 'RESULT') return result;
  return {
    ...result,
    fills: fills.map((f) => ({
      price: fixed(f.price, ctx.dp),
      qty: fixed(f.amount, ctx.dp),
      commission: fixed(f.fee, ctx.dp),
      commissionAsset: f.feeAsset,
      tradeId: ctx.tradeIds.wire(f.tradeId),
    })),
  };
}

/** GET /api/v3/myTrades entries. */
export function myTradeJson(ctx: WireContext, f: EngineFill): Record<string, unknown> {
  const { dp } = ctx;
  return {
    symbol: symbolId(ctx.market),
    id: ctx.tradeIds.wire(f.tradeId),
    orderId: ctx.orderIds.wire(f.orderId),
    orderListId: -1,
    price: fixed(f.price, dp),
    qty: fixed(f.amount, dp),
    quoteQty: fixed(new D(f.price).times(f.amount).toString(), dp),
    commission: fixed(f.fee, dp),
    commissionAsset: f.feeAsset,
    time: f.timestamp,
    isBuyer: f.side === 'buy',
    isMaker: f.liquidity === 'maker',
    isBestMatch: true,
  };
}

/** "2019-10-12 11:12:02", UTC: how Binance writes a withdrawal's applyTime. */
export function binanceDateTime(ms: number): string {
  return new Date(ms).toISOString().replace('T', ' ').slice(0, 19);
}

const WITHDRAW_STATUS: Record<TransferRecord['status'], number> = { pending: 4, confirming: 4, ok: 6, failed: 5, canceled: 1 };
const DEPOSIT_STATUS: Record<TransferRecord['status'], number> = { pending: 0, confirming: 0, ok: 1, failed: 7, canceled: 7 };

/** Binance's network ids for the networks ccxt knows by other codes. */
const NETWORK_IDS: Record<string, string> = { ERC20: 'ETH', TRC20: 'TRX', BEP20: 'BSC', BEP2: 'BNB' };
export const networkId = (name: string): string => NETWORK_IDS[name] ?? name;

export interface TransferWire {
  dp: number;
  /** Confirmations the exchange waits for (Binance shows "n/N"). */
  requiredConfirmations: number;
  /** Keys the emulator made up for requests without withdrawOrderId: not shown back. */
  isGeneratedKey: (key: string) => boolean;
}

/** GET /sapi/v1/capital/withdraw/history entries. */
export function withdrawalJson(w: TransferWire, t: TransferRecord): Record<string, unknown> {
  const key = t.idempotencyKey;
  return {
    id: t.id,
    amount: fixed(t.amount, w.dp),
    transactionFee: fixed(t.fee, w.dp),
    coin: t.asset,
    status: WITHDRAW_STATUS[t.status],
    address: t.address,
    addressTag: t.memo ?? '',
    txId: t.txHash ?? '',
    applyTime: binanceDateTime(t.timestamp),
    network: networkId(t.network),
    transferType: 0,
    ...(key !== undefined && !w.isGeneratedKey(key) ? { withdrawOrderId: key } : {}),
    info: '',
    confirmNo: t.confirmations,
    walletType: 0,
    txKey: '',
  };
}

/** GET /sapi/v1/capital/deposit/hisrec entries. */
export function depositJson(w: TransferWire, t: TransferRecord): Record<string, unknown> {
  return {
    id: t.id,
    amount: fixed(t.amount, w.dp),
    coin: t.asset,
    network: networkId(t.network),
    status: DEPOSIT_STATUS[t.status],
    address: t.address,
    addressTag: t.memo ?? '',
    txId: t.txHash ?? '',
    insertTime: t.timestamp,
    transferType: 0,
    confirmTimes: `${t.confirmations}/${w.requiredConfirmations}`,
    unlockConfirm: w.requiredConfirmations,
    walletType: 0,
  };
}
