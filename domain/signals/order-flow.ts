// Order-flow signals: who is pushing the price, from trades and from the top of the book.
//   • Trade imbalance: (buy − sell) / (buy + sell) of taker volume over a window, in [−1, 1].
//   • Book OFI (Cont, Kukanov & Stoikov 2014, "The price impact of order book events"): the net
//     size added on the bid minus the net size added on the ask between consecutive best-bid/ask
//     snapshots. Positive ⇒ buying pressure; price changes are roughly linear in OFI / depth.
// Floats (binary64): signals, not money. Prices parsed from decimal strings compare exactly when the
// strings are equal, which is all the OFI case analysis needs.
import type { OrderBookSnapshot } from '../order-book';

export interface TradePrint {
  /** The taker's side: a buy lifts the ask. */
  side: 'buy' | 'sell';
  price: number | string;
  /** Base amount. */
  amount: number | string;
  /** Epoch ms. */
  timestamp: number;
}

export interface TradeImbalance {
  /** (buy − sell) / (buy + sell); 0 when nothing traded (check `total`). */
  imbalance: number;
  buyVolume: number;
  sellVolume: number;
  total: number;
  trades: number;
}

export interface TradeImbalanceParams {
  now: number;
  windowMs: number;
  /** Measure volume in base units or quote notional (price × amount). Default 'quote'. */
  measure?: 'base' | 'quote';
}

const toNum = (v: number | string): number => (typeof v === 'number' ? v : Number(v));

/** Signed taker-volume imbalance over (now − windowMs, now]. */
export function tradeImbalance(trades: readonly TradePrint[], params: TradeImbalanceParams): TradeImbalance {
  const from = params.now - params.windowMs;
  const quote = (params.measure ?? 'quote') === 'quote';
  let buy = 0;
  let sell = 0;
  let n = 0;
  for (const t of trades) {
    if (t.timestamp <= from || t.timestamp > params.now) continue;
    const amount = toNum(t.amount);
    const vol = quote ? amount * toNum(t.price) : amount;
    if (!Number.isFinite(vol) || vol <= 0) continue;
    if (t.side === 'buy') buy += vol;
    else sell += vol;
    n += 1;
  }
  const total = buy + sell;
  return { imbalance: total > 0 ? (buy - sell) / total : 0, buyVolume: buy, sellVolume: sell, total, trades: n };
}

/** Best bid and ask with their sizes (base units). */
export interface BookTop {
  bidPrice: number;
  bidSize: number;
  askPrice: number;
  askSize: number;
}

/** The top of a snapshot (sides best-first per OrderBookSnapshot), or undefined if a side is empty. */
export function bookTop(book: Pick<OrderBookSnapshot, 'bids' | 'asks'>): BookTop | undefined {
  const bid = book.bids[0];
  const ask = book.asks[0];
  if (!bid || !ask) return undefined;
  return { bidPrice: Number(bid.price), bidSize: Number(bid.amount), askPrice: Number(ask.price), askSize: Number(ask.amount) };
}

/**
 * One OFI event e_n between snapshots n−1 and n:
 *   e = q^b_n·1[P^b_n ≥ P^b_{n−1}] − q^b_{n−1}·1[P^b_n ≤ P^b_{n−1}]
 *     − q^a_n·1[P^a_n ≤ P^a_{n−1}] + q^a_{n−1}·1[P^a_n ≥ P^a_{n−1}]
 * (a higher bid adds its whole size, a lower one removes the old size, an unchanged one adds the
 * size change; mirrored on the ask).
 */
export function ofiEvent(prev: BookTop, curr: BookTop): number {
  let e = 0;
  if (curr.bidPrice >= prev.bidPrice) e += curr.bidSize;
  if (curr.bidPrice <= prev.bidPrice) e -= prev.bidSize;
  if (curr.askPrice <= prev.askPrice) e -= curr.askSize;
  if (curr.askPrice >= prev.askPrice) e += prev.askSize;
  return e;
}

export interface BookOfi {
  /** Σ e_n over consecutive pairs, base units. */
  ofi: number;
  /** OFI divided by the mean top-of-book depth ((bidSize + askSize)/2), the scale CKS regress ΔP on; 0 with no depth. */
  normalized: number;
  events: number;
}

/** OFI over a sequence of top-of-book snapshots in time order; undefined entries (a side empty) break the chain. */
export function bookOfi(snapshots: readonly (BookTop | undefined)[]): BookOfi {
  let ofi = 0;
  let events = 0;
  let depthSum = 0;
  let depthN = 0;
  for (let i = 0; i < snapshots.length; i++) {
    const curr = snapshots[i];
    if (!curr) continue;
    depthSum += (curr.bidSize + curr.askSize) / 2;
    depthN += 1;
    const prev = i > 0 ? snapshots[i - 1] : undefined;
    if (!prev) continue;
    ofi += ofiEvent(prev, curr);
    events += 1;
  }
  const meanDepth = depthN > 0 ? depthSum / depthN : 0;
  return { ofi, normalized: meanDepth > 0 ? ofi / meanDepth : 0, events };
}
