// Routing one price-action slice (issue 10) to the cheapest effective prices after fees, across the
// CEX books (independent levels only: our own quotes are taken out before, so a slice never meets
// them) and a constant-product pool. Pure; floats for the split only — each leg is quantized exactly
// before it becomes an order or a swap (domain/quantize.ts), and a pool swap carries its own
// slippage limit and deadline from the caller.
//
// Greedy on the marginal effective price: CEX levels sorted by price × (1 ± taker fee); between two
// levels the pool is taken until its marginal price (fee included) reaches the next level's, which is
// optimal because every source's marginal cost only rises as it is taken.

export interface BookLevel {
  price: number;
  amount: number;
}

export interface CexSource {
  venue: string;
  takerFee: number;
  /** Asks for a buy, bids for a sell; best first; independent of our own orders. */
  levels: readonly BookLevel[];
}

export interface PoolSource {
  venue: string;
  /** Reserves in whole tokens. */
  reserveBase: number;
  reserveQuote: number;
  /** Pool fee as a fraction (0.003). */
  fee: number;
}

export interface RouteLeg {
  venue: string;
  /** Base amount on this venue. */
  amount: number;
  /** CEX: the worst price of the levels taken (the IOC limit). Pool: the average price expected. */
  price: number;
}

export interface Route {
  legs: RouteLeg[];
  /** Base routed (≤ the slice: what the limit allows). */
  filled: number;
  /** Quote paid (buy) or received (sell), fees included. */
  quote: number;
  /** The slice's remainder no source offers within the limit: left undone, never forced. */
  unfilled: number;
}

/** Pool: base out for a buy / in for a sell at which the marginal effective price reaches `p` (≥ 0). */
function poolTakeAt(pool: PoolSource, side: 'buy' | 'sell', p: number): number {
  const { reserveBase: x, reserveQuote: y, fee } = pool;
  const g = 1 - fee;
  if (side === 'buy') {
    // marginal quote per base out at Δ: x·y / ((x − Δ)²·g)
    return Math.max(0, x - Math.sqrt((x * y) / (g * p)));
  }
  // marginal quote per base in at Δ: x·y·g / (x + gΔ)²
  return Math.max(0, (Math.sqrt((x * y * g) / p) - x) / g);
}

/** Quote in (buy) / out (sell) for `d` base on the pool, fee included. */
function poolQuote(pool: PoolSource, side: 'buy' | 'sell', d: number): number {
  const { reserveBase: x, reserveQuote: y, fee } = pool;
  const g = 1 - fee;
  return side === 'buy' ? (y * d) / ((x - d) * g) : (y * g * d) / (x + g * d);
}

/**
 * The cheapest split of `amount` base (buy: lowest effective price; sell: highest), never past the
 * effective `limit` (buy: pay at most limit per base after fees; sell: receive at least limit).
 */
export function routeSlice(x: { side: 'buy' | 'sell'; amount: number; limit: number; cex: readonly CexSource[]; pool?: PoolSource }): Route {
  if (!(x.amount > 0) || !Number.isFinite(x.amount)) throw new RangeError(`amount: expected a positive number, got ${x.amount}`);
  if (!(x.limit > 0) || !Number.isFinite(x.limit)) throw new RangeError(`limit: expected a positive price, got ${x.limit}`);
  const buy = x.side === 'buy';
  const eff = (p: number, fee: number) => (buy ? p * (1 + fee) : p * (1 - fee));
  const within = (e: number) => (buy ? e <= x.limit : e >= x.limit);
  const levels = x.cex
    .flatMap((s) => s.levels.map((l) => ({ venue: s.venue, price: l.price, amount: l.amount, eff: eff(l.price, s.takerFee) })))
    .filter((l) => l.amount > 0 && within(l.eff))
    .sort((a, b) => (buy ? a.eff - b.eff : b.eff - a.eff));
  let left = x.amount;
  let pool = 0;
  const cex = new Map<string, { amount: number; worst: number; quote: number }>();
  const takePoolTo = (p: number) => {
    if (!x.pool || left <= 0) return;
    const more = Math.min(left, poolTakeAt(x.pool, x.side, p) - pool);
    if (more > 0) {
      pool += more;
      left -= more;
    }
  };
  for (const l of levels) {
    if (left <= 0) break;
    takePoolTo(l.eff);
    if (left <= 0) break;
    const take = Math.min(left, l.amount);
    const c = cex.get(l.venue) ?? { amount: 0, worst: l.price, quote: 0 };
    c.amount += take;
    c.worst = buy ? Math.max(c.worst, l.price) : Math.min(c.worst, l.price);
    c.quote += take * l.eff;
    cex.set(l.venue, c);
    left -= take;
  }
  takePoolTo(x.limit);
  const legs: RouteLeg[] = [...cex].map(([venue, c]) => ({ venue, amount: c.amount, price: c.worst }));
  let quote = [...cex.values()].reduce((s, c) => s + c.quote, 0);
  if (x.pool && pool > 0) {
    const q = poolQuote(x.pool, x.side, pool);
    legs.push({ venue: x.pool.venue, amount: pool, price: q / pool });
    quote += q;
  }
  const filled = x.amount - Math.max(0, left);
  return { legs, filled, quote, unfilled: Math.max(0, left) };
}
