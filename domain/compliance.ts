// Exchange listing requirements measured on an order book: spread, depth within ±x % of mid, volume.
// Pure and decimal throughout, so it runs identically in a workflow, a backtest and a unit test.
import Decimal from 'decimal.js';
import { DomainError } from './errors';
import { D, fmt } from './money';
import type { BookLevel, OrderBookSnapshot } from './order-book';

export const DEFAULT_DEPTH_BANDS_PCT = ['1', '2', '5'] as const;

export interface DepthBand {
  /** Half-width of the band around mid, in percent ("2" means mid ± 2 %). */
  pct: string;
  bidBase: string;
  askBase: string;
  /** Quote-currency notional (price × amount) resting inside the band. */
  bidQuote: string;
  askQuote: string;
  /** The smaller side: a market is only as deep as its thinner side. */
  minSideQuote: string;
}

export type BookMetrics =
  | {
      ok: true;
      bestBid: string;
      bestAsk: string;
      mid: string;
      spreadAbs: string;
      /** (ask − bid) / mid × 100. */
      spreadPct: string;
      depth: DepthBand[];
    }
  | { ok: false; reason: 'EMPTY_BIDS' | 'EMPTY_ASKS' | 'CROSSED'; bestBid?: string; bestAsk?: string };

const REPORT_DP = 10;

function sorted(levels: BookLevel[], side: 'bid' | 'ask'): { price: Decimal; amount: Decimal }[] {
  const parsed = levels.map((l) => ({ price: new D(l.price), amount: new D(l.amount) }));
  return parsed.sort((a, b) => (side === 'bid' ? b.price.cmp(a.price) : a.price.cmp(b.price)));
}

export function computeBookMetrics(book: Pick<OrderBookSnapshot, 'bids' | 'asks'>, bandsPct: readonly string[] = DEFAULT_DEPTH_BANDS_PCT): BookMetrics {
  return scaledBookMetrics(book, bandsPct) ?? decimalBookMetrics(book, bandsPct);
}

/** Plain non-negative decimals (what books hold); anything else takes the Decimal path. */
const PLAIN_RE = /^\d+(?:\.\d+)?$/;
/** Decimal's precision: a result with at most this many digits is exact, never rounded. */
const MAX_DIGITS = 40;
const pow10: bigint[] = [];
function p10(n: number): bigint {
  return (pow10[n] ??= 10n ** BigInt(n));
}
const fits = (x: bigint): boolean => (x < 0n ? -x : x) < p10(MAX_DIGITS);

function decimals(s: string): number {
  const i = s.indexOf('.');
  return i < 0 ? 0 : s.length - i - 1;
}

/** The integer s × 10^scale (s plain, with at most `scale` decimals). */
function scaled(s: string, scale: number): bigint {
  const i = s.indexOf('.');
  const digits = i < 0 ? s : s.slice(0, i) + s.slice(i + 1);
  const pad = scale - (i < 0 ? 0 : s.length - i - 1);
  return BigInt(pad > 0 ? digits + '0'.repeat(pad) : digits);
}

/** fmt of n / 10^scale (n ≥ 0); with `dp`, rounded half-even to dp decimals first (fmt's rounding). */
function fmtScaled(n: bigint, scale: number, dp?: number): string {
  if (dp !== undefined && scale > dp) {
    const unit = p10(scale - dp);
    let q = n / unit;
    const twice = (n % unit) * 2n;
    if (twice > unit || (twice === unit && q % 2n === 1n)) q += 1n;
    n = q;
    scale = dp;
  }
  let s = n.toString();
  if (scale === 0) return s;
  s = s.padStart(scale + 1, '0');
  const frac = s.slice(s.length - scale).replace(/0+$/, '');
  return frac === '' ? s.slice(0, s.length - scale) : `${s.slice(0, s.length - scale)}.${frac}`;
}

/**
 * The same figures as decimalBookMetrics, in scaled integers: a sampled backtest measures books
 * thousands of times and parsing every level into a Decimal was most of the cost. Every operation
 * of the Decimal path (sums, products, mid, band edges) is exact there as long as its result has at
 * most 40 digits, and here it is exact always; undefined (⇒ the Decimal path) when a level or band
 * is not a plain non-negative decimal, a book is one-sided or crossed, or a figure is longer than
 * 40 digits. Levels need no sorting: a band's depth is the sum over the levels inside it.
 */
function scaledBookMetrics(book: Pick<OrderBookSnapshot, 'bids' | 'asks'>, bandsPct: readonly string[]): BookMetrics | undefined {
  const { bids, asks } = book;
  if (bids.length === 0 || asks.length === 0) return undefined;
  let ps = 0;
  let as = 0;
  for (const side of [bids, asks]) {
    for (const l of side) {
      if (!PLAIN_RE.test(l.price) || !PLAIN_RE.test(l.amount)) return undefined;
      ps = Math.max(ps, decimals(l.price));
      as = Math.max(as, decimals(l.amount));
    }
  }
  const n = bids.length;
  const prices: bigint[] = new Array<bigint>(n + asks.length);
  const amounts: bigint[] = new Array<bigint>(n + asks.length);
  let bestBid = -1n;
  let bestBidAt = 0;
  let bestAsk = -1n;
  let bestAskAt = 0;
  for (let i = 0; i < n; i++) {
    const p = scaled(bids[i]!.price, ps);
    prices[i] = p;
    amounts[i] = scaled(bids[i]!.amount, as);
    if (p > bestBid) {
      bestBid = p;
      bestBidAt = i;
    }
  }
  for (let i = 0; i < asks.length; i++) {
    const p = scaled(asks[i]!.price, ps);
    prices[n + i] = p;
    amounts[n + i] = scaled(asks[i]!.amount, as);
    if (bestAsk < 0n || p < bestAsk) {
      bestAsk = p;
      bestAskAt = i;
    }
  }
  if (bestBid >= bestAsk) return undefined;
  // mid = (bid + ask) / 2 at scale ps + 1; spreadAbs at scale ps.
  const mid = (bestBid + bestAsk) * 5n;
  if (!fits(mid) || !fits(bestBid + bestAsk)) return undefined;
  const spreadAbs = bestAsk - bestBid;
  const depth: DepthBand[] = [];
  for (const pct of bandsPct) {
    if (!PLAIN_RE.test(pct)) return undefined;
    // frac = pct / 100 at scale fs; the band's edges mid × (1 ∓ frac) at scale ps + 1 + fs, prices
    // brought to that scale to compare.
    const fs = decimals(pct) + 2;
    const frac = scaled(pct, fs - 2);
    const one = p10(fs);
    const floor = mid * (one - frac);
    const ceiling = mid * (one + frac);
    if (!fits(frac) || !fits(one - frac) || !fits(one + frac) || !fits(floor) || !fits(ceiling)) return undefined;
    const up = p10(1 + fs);
    let bidBase = 0n;
    let bidQuote = 0n;
    for (let i = 0; i < n; i++) {
      const p = prices[i]!;
      if (p * up < floor) continue;
      bidBase += amounts[i]!;
      bidQuote += p * amounts[i]!;
    }
    let askBase = 0n;
    let askQuote = 0n;
    for (let i = n; i < prices.length; i++) {
      const p = prices[i]!;
      if (p * up > ceiling) continue;
      askBase += amounts[i]!;
      askQuote += p * amounts[i]!;
    }
    // Non-negative terms: every partial sum and product is at most its total.
    if (!fits(bidBase) || !fits(bidQuote) || !fits(askBase) || !fits(askQuote)) return undefined;
    const qs = ps + as;
    depth.push({
      pct: fmt(pct),
      bidBase: fmtScaled(bidBase, as),
      askBase: fmtScaled(askBase, as),
      bidQuote: fmtScaled(bidQuote, qs, 8),
      askQuote: fmtScaled(askQuote, qs, 8),
      minSideQuote: fmtScaled(bidQuote < askQuote ? bidQuote : askQuote, qs, 8),
    });
  }
  const midStr = fmtScaled(mid, ps + 1);
  const spreadStr = fmtScaled(spreadAbs, ps);
  return {
    ok: true,
    // fmt of a level's string is fmt of its parse.
    bestBid: fmt(bids[bestBidAt]!.price),
    bestAsk: fmt(asks[bestAskAt]!.price),
    mid: midStr,
    spreadAbs: spreadStr,
    // The same decimal operations on the same (exact) values as the Decimal path.
    spreadPct: fmt(new D(spreadStr).div(midStr).times(100), REPORT_DP),
    depth,
  };
}

/** The measure in Decimal arithmetic throughout (any input Decimal parses; the reference for the scaled path). */
export function decimalBookMetrics(book: Pick<OrderBookSnapshot, 'bids' | 'asks'>, bandsPct: readonly string[] = DEFAULT_DEPTH_BANDS_PCT): BookMetrics {
  const bids = sorted(book.bids, 'bid');
  const asks = sorted(book.asks, 'ask');
  const bestBid = bids[0];
  const bestAsk = asks[0];
  if (!bestBid) return { ok: false, reason: 'EMPTY_BIDS', ...(bestAsk ? { bestAsk: fmt(bestAsk.price) } : {}) };
  if (!bestAsk) return { ok: false, reason: 'EMPTY_ASKS', bestBid: fmt(bestBid.price) };
  if (bestBid.price.gte(bestAsk.price)) {
    return { ok: false, reason: 'CROSSED', bestBid: fmt(bestBid.price), bestAsk: fmt(bestAsk.price) };
  }
  const mid = bestBid.price.plus(bestAsk.price).div(2);
  const spreadAbs = bestAsk.price.minus(bestBid.price);
  const depth = bandsPct.map((pct): DepthBand => {
    const frac = new D(pct).div(100);
    const floor = mid.times(new D(1).minus(frac));
    const ceiling = mid.times(new D(1).plus(frac));
    let bidBase = new D(0);
    let bidQuote = new D(0);
    for (const l of bids) {
      if (l.price.lt(floor)) break;
      bidBase = bidBase.plus(l.amount);
      bidQuote = bidQuote.plus(l.price.times(l.amount));
    }
    let askBase = new D(0);
    let askQuote = new D(0);
    for (const l of asks) {
      if (l.price.gt(ceiling)) break;
      askBase = askBase.plus(l.amount);
      askQuote = askQuote.plus(l.price.times(l.amount));
    }
    return {
      pct: fmt(pct),
      bidBase: fmt(bidBase),
      askBase: fmt(askBase),
      bidQuote: fmt(bidQuote, 8),
      askQuote: fmt(askQuote, 8),
      minSideQuote: fmt(Decimal.min(bidQuote, askQuote), 8),
    };
  });
  return {
    ok: true,
    bestBid: fmt(bestBid.price),
    bestAsk: fmt(bestAsk.price),
    mid: fmt(mid),
    spreadAbs: fmt(spreadAbs),
    spreadPct: fmt(spreadAbs.div(mid).times(100), REPORT_DP),
    depth,
  };
}

export interface VenueRequirements {
  /** Maximum quoted spread, percent of mid. */
  maxSpreadPct: string;
  /** Minimum quote notional on EACH side within ±depthBandPct of mid. */
  minDepthQuote: string;
  depthBandPct: string;
  /** Minimum traded volume over the last 24 h, quote currency. */
  minVolume24hQuote: string;
  /** Rolling-window rules (domain/compliance-history.ts evaluateWindows); defaults there. */
  minSpreadUptimePct?: string;
  minDepthUptimePct?: string;
  minAdv15dQuote?: string;
}

export interface ComplianceCheckItem {
  name: 'spread' | 'depth' | 'volume24h' | 'book';
  required: string;
  actual: string;
  ok: boolean;
}

export interface ComplianceVerdict {
  compliant: boolean;
  checks: ComplianceCheckItem[];
}

/** The bands to measure: the standard ±1/2/5 % plus whatever band the venue's requirement uses. */
export function bandsFor(req: Pick<VenueRequirements, 'depthBandPct'>): string[] {
  const all = [...DEFAULT_DEPTH_BANDS_PCT, fmt(req.depthBandPct)];
  return [...new Set(all)].sort((a, b) => new D(a).cmp(b));
}

export function evaluateCompliance(metrics: BookMetrics, volume24hQuote: string, req: VenueRequirements): ComplianceVerdict {
  const checks: ComplianceCheckItem[] = [];
  if (!metrics.ok) {
    checks.push({ name: 'book', required: 'two-sided, uncrossed', actual: metrics.reason, ok: false });
  } else {
    checks.push({
      name: 'spread',
      required: `<= ${req.maxSpreadPct}%`,
      actual: `${metrics.spreadPct}%`,
      ok: new D(metrics.spreadPct).lte(req.maxSpreadPct),
    });
    const band = metrics.depth.find((b) => new D(b.pct).eq(req.depthBandPct));
    if (!band) throw new DomainError('COMPLIANCE.BAND_NOT_MEASURED', `depth band ±${req.depthBandPct}% was not measured`);
    checks.push({
      name: 'depth',
      required: `>= ${req.minDepthQuote} per side within ±${req.depthBandPct}%`,
      actual: band.minSideQuote,
      ok: new D(band.minSideQuote).gte(req.minDepthQuote),
    });
  }
  checks.push({
    name: 'volume24h',
    required: `>= ${req.minVolume24hQuote}`,
    actual: volume24hQuote,
    ok: new D(volume24hQuote).gte(req.minVolume24hQuote),
  });
  return { compliant: checks.every((c) => c.ok), checks };
}

/** One measurement: the book's figures on the requirement's bands and the verdict (the check and the sampler both). */
export function measureCompliance(snapshot: { book: Pick<OrderBookSnapshot, 'bids' | 'asks'>; volume24hQuote: string }, req: VenueRequirements): { metrics: BookMetrics; verdict: ComplianceVerdict } {
  const metrics = computeBookMetrics(snapshot.book, bandsFor(req));
  return { metrics, verdict: evaluateCompliance(metrics, snapshot.volume24hQuote, req) };
}
