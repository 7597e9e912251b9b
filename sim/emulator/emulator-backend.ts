// What the exchange emulator needs from the simulated exchange behind it. SimExchange
// (sim/exchange/sim-exchange.ts) satisfies it as it is: every call goes through its latency, rate
// limits and faults and fails with `VenueError`s, which the emulator turns into Binance errors.
// The wire protocol (binance-*.ts) never touches the matching engine directly.
import type { TransferRecord, WithdrawRequest } from '../../venues/venue.port';
import type { Clock } from '../../domain/clock';
import type { BookView, EngineBalance, EngineFill, EngineMarketConfig, EngineOrder, EngineTrade, PlaceOrderInput } from '../engine/engine.types';

export type OrderRef = { orderId?: string; clientOrderId?: string };
export type Unsubscribe = () => void;

export interface EmulatorBackend {
  readonly market: EngineMarketConfig;
  readonly clock: Clock;
  /** The one network the exchange withdraws on, as it names it ("ERC20"). */
  readonly network: string;
  ping(account: string): Promise<number>;
  fetchBook(account: string, depth: number): Promise<BookView>;
  fetchRecentTrades(account: string, limit: number): Promise<EngineTrade[]>;
  fetchBalances(account: string): Promise<EngineBalance[]>;
  placeOrder(account: string, input: Omit<PlaceOrderInput, 'account'>): Promise<{ order: EngineOrder; fills: EngineFill[] }>;
  /** Rejects with VENUE.ORDER_NOT_FOUND when there is no open order. */
  cancelOrder(account: string, ref: OrderRef): Promise<EngineOrder>;
  getOrder(account: string, ref: OrderRef): Promise<EngineOrder | undefined>;
  openOrders(account: string): Promise<EngineOrder[]>;
  myTrades(account: string, sinceMs?: number): Promise<EngineFill[]>;
  depositAddress(account: string, asset: string): Promise<string>;
  /** The memo / tag deposits to the account must carry, where it has one (the answer's `tag`). */
  depositMemo?(account: string, asset: string): Promise<string | undefined>;
  /** Idempotent on `idempotencyKey`. */
  withdraw(account: string, req: WithdrawRequest): Promise<TransferRecord>;
  deposits(account: string, asset?: string, sinceMs?: number): Promise<TransferRecord[]>;
  withdrawals(account: string, asset?: string, sinceMs?: number): Promise<TransferRecord[]>;
  /** Book snapshots after every change (coalesced per instant), one on subscribe. */
  watchBook(depth: number, onBook: (book: BookView) => void, onError: (e: Error) => void): Unsubscribe;
  watchTrades(onTrades: (trades: EngineTrade[]) => void, onError: (e: Error) => void): Unsubscribe;
}
