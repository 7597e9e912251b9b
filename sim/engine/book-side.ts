// One side of the order book in integer ticks and lots.
// Price levels sit in an array sorted so that the BEST level is LAST (bids ascending, asks descending):
// the best price is an O(1) read, new levels near the top are a cheap push/short splice, and an
// emptied best level is a pop. A Map from price to level makes "join an existing level" O(1).
// Each level is a FIFO doubly linked list of orders, so cancelling any order is O(1).
import type { EngineAccount } from './engine-account';

export const BUY = 0;
export const SELL = 1;
export type SideCode = typeof BUY | typeof SELL;

/** Order states inside the engine; ACTIVE maps to 'open' or 'partially_filled' at the boundary. */
export const ACTIVE = 0;
export const FILLED = 1;
export const CANCELED = 2;
export const EXPIRED = 3;

/** Order flags (also the numeric fast path's `flags`). */
export const F_POST_ONLY = 1;
export const F_IOC = 2;
export const F_FOK = 4;
export const F_MARKET = 8;

/** An order. Plain mutable fields with a fixed shape keep V8's hidden class stable on the hot path. */
export class OrderNode {
  id = 0;
  account: EngineAccount | null = null;
  side: SideCode = BUY;
  /** Limit price in ticks; 0 for market orders. */
  price = 0;
  lots = 0;
  /** Lots not yet filled (resting or to be matched). */
  rem = 0;
  /** Quote smallest units received or paid so far (Σ price × amount of fills). */
  filledQuote = 0;
  status = ACTIVE;
  flags = 0;
  clientOrderId: string | undefined = undefined;
  timestamp = 0;
  updatedAt = 0;
  /** Strings of the fixed fields, made on the first snapshot (the numeric path never pays for them). */
  idText: string | undefined = undefined;
  priceText: string | undefined = undefined;
  amountText: string | undefined = undefined;
  // Links in the price level's FIFO.
  prev: OrderNode | null = null;
  next: OrderNode | null = null;
  level: Level | null = null;
  // Links in the account's list of open orders (placement order).
  accPrev: OrderNode | null = null;
  accNext: OrderNode | null = null;
}

export class Level {
  /** Sort key: price for bids, -price for asks, so that "better" is always "greater". */
  key = 0;
  price = 0;
  /** Σ rem of the orders at this level. */
  lots = 0;
  head: OrderNode | null = null;
  tail: OrderNode | null = null;
}

export class BookSide {
  /** Active levels, best last. */
  readonly levels: Level[] = [];
  private readonly byPrice = new Map<number, Level>();
  private readonly spare: Level[] = [];

  constructor(readonly isBid: boolean) {}

  best(): Level | undefined {
    return this.levels[this.levels.length - 1];
  }

  /** Appends a resting order at the back of its price level's queue (time priority). */
  add(node: OrderNode): void {
    let lvl = this.byPrice.get(node.price);
    if (lvl === undefined) lvl = this.openLevel(node.price);
    node.level = lvl;
    node.next = null;
    node.prev = lvl.tail;
    if (lvl.tail === null) lvl.head = node;
    else lvl.tail.next = node;
    lvl.tail = node;
    lvl.lots += node.rem;
  }

  /** Unlinks a resting order (any position) and drops its level when it becomes empty. */
  remove(node: OrderNode): void {
    const lvl = node.level;
    if (lvl === null) return;
    lvl.lots -= node.rem;
    if (node.prev === null) lvl.head = node.next;
    else node.prev.next = node.next;
    if (node.next === null) lvl.tail = node.prev;
    else node.next.prev = node.prev;
    node.prev = node.next = node.level = null;
    if (lvl.head === null) this.closeLevel(lvl);
  }

  /** Number of resting orders (O(orders); for tests and diagnostics). */
  orderCount(): number {
    let n = 0;
    for (const lvl of this.levels) for (let o = lvl.head; o !== null; o = o.next) n++;
    return n;
  }

  private openLevel(price: number): Level {
    const lvl = this.spare.pop() ?? new Level();
    lvl.price = price;
    lvl.key = this.isBid ? price : -price;
    lvl.lots = 0;
    lvl.head = lvl.tail = null;
    const levels = this.levels;
    const n = levels.length;
    if (n === 0 || levels[n - 1]!.key < lvl.key) {
      levels.push(lvl);
    } else {
      levels.splice(this.upperBound(lvl.key), 0, lvl);
    }
    this.byPrice.set(price, lvl);
    return lvl;
  }

  private closeLevel(lvl: Level): void {
    const levels = this.levels;
    if (levels[levels.length - 1] === lvl) levels.pop();
    else levels.splice(this.upperBound(lvl.key) - 1, 1);
    this.byPrice.delete(lvl.price);
    this.spare.push(lvl);
  }

  /** First index whose key is greater than `key`. */
  private upperBound(key: number): number {
    const levels = this.levels;
    let lo = 0;
    let hi = levels.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (levels[mid]!.key <= key) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }
}
