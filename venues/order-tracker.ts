// Order state owned once for every venue: orders are tracked BEFORE they are sent, updated from
// venue reports, fills are de-duplicated by trade id, and an order the venue keeps not finding is
// marked lost. State is plain data; every update replaces the record.
// Memory is bounded: a long-running quoter settles thousands of orders an hour, so only the newest
// `maxTerminal` settled orders and `maxFills` fills (and their trade ids) are kept; live orders always are.
import { D, fmt } from '../domain/money';
import type { Fill, OrderStatus, Side, VenueOrder } from './venue.port';

export interface TrackedOrder {
  clientOrderId: string;
  venueOrderId?: string;
  side: Side;
  price: string;
  amount: string;
  /** max(what the venue reported, the sum of de-duplicated fills): the two views never double count. */
  filled: string;
  reportedFilled: string;
  fillsFilled: string;
  status: OrderStatus;
  postOnly: boolean;
  createdAt: number;
  updatedAt: number;
  /** Consecutive "not found" answers while the order was believed live. */
  notFound: number;
  rejectReason?: string;
}

const TERMINAL: ReadonlySet<OrderStatus> = new Set(['filled', 'canceled', 'rejected', 'lost']);
export const isTerminal = (s: OrderStatus) => TERMINAL.has(s);

/** `{ ...o, ...changes }` (a new record, same keys in the same order) without the cost of V8's object spread. */
function update(o: TrackedOrder, changes: Partial<TrackedOrder>): TrackedOrder {
  return Object.assign({}, o, changes);
}

export interface OrderTrackerLimits {
  /** Settled (filled, canceled, rejected, lost) orders kept for look-ups; older ones are forgotten. Default 2000. */
  maxTerminal?: number;
  /** Fills (and trade ids for de-duplication) kept; older ones are forgotten. Default 10 000. */
  maxFills?: number;
}

export class OrderTracker {
  private readonly orders = new Map<string, TrackedOrder>();
  private readonly byVenueId = new Map<string, string>();
  private readonly seenTrades = new Set<string>();
  private fillLog: Fill[] = [];
  /** Fills forgotten from the front of fillLog: fill n (since start) is fillLog[n - fillsDropped]. */
  private fillsDropped = 0;
  /** Settled orders' ids, oldest settled first: the eviction order. */
  private readonly settled = new Map<string, true>();
  private readonly maxTerminal: number;
  private readonly maxFills: number;
  /**
   * The unsettled orders' ids with their tracking order: the quoting loop reads them several times per
   * cycle, and scanning every order ever tracked made each read O(orders since start).
   */
  private readonly open = new Map<string, number>();
  private readonly seqOf = new Map<string, number>();
  private nextSeq = 0;
  /** An order came back from `lost` after newer ones: `open` must be re-sorted before it is read. */
  private reordered = false;
  /** Bumped on every change: a reader may reuse what it derived from the orders while it is unchanged. */
  version = 0;

  constructor(
    private readonly maxNotFound = 3,
    limits: OrderTrackerLimits = {},
  ) {
    this.maxTerminal = limits.maxTerminal ?? 2_000;
    this.maxFills = limits.maxFills ?? 10_000;
    if (!(this.maxTerminal >= 0) || !(this.maxFills >= 1)) throw new Error(`OrderTracker: bad limits ${JSON.stringify(limits)}`);
  }

  /** How many orders and fills are held now (what the limits bound). */
  size(): { orders: number; settled: number; fills: number; tradeIds: number } {
    return { orders: this.orders.size, settled: this.settled.size, fills: this.fillLog.length, tradeIds: this.seenTrades.size };
  }

  /** Record an order about to be sent (status `pending`), so a crash or timeout never loses it. */
  track(o: { clientOrderId: string; side: Side; price: string; amount: string; postOnly: boolean; now: number }): TrackedOrder {
    if (this.orders.has(o.clientOrderId)) throw new Error(`client order id ${o.clientOrderId} is already tracked`);
    const { now, ...rest } = o;
    // Object.assign onto the fresh rest object, not a spread: same keys in the same order, and V8's
    // object spread of a record plus overrides is several times slower (every update copies a record).
    const t: TrackedOrder = Object.assign(rest, { filled: '0', reportedFilled: '0', fillsFilled: '0', status: 'pending' as const, createdAt: now, updatedAt: now, notFound: 0 });
    this.orders.set(o.clientOrderId, t);
    const seq = this.nextSeq++;
    this.seqOf.set(o.clientOrderId, seq);
    this.open.set(o.clientOrderId, seq);
    this.version++;
    return t;
  }

  get(clientOrderId: string): TrackedOrder | undefined {
    return this.orders.get(clientOrderId);
  }

  findByVenueId(venueOrderId: string): TrackedOrder | undefined {
    const c = this.byVenueId.get(venueOrderId);
    return c === undefined ? undefined : this.orders.get(c);
  }

  all(): TrackedOrder[] {
    return [...this.orders.values()];
  }

  /** Orders believed live or whose fate is unknown: what reconciliation must look at. */
  unsettled(): TrackedOrder[] {
    if (this.reordered) {
      const sorted = [...this.open].sort((a, b) => a[1] - b[1]);
      this.open.clear();
      for (const [id, seq] of sorted) this.open.set(id, seq);
      this.reordered = false;
    }
    const out: TrackedOrder[] = [];
    for (const id of this.open.keys()) out.push(this.orders.get(id)!);
    return out;
  }

  private put(o: TrackedOrder): TrackedOrder {
    this.orders.set(o.clientOrderId, o);
    this.version++;
    const id = o.clientOrderId;
    if (isTerminal(o.status)) {
      this.open.delete(id);
      if (!this.settled.has(id)) {
        this.settled.set(id, true);
        this.evictSettled();
      }
    } else if (!this.open.has(id)) {
      this.settled.delete(id);
      // Back from `lost`: it goes after newer orders in the Map, so the next read re-sorts.
      this.open.set(id, this.seqOf.get(id)!);
      this.reordered = true;
    }
    if (o.venueOrderId) this.byVenueId.set(o.venueOrderId, o.clientOrderId);
    return o;
  }

  /** Forgets the oldest settled orders beyond maxTerminal (never a live one). */
  private evictSettled(): void {
    for (const id of this.settled.keys()) {
      if (this.settled.size <= this.maxTerminal) return;
      this.settled.delete(id);
      const o = this.orders.get(id);
      this.orders.delete(id);
      this.seqOf.delete(id);
      if (o?.venueOrderId !== undefined && this.byVenueId.get(o.venueOrderId) === id) this.byVenueId.delete(o.venueOrderId);
    }
  }

  reject(clientOrderId: string, reason: string, now: number): TrackedOrder | undefined {
    const o = this.orders.get(clientOrderId);
    if (!o) return undefined;
    return this.put(update(o, { status: 'rejected', rejectReason: reason, updatedAt: now }));
  }

  /** Apply the venue's view of an order. Filled amount never goes backwards; terminal states stick. */
  applyVenueOrder(v: VenueOrder, now: number): TrackedOrder | undefined {
    const key = v.clientOrderId ?? this.byVenueId.get(v.venueOrderId);
    const o = key === undefined ? undefined : this.orders.get(key);
    if (!o) return undefined;
    if (isTerminal(o.status) && o.status !== 'lost') return o;
    // Both stored amounts are canonical (fmt) strings, so the max of one with an equal string is itself.
    const reportedFilled = v.filled === o.reportedFilled ? o.reportedFilled : fmt(D.max(o.reportedFilled, v.filled));
    return this.put(
      update(o, {
        venueOrderId: v.venueOrderId,
        reportedFilled,
        filled: reportedFilled === o.fillsFilled ? reportedFilled : fmt(D.max(reportedFilled, o.fillsFilled)),
        status: v.status,
        notFound: 0,
        updatedAt: now,
      }),
    );
  }

  /** The venue said it does not know the order; after `maxNotFound` times in a row it is lost. */
  markNotFound(clientOrderId: string, now: number): TrackedOrder | undefined {
    const o = this.orders.get(clientOrderId);
    if (!o || isTerminal(o.status)) return o;
    const notFound = o.notFound + 1;
    return this.put(update(o, { notFound, status: notFound >= this.maxNotFound ? 'lost' : o.status, updatedAt: now }));
  }

  /** Record a fill once per trade id; returns false for a duplicate. Updates the order's filled amount. */
  applyFill(f: Fill, now: number): boolean {
    if (this.seenTrades.has(f.tradeId)) return false;
    this.seenTrades.add(f.tradeId);
    this.fillLog.push(f);
    if (this.fillLog.length > this.maxFills) {
      // Drop the oldest half of the excess at once (amortized O(1) per fill); their trade ids go too.
      const drop = this.fillLog.length - this.maxFills + Math.floor(this.maxFills / 2);
      for (const old of this.fillLog.slice(0, drop)) this.seenTrades.delete(old.tradeId);
      this.fillLog = this.fillLog.slice(drop);
      this.fillsDropped += drop;
    }
    const o = (f.clientOrderId && this.orders.get(f.clientOrderId)) || this.findByVenueId(f.venueOrderId);
    if (o) {
      const fillsFilled = new D(o.fillsFilled).plus(f.amount);
      const filled = D.max(fillsFilled, o.reportedFilled);
      const status: OrderStatus = filled.gte(o.amount) ? 'filled' : isTerminal(o.status) ? o.status : 'partially_filled';
      this.put(update(o, { venueOrderId: o.venueOrderId ?? f.venueOrderId, fillsFilled: fmt(fillsFilled), filled: fmt(filled), status, updatedAt: now }));
    }
    return true;
  }

  /** The fills kept (the newest maxFills at most), oldest first. */
  fills(): readonly Fill[] {
    return this.fillLog;
  }

  /**
   * Fills after a cursor (a count of fills since start; 0 at first), and the cursor to pass next time.
   * Fills forgotten before they were read are skipped (counted in `missed`).
   */
  fillsSince(cursor: number): { fills: readonly Fill[]; next: number; missed: number } {
    const from = Math.max(cursor, this.fillsDropped);
    return { fills: this.fillLog.slice(from - this.fillsDropped), next: this.fillsDropped + this.fillLog.length, missed: from - cursor };
  }
}
