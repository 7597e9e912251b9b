// The USD price the transfer caps value an asset at. A requester must not be able to pick it: not by
// choosing the source venue (a thin or stale book there would set it), not by the age of a workflow's
// input. Rule:
//   - a configured stablecoin (treasury.stablecoins, default USD/USDT/USDC/DAI) is 1 USD;
//   - the token (asset.symbol, quoted in a stablecoin) is the cross-venue fair value of the quoting
//     engine (domain/signals/fair-value.ts) over every CEX venue's book: stale books (older than
//     maxAgeMs) and crossed or empty ones are left out, each venue weighs by its own depth within ±2 %
//     of its mid (a thin book cannot outvote the deep ones), the centre is the weighted median and
//     venues beyond the outlier band are dropped;
//   - any other asset has no price source and is refused (TRANSFER.NO_PRICE), as is the token when no
//     venue gives a usable price.
// Pure: the activity gathers the books (treasury.activities.ts) and calls this.
import { D, fmt } from '../money';
import type { OrderBookSnapshot } from '../order-book';
import { computeFairValue, type ExcludedVenue, type VenuePriceInput } from '../signals/fair-value';

export const DEFAULT_STABLECOINS: readonly string[] = ['USD', 'USDT', 'USDC', 'DAI'];

export interface CapPriceSetup {
  /** The token's symbol and the quote its markets are in (config `asset`). */
  token: string;
  quote: string;
  stablecoins: readonly string[];
  /** A book older than this is stale (ms). */
  maxAgeMs: number;
  /** Depth band around each venue's mid that weighs it, percent. Default 2. */
  depthBandPct?: number;
}

/** One venue's book as read now (or why it could not be read). */
export interface CapPriceBook {
  venueId: string;
  book?: OrderBookSnapshot;
  /** Taker fee as a fraction: the no-arbitrage band the venue's price may sit in. */
  fee: string;
  error?: string;
}

export type CapPrice =
  | { ok: true; priceUsd: string; source: 'stablecoin' | 'fair-value'; venues: { venueId: string; price: string; weight: string }[]; excluded: { venueId: string; reason: string }[] }
  | { ok: false; code: 'TRANSFER.NO_PRICE'; message: string };

/** Quote within ±band % of the book's mid, both sides: how much a venue's price is backed by. */
export function depthAroundMid(book: OrderBookSnapshot, bandPct: number): number {
  const bid = Number(book.bids[0]?.price);
  const ask = Number(book.asks[0]?.price);
  if (!(bid > 0) || !(ask > 0) || bid >= ask) return 0;
  const mid = (bid + ask) / 2;
  const lo = mid * (1 - bandPct / 100);
  const hi = mid * (1 + bandPct / 100);
  let q = 0;
  for (const l of book.bids) if (Number(l.price) >= lo) q += Number(l.price) * Number(l.amount);
  for (const l of book.asks) if (Number(l.price) <= hi) q += Number(l.price) * Number(l.amount);
  return q;
}

const reasonOf = (e: ExcludedVenue): string =>
  e.reason === 'outlier' && e.deviation !== undefined && e.threshold !== undefined
    ? `outlier: ${(e.deviation * 100).toFixed(2)} % from the centre, band ${(e.threshold * 100).toFixed(2)} %`
    : e.reason;

export function capPrice(asset: string, books: readonly CapPriceBook[], setup: CapPriceSetup, now: number): CapPrice {
  const a = asset.trim().toUpperCase();
  const stables = new Set(setup.stablecoins.map((s) => s.toUpperCase()));
  if (stables.has(a)) return { ok: true, priceUsd: '1', source: 'stablecoin', venues: [], excluded: [] };
  if (a !== setup.token.toUpperCase()) {
    return { ok: false, code: 'TRANSFER.NO_PRICE', message: `asset: no USD price source for ${asset} (caps price the token ${setup.token} and the stablecoins ${[...stables].join(', ')})` };
  }
  if (!stables.has(setup.quote.toUpperCase())) {
    return { ok: false, code: 'TRANSFER.NO_PRICE', message: `asset: ${asset} is quoted in ${setup.quote}, which is not a configured stablecoin: no USD price` };
  }
  const band = setup.depthBandPct ?? 2;
  const inputs: VenuePriceInput[] = [];
  const unread: { venueId: string; reason: string }[] = [];
  for (const b of books) {
    if (!b.book) {
      unread.push({ venueId: b.venueId, reason: `unreadable: ${b.error ?? 'no book'}` });
      continue;
    }
    const bid = b.book.bids[0]?.price;
    const ask = b.book.asks[0]?.price;
    inputs.push({
      venueId: b.venueId,
      kind: 'cex',
      ...(bid !== undefined ? { bestBid: bid } : {}),
      ...(ask !== undefined ? { bestAsk: ask } : {}),
      volume: depthAroundMid(b.book, band),
      lastUpdate: b.book.timestamp,
      healthy: true,
      fee: b.fee,
    });
  }
  const fv = computeFairValue(inputs, { now, maxAgeMs: setup.maxAgeMs, center: 'median' });
  const excluded = [...unread, ...fv.excluded.map((e) => ({ venueId: e.venueId, reason: reasonOf(e) }))];
  if (!fv.ok || !(fv.fairValue > 0)) {
    return {
      ok: false,
      code: 'TRANSFER.NO_PRICE',
      message: `asset: no usable price for ${asset} on any venue (${excluded.map((e) => `${e.venueId}: ${e.reason}`).join('; ') || 'no venue lists it'})`,
    };
  }
  // Binary float from the model → a decimal rounded up at 8 significant digits: caps bind sooner, never later.
  const priceUsd = fmt(new D(fv.fairValue.toPrecision(15)).toSignificantDigits(8, D.ROUND_UP));
  return {
    ok: true,
    priceUsd,
    source: 'fair-value',
    venues: fv.usedVenues.map((u) => ({ venueId: u.venueId, price: fmt(new D(u.price.toPrecision(15))), weight: u.weight.toFixed(4) })),
    excluded,
  };
}
