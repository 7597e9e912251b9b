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
