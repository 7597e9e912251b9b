// The Venue port: one interface for every venue (simulated CEX, any ccxt exchange, Uniswap pools).
// Adapters implement `VenueAdapter` — venue-specific hooks only. The order lifecycle (client order
// ids, track-before-send, quantize, min notional, reconcile, lost orders, fill de-duplication) is
// owned once, by `ManagedVenue` in venues/managed-venue.ts, which wraps any adapter.
//
// Every amount and price crossing this port is a canonical decimal string (domain/money.ts `fmt`).
import type { OrderBookSnapshot } from '../domain/order-book';
import type { MarketRules, PublicTrade, Side } from '../domain/market.types';

export type { MarketRules, PublicTrade, Side } from '../domain/market.types';

export interface VenueCapabilities {
  /** Resting limit orders (CEX). An AMM has none: it swaps. */
  limitOrders: boolean;
  /** Swaps against a pool with a slippage limit (AMM). */
  swaps: boolean;
  /** Deposits and withdrawals through the venue. */
  transfers: boolean;
  /** Push streams of book and trades (otherwise the caller polls). */
  streams: boolean;
  /**
   * Withdrawals are de-duplicated by the request's idempotency key (a client withdrawal id the
   * exchange enforces): a retry with the same key can never make a second withdrawal. Absent or
   * false: the withdraw activity's intents and history lookup (domain/treasury/withdrawal-intent.ts).
   */
  withdrawalClientIds?: boolean;
}

/** What a strategy asks for. `clientOrderId` is assigned by ManagedVenue if absent. */
export interface OrderRequest {
  side: Side;
  price: string;
  amount: string;
  /** Post-only (maker) when quoting; taker orders only when a workflow asks for them. */
  postOnly: boolean;
  timeInForce?: 'GTC' | 'IOC';
  clientOrderId?: string;
}

/** An order already quantized to tick/lot and checked for min notional: what adapters receive. */
export interface SubmitOrder {
  clientOrderId: string;
  side: Side;
  price: string;
  amount: string;
  postOnly: boolean;
  timeInForce: 'GTC' | 'IOC';
}

export type OrderStatus = 'pending' | 'open' | 'partially_filled' | 'filled' | 'canceled' | 'rejected' | 'lost';

/** An order as the venue reports it. */
export interface VenueOrder {
  venueOrderId: string;
  clientOrderId?: string;
  side: Side;
  price: string;
  amount: string;
  filled: string;
  status: Exclude<OrderStatus, 'pending' | 'lost'>;
  /** Epoch ms. */
  timestamp: number;
}

export interface Fill {
  /** Venue trade id: the de-duplication key. */
  tradeId: string;
  venueOrderId: string;
  clientOrderId?: string;
  side: Side;
  price: string;
  amount: string;
  fee: string;
  feeAsset: string;
  liquidity: 'maker' | 'taker';
  timestamp: number;
}

export interface Balance {
  asset: string;
  free: string;
  /** Held by open orders or pending withdrawals. */
  locked: string;
  total: string;
}

export interface DepositAddress {
  asset: string;
  address: string;
  network: string;
  /** The memo / tag deposits to this address must carry (shared-address networks). */
  tag?: string;
}

export interface WithdrawRequest {
  asset: string;
  amount: string;
  address: string;
  network: string;
  /** The destination's memo / tag (ccxt's `tag`), from its whitelist entry. */
  memo?: string;
  /** Derived from workflow id + step; a venue that supports it refuses a second withdrawal with the same key. */
  idempotencyKey: string;
}

export type TransferStatus = 'pending' | 'confirming' | 'ok' | 'failed' | 'canceled';

export interface TransferRecord {
  id: string;
  type: 'deposit' | 'withdrawal';
  asset: string;
  amount: string;
  fee: string;
  address: string;
  network: string;
  /** The memo / tag the transfer carried, where the venue reports one. */
  memo?: string;
  txHash?: string;
  confirmations: number;
  status: TransferStatus;
  idempotencyKey?: string;
  timestamp: number;
}

export interface VenueHealth {
  ok: boolean;
  /** Round-trip of the health probe, ms. */
  latencyMs?: number;
  reason?: string;
  checkedAt: number;
}

export type Unsubscribe = () => void;

/** Venue-specific hooks. Throw `VenueError` (venues/venue-errors.ts) for every venue failure. */
export interface VenueAdapter {
  readonly id: string;
  readonly capabilities: VenueCapabilities;
  loadMarket(): Promise<MarketRules>;
  fetchOrderBook(limit?: number): Promise<OrderBookSnapshot>;
  /** Push updates of the book (snapshot per update); only when capabilities.streams. */
  watchOrderBook?(onBook: (book: OrderBookSnapshot) => void, onError: (e: Error) => void): Unsubscribe;
  watchTrades?(onTrades: (trades: PublicTrade[]) => void, onError: (e: Error) => void): Unsubscribe;
  fetchBalances(): Promise<Balance[]>;
  /** Limit-order venues only. */
  submitOrder?(order: SubmitOrder): Promise<VenueOrder>;
  cancelOrder?(ref: { venueOrderId?: string; clientOrderId: string }): Promise<void>;
  fetchOrder?(ref: { venueOrderId?: string; clientOrderId: string }): Promise<VenueOrder | undefined>;
  fetchOpenOrders?(): Promise<VenueOrder[]>;
  fetchMyTrades?(sinceMs?: number): Promise<Fill[]>;
  /** Transfer venues only. */
  fetchDepositAddress?(asset: string, network?: string): Promise<DepositAddress>;
  withdraw?(req: WithdrawRequest): Promise<TransferRecord>;
  /** The venue's published withdrawal fee for an asset (charged on top of the amount), where it publishes one. */
  withdrawalFee?(asset: string): Promise<string>;
  fetchDeposits?(asset?: string, sinceMs?: number): Promise<TransferRecord[]>;
  fetchWithdrawals?(asset?: string, sinceMs?: number): Promise<TransferRecord[]>;
  health(): Promise<VenueHealth>;
  close?(): Promise<void>;
}
