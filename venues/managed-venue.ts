// ManagedVenue: the one place the order lifecycle lives, around any VenueAdapter.
//   client order id → track before send → quantize to tick/lot → min-notional check → send →
//   reconcile (open orders, lookups of unsettled orders, lost after repeated "not found") →
//   fills de-duplicated by trade id.
// Adapters only translate a venue's wire protocol; strategies and workflows talk to this.
import type { OrderBookSnapshot } from '../domain/order-book';
import { quantizeOrder } from '../domain/quantize';
import { OrderTracker, isTerminal, type TrackedOrder } from './order-tracker';
import { VenueError, isVenueError } from './venue-errors';
import type {
  Balance,
  DepositAddress,
  Fill,
  MarketRules,
  OrderRequest,
  TransferRecord,
  VenueAdapter,
  VenueHealth,
  WithdrawRequest,
} from './venue.port';

export interface ManagedVenueOptions {
  now: () => number;
  /** Prefix of generated client order ids; unique per process/run (venues reject duplicates). */
  clientIdPrefix: string;
  /** "Not found" answers in a row before an unsettled order is declared lost. */
  maxNotFound?: number;
}

/** Rejections that prove the venue did not accept the order. Anything else leaves it `pending`. */
const DEFINITE_REJECTIONS = new Set(['VENUE.INVALID_ORDER', 'VENUE.POST_ONLY_WOULD_CROSS', 'VENUE.INSUFFICIENT_FUNDS', 'VENUE.AUTHENTICATION', 'VENUE.NOT_SUPPORTED']);

export class ManagedVenue {
  readonly tracker: OrderTracker;
  private rulesCache?: MarketRules;
  private seq = 0;
  private lastFillSync = 0;

  constructor(
    readonly adapter: VenueAdapter,
    private readonly opts: ManagedVenueOptions,
  ) {
    this.tracker = new OrderTracker(opts.maxNotFound ?? 3);
  }

  get id(): string {
    return this.adapter.id;
  }

  async rules(): Promise<MarketRules> {
    this.rulesCache ??= await this.adapter.loadMarket();
    return this.rulesCache;
  }

  private require<K extends keyof VenueAdapter>(name: K): NonNullable<VenueAdapter[K]> {
    const fn = this.adapter[name];
    if (typeof fn !== 'function') throw new VenueError('VENUE.NOT_SUPPORTED', this.id, `${String(name)} is not supported by this venue`);
    return (fn as (...a: unknown[]) => unknown).bind(this.adapter) as NonNullable<VenueAdapter[K]>;
  }

  nextClientOrderId(): string {
    this.seq += 1;
    return `${this.opts.clientIdPrefix}-${this.seq}`;
  }

  /**
   * Places an order. Local rule violations throw VenueError('VENUE.INVALID_ORDER') before anything
   * is sent. A definite venue rejection marks the order rejected and rethrows; an unknown outcome
   * (timeout, outage) leaves it `pending` for `reconcile()` to resolve, and rethrows.
   */
  async placeOrder(req: OrderRequest): Promise<TrackedOrder> {
    const submit = this.require('submitOrder');
    const rules = await this.rules();
    const q = quantizeOrder(req, rules);
    if (!q.ok) throw new VenueError('VENUE.INVALID_ORDER', this.id, q.message);
    const clientOrderId = req.clientOrderId ?? this.nextClientOrderId();
    const now = this.opts.now();
    this.tracker.track({ clientOrderId, side: req.side, price: q.price, amount: q.amount, postOnly: req.postOnly, now });
    try {
      const v = await submit({ clientOrderId, side: req.side, price: q.price, amount: q.amount, postOnly: req.postOnly, timeInForce: req.timeInForce ?? 'GTC' });
      return this.tracker.applyVenueOrder({ ...v, clientOrderId }, this.opts.now()) ?? this.tracker.get(clientOrderId)!;
    } catch (e) {
      if (isVenueError(e) && DEFINITE_REJECTIONS.has(e.code)) this.tracker.reject(clientOrderId, e.code, this.opts.now());
      throw e;
    }
  }

  async cancelOrder(clientOrderId: string): Promise<TrackedOrder | undefined> {
    const cancel = this.require('cancelOrder');
    const o = this.tracker.get(clientOrderId);
    if (!o) throw new VenueError('VENUE.ORDER_NOT_FOUND', this.id, `order ${clientOrderId} is not tracked here`);
    if (isTerminal(o.status)) return o;
    try {
      await cancel({ clientOrderId, ...(o.venueOrderId ? { venueOrderId: o.venueOrderId } : {}) });
    } catch (e) {
      // Already gone at the venue (filled or canceled): reconcile finds out which.
      if (!isVenueError(e, 'VENUE.ORDER_NOT_FOUND')) throw e;
    }
    await this.refreshOrder(clientOrderId);
    return this.tracker.get(clientOrderId);
  }

  private async refreshOrder(clientOrderId: string): Promise<void> {
    const fetchOrder = this.require('fetchOrder');
    const o = this.tracker.get(clientOrderId);
    if (!o) return;
    const v = await fetchOrder({ clientOrderId, ...(o.venueOrderId ? { venueOrderId: o.venueOrderId } : {}) });
    if (v) this.tracker.applyVenueOrder({ ...v, clientOrderId }, this.opts.now());
    else this.tracker.markNotFound(clientOrderId, this.opts.now());
  }

  /** New fills since the last sync, de-duplicated by trade id. */
  async syncFills(): Promise<Fill[]> {
    const fetchMyTrades = this.require('fetchMyTrades');
    const since = this.lastFillSync;
    const fills = await fetchMyTrades(since > 0 ? since - 1 : undefined);
    const fresh = fills.filter((f) => this.tracker.applyFill(f, this.opts.now()));
    for (const f of fills) this.lastFillSync = Math.max(this.lastFillSync, f.timestamp);
    return fresh;
  }

  /**
   * Brings tracked state in line with the venue: open orders, fills, then a lookup of every order
   * still unsettled that the venue no longer lists (pending after a timeout, or silently gone).
   */
  async reconcile(): Promise<{ open: number; updated: number; lost: number; fills: number }> {
    const fetchOpenOrders = this.require('fetchOpenOrders');
    const open = await fetchOpenOrders();
    const now = this.opts.now();
    const listed = new Set<string>();
    for (const v of open) {
      const t = this.tracker.applyVenueOrder(v, now);
      if (t) listed.add(t.clientOrderId);
    }
    const fills = await this.syncFills();
    let updated = 0;
    let lost = 0;
    for (const o of this.tracker.unsettled()) {
      if (listed.has(o.clientOrderId)) continue;
      await this.refreshOrder(o.clientOrderId);
      updated += 1;
      if (this.tracker.get(o.clientOrderId)?.status === 'lost') lost += 1;
    }
    return { open: open.length, updated, lost, fills: fills.length };
  }

  /** Orders open, partially filled or pending (the tracker's unsettled ones), in the order they were placed. */
  openOrders(): TrackedOrder[] {
    return this.tracker.unsettled();
  }

  async fetchOrderBook(limit?: number): Promise<OrderBookSnapshot> {
    return this.adapter.fetchOrderBook(limit);
  }
  async fetchBalances(): Promise<Balance[]> {
    return this.adapter.fetchBalances();
  }
  async health(): Promise<VenueHealth> {
    return this.adapter.health();
  }
  async fetchDepositAddress(asset: string, network?: string): Promise<DepositAddress> {
    return this.require('fetchDepositAddress')(asset, network);
  }
  async withdraw(req: WithdrawRequest): Promise<TransferRecord> {
    return this.require('withdraw')(req);
  }
  async fetchWithdrawals(asset?: string, sinceMs?: number): Promise<TransferRecord[]> {
    return this.require('fetchWithdrawals')(asset, sinceMs);
  }
  async fetchDeposits(asset?: string, sinceMs?: number): Promise<TransferRecord[]> {
    return this.require('fetchDeposits')(asset, sinceMs);
  }
}
