// A VenueAdapter for one account on one SimExchange: the simulated venue as a client sees it, with
// the exchange's latency, rate limits and faults. Only translation lives here (engine types → the
// port's types); the order lifecycle is ManagedVenue's.
import type { OrderBookSnapshot } from '../../domain/order-book';
import type { BookView, EngineFill, EngineOrder } from '../../sim/engine/engine.types';
import { REQUEST_WEIGHTS, type SimExchange } from '../../sim/exchange/sim-exchange';
import { VenueError, isVenueError } from '../venue-errors';
import type {
  Balance,
  DepositAddress,
  Fill,
  MarketRules,
  PublicTrade,
  SubmitOrder,
  TransferRecord,
  Unsubscribe,
  VenueAdapter,
  VenueCapabilities,
  VenueHealth,
  VenueOrder,
  WithdrawRequest,
} from '../venue.port';
import { D, fmt } from '../../domain/money';

/** Levels a side in streamed snapshots and in fetchOrderBook without a limit. */
const DEFAULT_DEPTH = 50;

export interface SimVenueOptions {
  /** Venue id as the rest of Ballast knows it; defaults to the exchange id. */
  id?: string;
  /** Levels a side for streamed book snapshots. */
  streamDepth?: number;
}

export class SimVenue implements VenueAdapter {
  readonly id: string;
  readonly capabilities: VenueCapabilities = { limitOrders: true, swaps: false, transfers: true, streams: true, withdrawalClientIds: true };
  private readonly streamDepth: number;
  private readonly unsubscribers = new Set<Unsubscribe>();

  constructor(
    readonly exchange: SimExchange,
    readonly account: string,
    opts: SimVenueOptions = {},
  ) {
    this.id = opts.id ?? exchange.id;
    this.streamDepth = opts.streamDepth ?? DEFAULT_DEPTH;
  }

  async loadMarket(): Promise<MarketRules> {
    const m = this.exchange.market;
    return this.exchange.request(this.account, REQUEST_WEIGHTS.market, () => ({
      symbol: m.symbol,
      base: m.base,
      quote: m.quote,
      tickSize: fmt(m.tickSize),
      lotSize: fmt(m.lotSize),
      minNotional: fmt(m.minNotional),
      makerFee: fmt(m.makerFee),
      takerFee: fmt(m.takerFee),
    }));
  }

  async fetchOrderBook(limit?: number): Promise<OrderBookSnapshot> {
    return this.snapshot(await this.exchange.fetchBook(this.account, limit ?? DEFAULT_DEPTH));
  }

  watchOrderBook(onBook: (book: OrderBookSnapshot) => void, onError: (e: Error) => void): Unsubscribe {
    return this.track(this.exchange.watchBook(this.streamDepth, (view) => onBook(this.snapshot(view)), onError));
  }

  watchTrades(onTrades: (trades: PublicTrade[]) => void, onError: (e: Error) => void): Unsubscribe {
    const off = this.exchange.watchTrades(
      (trades) => onTrades(trades.map((t) => ({ tradeId: t.tradeId, price: t.price, amount: t.amount, side: t.takerSide, timestamp: t.timestamp }))),
      onError,
    );
    return this.track(off);
  }

  async fetchBalances(): Promise<Balance[]> {
    const balances = await this.exchange.fetchBalances(this.account);
    return balances.map((b) => ({ asset: b.asset, free: b.free, locked: b.locked, total: fmt(new D(b.free).plus(b.locked)) }));
  }

  async submitOrder(order: SubmitOrder): Promise<VenueOrder> {
    const { order: placed } = await this.exchange.placeOrder(this.account, {
      clientOrderId: order.clientOrderId,
      side: order.side,
      type: 'limit',
      price: order.price,
      amount: order.amount,
      postOnly: order.postOnly,
      timeInForce: order.timeInForce,
    });
    return toVenueOrder(placed);
  }

  async cancelOrder(ref: { venueOrderId?: string; clientOrderId: string }): Promise<void> {
    await this.exchange.cancelOrder(this.account, engineRef(ref));
  }

  async fetchOrder(ref: { venueOrderId?: string; clientOrderId: string }): Promise<VenueOrder | undefined> {
    const o = await this.exchange.getOrder(this.account, engineRef(ref));
    return o && toVenueOrder(o);
  }

  async fetchOpenOrders(): Promise<VenueOrder[]> {
    return (await this.exchange.openOrders(this.account)).map(toVenueOrder);
  }

  async fetchMyTrades(sinceMs?: number): Promise<Fill[]> {
    return (await this.exchange.myTrades(this.account, sinceMs)).map(toFill);
  }

  async fetchDepositAddress(asset: string, network?: string): Promise<DepositAddress> {
    if (network !== undefined && network !== this.exchange.network) {
      throw new VenueError('VENUE.NOT_SUPPORTED', this.id, `deposits of ${asset} on network "${network}" (this venue supports ${this.exchange.network})`);
    }
    const address = await this.exchange.depositAddress(this.account, asset);
    const tag = await this.exchange.depositMemo(this.account);
    return { asset, address, network: this.exchange.network, ...(tag !== undefined ? { tag } : {}) };
  }

  withdrawalFee(asset: string): Promise<string> {
    const fee = this.exchange.withdrawalFee(asset);
    if (fee === undefined) return Promise.reject(new VenueError('VENUE.NOT_SUPPORTED', this.id, `withdrawals of ${asset} are not supported`));
    return Promise.resolve(fee);
  }

  async withdraw(req: WithdrawRequest): Promise<TransferRecord> {
    return this.exchange.withdraw(this.account, req);
  }

  async fetchDeposits(asset?: string, sinceMs?: number): Promise<TransferRecord[]> {
    return this.exchange.deposits(this.account, asset, sinceMs);
  }

  async fetchWithdrawals(asset?: string, sinceMs?: number): Promise<TransferRecord[]> {
    return this.exchange.withdrawals(this.account, asset, sinceMs);
  }

  async health(): Promise<VenueHealth> {
    const clock = this.exchange.clock;
    const sent = clock.now();
    try {
      await this.exchange.ping(this.account);
      return { ok: true, latencyMs: clock.now() - sent, checkedAt: clock.now() };
    } catch (e) {
      // A 429 is an answer: the venue is up, we are only throttled.
      if (isVenueError(e, 'VENUE.RATE_LIMITED')) return { ok: true, latencyMs: clock.now() - sent, reason: 'rate limited', checkedAt: clock.now() };
      return { ok: false, reason: e instanceof Error ? e.message : String(e), checkedAt: clock.now() };
    }
  }

  async close(): Promise<void> {
    for (const off of this.unsubscribers) off();
    this.unsubscribers.clear();
  }

  private snapshot(view: BookView): OrderBookSnapshot {
    return { venue: this.id, market: this.exchange.market.symbol, timestamp: view.timestamp, bids: view.bids, asks: view.asks };
  }

  private track(off: Unsubscribe): Unsubscribe {
    const wrapped = (): void => {
      off();
      this.unsubscribers.delete(wrapped);
    };
    this.unsubscribers.add(wrapped);
    return wrapped;
  }
}

function engineRef(ref: { venueOrderId?: string; clientOrderId: string }): { orderId?: string; clientOrderId?: string } {
  return ref.venueOrderId !== undefined ? { orderId: ref.venueOrderId } : { clientOrderId: ref.clientOrderId };
}

export function toVenueOrder(o: EngineOrder): VenueOrder {
  return {
    venueOrderId: o.orderId,
    ...(o.clientOrderId === undefined ? {} : { clientOrderId: o.clientOrderId }),
    side: o.side,
    // Limit orders only through this adapter; a market order (placed by an agent) reports its fill price.
    price: o.price ?? averagePrice(o),
    amount: o.amount,
    filled: o.filled,
    // An IOC remainder the engine expired is, to a client, a canceled order.
    status: o.status === 'expired' ? 'canceled' : o.status,
    timestamp: o.timestamp,
  };
}

function averagePrice(o: EngineOrder): string {
  return new D(o.filled).isZero() ? '0' : fmt(new D(o.filledQuote).div(o.filled));
}

export function toFill(f: EngineFill): Fill {
  return {
    tradeId: f.tradeId,
    venueOrderId: f.orderId,
    ...(f.clientOrderId === undefined ? {} : { clientOrderId: f.clientOrderId }),
    side: f.side,
    price: f.price,
    amount: f.amount,
    fee: f.fee,
    feeAsset: f.feeAsset,
    liquidity: f.liquidity,
    timestamp: f.timestamp,
  };
}
