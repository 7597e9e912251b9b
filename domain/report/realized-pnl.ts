// Our trading on one venue over a period, from the venue's own record of our fills (the exchange is
// authoritative): volume, fees and realized PnL by average cost. Pure and decimal.
//
// Average cost: buys into a long (or sells into a short) move the average price of the position;
// a fill that reduces the position realizes (fill price − average cost) × amount for a long
// (the reverse for a short); a fill that crosses zero closes at the average cost and opens the rest
// at the fill price. The position opens at `opening` (default flat): inventory held before the
// period carries no cost basis here, so only what the period's own fills close is realized.
import { D, fmt, type Dec } from '../money';
import type { Side } from '../market.types';

export interface ReportFill {
  /** Venue trade id: fills are de-duplicated by it. */
  tradeId: string;
  side: Side;
  price: string;
  amount: string;
  fee: string;
  feeAsset: string;
  /** Epoch ms. */
  timestamp: number;
}

export interface OpeningPosition {
  /** Signed base position (negative: short). */
  positionBase: string;
  /** Average cost of that position, quote per base. */
  averageCost: string;
}

export interface FillSummary {
  trades: number;
  buys: number;
  sells: number;
  boughtBase: string;
  soldBase: string;
  volumeBase: string;
  volumeQuote: string;
  /** Fees in the quote currency, fees charged in base valued at their fill's price. */
  feesQuote: string;
  /** Fees in any other asset (not valued here), per asset. */
  otherFees: Record<string, string>;
  /** Realized by average cost, before fees. */
  realizedPnlQuote: string;
  /** realizedPnlQuote − feesQuote. */
  netRealizedQuote: string;
  /** −netRealizedQuote when negative, else 0: what the period's fills lost. */
  realizedLossQuote: string;
  /** Signed base position after the period's fills (from the opening position). */
  positionBase: string;
  /** Average cost of that position; null when flat. */
  averageCost: string | null;
}

/** Fills in time order (trade id breaks ties), each trade id once. */
export function orderFills(fills: readonly ReportFill[]): ReportFill[] {
  const seen = new Set<string>();
  const unique = fills.filter((f) => (seen.has(f.tradeId) ? false : (seen.add(f.tradeId), true)));
  return unique.sort((a, b) => a.timestamp - b.timestamp || (a.tradeId < b.tradeId ? -1 : a.tradeId > b.tradeId ? 1 : 0));
}

/**
 * Summarizes a period's fills of one market (`base`/`quote` name the fee assets that can be valued).
 * Only fills with from ≤ timestamp < to count when a window is given.
 */
export function summarizeFills(
  fills: readonly ReportFill[],
  market: { base: string; quote: string },
  o: { opening?: OpeningPosition; window?: { fromMs: number; toMs: number } } = {},
): FillSummary {
  const inWindow = o.window ? fills.filter((f) => f.timestamp >= o.window!.fromMs && f.timestamp < o.window!.toMs) : fills;
  let pos: Dec = new D(o.opening?.positionBase ?? 0);
  let avg: Dec = pos.isZero() ? new D(0) : new D(o.opening!.averageCost);
  let realized = new D(0);
  let fees = new D(0);
  const other: Record<string, Dec> = {};
  let bought = new D(0);
  let sold = new D(0);
  let volumeQuote = new D(0);
  let buys = 0;
  let sells = 0;
  const ordered = orderFills(inWindow);
  for (const f of ordered) {
    const price = new D(f.price);
    const qty = new D(f.amount);
    volumeQuote = volumeQuote.plus(price.times(qty));
    if (f.feeAsset === market.quote) fees = fees.plus(f.fee);
    else if (f.feeAsset === market.base) fees = fees.plus(new D(f.fee).times(price));
    else if (!new D(f.fee).isZero()) other[f.feeAsset] = (other[f.feeAsset] ?? new D(0)).plus(f.fee);
    const signed = f.side === 'buy' ? qty : qty.neg();
    if (f.side === 'buy') {
      buys++;
      bought = bought.plus(qty);
    } else {
      sells++;
      sold = sold.plus(qty);
    }
    if (pos.isZero() || pos.isPositive() === signed.isPositive()) {
      // Adds to the position (or opens one): a new weighted average cost.
      const next = pos.plus(signed);
      avg = pos.abs().times(avg).plus(qty.times(price)).div(next.abs());
      pos = next;
      continue;
    }
    // Reduces the position: realize on the closed part at the average cost.
    const closed = D.min(qty, pos.abs());
    const perUnit = pos.isPositive() ? price.minus(avg) : avg.minus(price);
    realized = realized.plus(perUnit.times(closed));
    const rest = qty.minus(closed);
    pos = pos.plus(pos.isPositive() ? closed.neg() : closed);
    if (rest.gt(0)) {
      pos = f.side === 'buy' ? rest : rest.neg();
      avg = price;
    } else if (pos.isZero()) {
      avg = new D(0);
    }
  }
  const net = realized.minus(fees);
  return {
    trades: ordered.length,
    buys,
    sells,
    boughtBase: fmt(bought),
    soldBase: fmt(sold),
    volumeBase: fmt(bought.plus(sold)),
    volumeQuote: fmt(volumeQuote, 8),
    feesQuote: fmt(fees, 8),
    otherFees: Object.fromEntries(Object.entries(other).map(([k, v]) => [k, fmt(v)])),
    realizedPnlQuote: fmt(realized, 8),
    netRealizedQuote: fmt(net, 8),
    realizedLossQuote: net.isNegative() ? fmt(net.neg(), 8) : '0',
    positionBase: fmt(pos),
    averageCost: pos.isZero() ? null : fmt(avg, 8),
  };
}
