// Public API of the simulated matching engine (one engine per market). Implemented in
// sim/engine/matching-engine.ts; used by sim/exchange (accounts, transfers, faults), the
// exchange emulator, the SimVenue adapter and the market agents.
// Amounts and prices cross this API as canonical decimal strings; the engine keeps integers inside.
import type { BookLevel } from '../../domain/order-book';

export type Side = 'buy' | 'sell';

export interface EngineMarketConfig {
  symbol: string; // "BLST/USDT"
  base: string;
  quote: string;
  tickSize: string;
  lotSize: string;
  minNotional: string;
  makerFee: string; // fraction, may be "0" or negative (rebate) — engine must handle "0"
  takerFee: string;
  /** Self-trade prevention: what happens when an account's order would match its own resting order. */
  selfTradePrevention?: 'expire_taker' | 'expire_maker' | 'expire_both';
}

export interface PlaceOrderInput {
  account: string;
  clientOrderId?: string;
  side: Side;
  type: 'limit' | 'market';
  /** Required for limit orders. */
  price?: string;
  /** Base amount. */
  amount: string;
  postOnly?: boolean;
  timeInForce?: 'GTC' | 'IOC' | 'FOK';
}

export type RejectReason =
  | 'INVALID_PRICE' // not a positive multiple of tickSize, or missing on a limit order
  | 'INVALID_AMOUNT' // not a positive multiple of lotSize
  | 'MIN_NOTIONAL'
  | 'POST_ONLY_WOULD_CROSS'
  | 'INSUFFICIENT_FUNDS'
  | 'DUPLICATE_CLIENT_ORDER_ID'
  | 'UNKNOWN_ACCOUNT'
  | 'NO_LIQUIDITY'; // market order on an empty side, FOK not fully fillable

export type EngineOrderStatus = 'open' | 'partially_filled' | 'filled' | 'canceled' | 'expired';

export interface EngineOrder {
  orderId: string;
  clientOrderId?: string;
  account: string;
  side: Side;
  type: 'limit' | 'market';
  price?: string;
  amount: string;
  filled: string;
  /** Quote spent/received so far (sum of price × amount of fills). */
  filledQuote: string;
  status: EngineOrderStatus;
  postOnly: boolean;
  timeInForce: 'GTC' | 'IOC' | 'FOK';
  timestamp: number;
  updatedAt: number;
}

export interface EngineFill {
  tradeId: string;
  orderId: string;
  clientOrderId?: string;
  account: string;
  side: Side;
  price: string;
  amount: string;
  fee: string;
  /** Fee is charged in the asset received: base for buys, quote for sells. */
  feeAsset: string;
  liquidity: 'maker' | 'taker';
  timestamp: number;
}

export interface EngineTrade {
  tradeId: string;
  price: string;
  amount: string;
  takerSide: Side;
  makerAccount: string;
  takerAccount: string;
  timestamp: number;
}

export type PlaceResult =
  | { ok: true; order: EngineOrder; fills: EngineFill[] }
  | { ok: false; reason: RejectReason; message: string };

export interface EngineBalance {
  asset: string;
  free: string;
  locked: string;
}

export interface BookView {
  bids: BookLevel[];
  asks: BookLevel[];
  timestamp: number;
  /** Increments on every book change; lets stream consumers detect gaps. */
  sequence: number;
}

export interface EngineListener {
  onTrade?(trade: EngineTrade): void;
  onFill?(fill: EngineFill): void;
  onOrderUpdate?(order: EngineOrder): void;
  /** Called after any change to the visible book (debounce in the consumer if needed). */
  onBookChange?(sequence: number): void;
}

export interface MatchingEngineApi {
  readonly market: EngineMarketConfig;
  placeOrder(input: PlaceOrderInput): PlaceResult;
  cancelOrder(account: string, ref: { orderId?: string; clientOrderId?: string }): EngineOrder | undefined;
  cancelAll(account: string): EngineOrder[];
  getOrder(account: string, ref: { orderId?: string; clientOrderId?: string }): EngineOrder | undefined;
  openOrders(account: string): EngineOrder[];
  myTrades(account: string, sinceMs?: number): EngineFill[];
  recentTrades(limit: number): EngineTrade[];
  book(depth: number): BookView;
  bestBid(): string | undefined;
  bestAsk(): string | undefined;
  /** Balances live in the engine so that holds and fills settle atomically with matching. */
  credit(account: string, asset: string, amount: string): void;
  /** Moves `amount` of free balance out (withdrawal); throws if free < amount. */
  debit(account: string, asset: string, amount: string): void;
  /** Holds free balance (e.g. a pending withdrawal); `release` returns it to free, `consume` removes it. */
  hold(account: string, asset: string, amount: string): void;
  release(account: string, asset: string, amount: string): void;
  consume(account: string, asset: string, amount: string): void;
  balances(account: string): EngineBalance[];
  subscribe(listener: EngineListener): () => void;
}
