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
  /**
   * Self-trade prevention: what happens when an account's order would match its own resting order
   * (default 'expire_maker', like Binance). An account never trades with itself in any mode.
   * - expire_maker: the resting order is expired (status 'expired', hold released) and matching continues.
   * - expire_taker: the incoming order's unfilled rest is expired (fills before that point stand);
   *   the resting order stays.
   * - expire_both: both are expired.
   */
  selfTradePrevention?: 'expire_taker' | 'expire_maker' | 'expire_both';
  /** Account that receives fees (default "__fees__"); it may go negative in an asset when rebates exceed fees. */
  feeAccount?: string;
  /** Smallest balance unit of base/quote as decimals (default max(8, what tick/lot need)). Balances are
   *  exact integers of that unit; an asset's total in the engine must stay below 2^53 units. */
  baseDecimals?: number;
  quoteDecimals?: number;
  /** Size of recentTrades, each account's myTrades, and the finished orders getOrder still finds (default 10,000). */
  historyLimit?: number;
}

export interface PlaceOrderInput {
  account: string;
  clientOrderId?: string;
  side: Side;
  type: 'limit' | 'market';
  /** Required for limit orders. */
  price?: string;
  /** Base amount. A market buy fills only what the account's free quote affords, lot by lot; the rest expires. */
  amount: string;
  postOnly?: boolean;
  /** Default GTC for limit orders; market orders never rest (IOC, or FOK: all or rejected with NO_LIQUIDITY). */
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

/** `flags` of the numeric fast path (bitwise OR). */
export const ORDER_FLAGS = { POST_ONLY: 1, IOC: 2, FOK: 4 } as const;

/**
 * Optional extension implemented by MatchingEngine: a numeric fast path for the simulator's hot loop
 * and benchmarks, sharing the same core (rules, STP, holds, fees, events) as the string API.
 * Prices are integer ticks (price / tickSize), amounts integer lots (amount / lotSize).
 */
export interface MatchingEngineFastPath {
  readonly feeAccount: string;
  /** Book sequence as last announced by onBookChange. */
  readonly bookSequence: number;
  /** Returns the order number (> 0) when accepted (even if it then filled or expired at once),
   *  or a negative code: `rejectReason(code)` names it. `flags`: ORDER_FLAGS (default GTC). */
  placeLimitTicks(account: string, side: Side, priceTicks: number, lots: number, flags?: number): number;
  /** Market order by base lots (IOC unless flags has FOK). */
  placeMarketLots(account: string, side: Side, lots: number, flags?: number): number;
  /** Cancels an open order by number; false if it is not open. */
  cancelById(orderNo: number): boolean;
  rejectReason(code: number): RejectReason | undefined;
  /** Remaining lots of an open order; 0 if it is not open. */
  openLots(orderNo: number): number;
  bestBidTicks(): number; // 0 when there is no bid
  bestAskTicks(): number; // 0 when there is no ask
  priceToTicks(price: string): number | undefined;
  amountToLots(amount: string): number | undefined;
  ticksToPrice(ticks: number): string;
  lotsToAmount(lots: number): string;
  orderIdOf(orderNo: number): string;
  orderNoOf(orderId: string): number | undefined;
  /** Decimals of an asset's smallest unit (amounts given to credit/debit/hold must fit it). */
  assetDecimals(asset: string): number | undefined;
  accountNames(): string[];
}
