// Fair value of the token across venues: one price the quoting models centre on.
//
// Rule, in order (each step is why a venue can be left out; `excluded` says which and why):
//   1. Unhealthy venues, stale prices (now − lastUpdate > maxAgeMs), timestamps more than maxAgeMs in
//      the future (clock skew), missing/crossed/non-positive prices and bad volumes are dropped.
//   2. Robust centre c0 = the volume-weighted median of the remaining prices (equal weights if every
//      volume is 0). A venue with more than half the volume therefore sets c0 on its own: by design,
//      the price where most of the trading happens wins.
//   3. Dispersion σ̂ = 1.4826 × MAD, MAD = the (unweighted: one venue, one vote) median of the
//      relative deviations |pᵢ − c0| / c0. 1.4826 makes MAD a consistent σ for normal noise.
//   4. Venue i is an outlier if its deviation > clamp(k·σ̂, minDeviationPct, maxDeviationPct) + feeᵢ.
//      The fee allowance exists because arbitrage cannot close a gap smaller than the venue's fee:
//      a Uniswap pool (0.3 %) legitimately sits up to ~0.3 % off the CEX price. The floor stops a
//      tight cluster (MAD ≈ 0) from rejecting venues that are only a few ticks away; the ceiling
//      stops a widely scattered set from accepting everything.
//   5. Fair value = volume-weighted mean of the inliers (default; moves continuously as volumes
//      shift, so quotes do not jump between venues) or their weighted median (`center: 'median'`).
//
// Precision: model math in binary64 floats (~15–16 significant digits, relative error ~1e-15),
// fine for a price signal; anything that becomes an order is quantized exactly afterwards
// (domain/quantize.ts), never taken from here as money.

export type VenueKind = 'cex' | 'amm';

export interface VenuePriceInput {
  venueId: string;
  kind: VenueKind;
  /** Mid price; if absent, (bestBid + bestAsk) / 2. For an AMM, the pool's marginal price. */
  mid?: number | string;
  bestBid?: number | string;
  bestAsk?: number | string;
  /** Quote-currency volume over the weighting window (24 h or recent): the venue's weight. */
  volume: number | string;
  /** Epoch ms of the price. */
  lastUpdate: number;
  healthy: boolean;
  /** Fee as a fraction ("0.003" for a 0.3 % pool): the no-arbitrage band the price may sit in. */
  fee: number | string;
}

export interface FairValueParams {
  now: number;
  maxAgeMs: number;
  /** Outlier threshold in robust σ units. Default 3. */
  madK?: number;
  /** Floor of the outlier threshold, percent of c0. Default 0.5. */
  minDeviationPct?: number;
  /** Ceiling of the outlier threshold (before the fee allowance), percent of c0. Default 5. */
  maxDeviationPct?: number;
  /** Add each venue's fee to its threshold. Default true. */
  feeAllowance?: boolean;
  /** Fewer inliers than this ⇒ no fair value. Default 1. */
  minVenues?: number;
  center?: 'mean' | 'median';
}

export type ExclusionReason =
  | 'unhealthy'
  | 'stale'
  | 'future-timestamp'
  | 'no-price'
  | 'crossed-book'
  | 'invalid-volume'
  | 'duplicate-venue'
  | 'outlier';

export interface ExcludedVenue {
  venueId: string;
  reason: ExclusionReason;
  /** For outliers: deviation from c0 and the threshold it broke, as fractions. */
  deviation?: number;
  threshold?: number;
}

export interface UsedVenue {
  venueId: string;
  kind: VenueKind;
  price: number;
  /** Share of the total weight of the inliers, 0..1. */
  weight: number;
}

export type FairValueResult =
  | {
      ok: true;
      fairValue: number;
      /** The robust centre c0 (weighted median before outlier rejection). */
      robustCenter: number;
      /** σ̂ as a fraction of c0. */
      dispersion: number;
      usedVenues: UsedVenue[];
      excluded: ExcludedVenue[];
    }
  | { ok: false; reason: 'NO_USABLE_VENUE' | 'TOO_FEW_VENUES'; usedVenues: UsedVenue[]; excluded: ExcludedVenue[] };

const MAD_TO_SIGMA = 1.4826;

function num(v: number | string | undefined): number | undefined {
  if (v === undefined) return undefined;
  const n = typeof v === 'number' ? v : Number(v.trim() === '' ? NaN : v);
  return Number.isFinite(n) ? n : undefined;
}

function venuePrice(v: VenuePriceInput): { price: number } | { reason: 'no-price' | 'crossed-book' } {
  const mid = num(v.mid);
  if (mid !== undefined) return mid > 0 ? { price: mid } : { reason: 'no-price' };
  const bid = num(v.bestBid);
  const ask = num(v.bestAsk);
  if (bid === undefined || ask === undefined || bid <= 0 || ask <= 0) return { reason: 'no-price' };
  if (bid >= ask) return { reason: 'crossed-book' };
  return { price: (bid + ask) / 2 };
}

/**
 * Weighted median: the smallest value whose cumulative weight reaches half the total; when the
 * cumulative weight equals exactly half, the average of that value and the next (so two equal
 * weights give their midpoint). Zero total weight ⇒ equal weights.
 */
export function weightedMedian(points: readonly { value: number; weight: number }[]): number {
  if (points.length === 0) throw new RangeError('weightedMedian of an empty set');
  const total = points.reduce((s, p) => s + p.weight, 0);
  const pts = [...points]
    .map((p) => ({ value: p.value, weight: total > 0 ? p.weight : 1 }))
    .sort((a, b) => a.value - b.value);
  const half = pts.reduce((s, p) => s + p.weight, 0) / 2;
  let cum = 0;
  for (let i = 0; i < pts.length; i++) {
    const p = pts[i]!;
    cum += p.weight;
    if (cum > half) return p.value;
    if (cum === half) {
      // Skip zero-weight neighbours: they carry no vote.
      const next = pts.slice(i + 1).find((q) => q.weight > 0);
      return next ? (p.value + next.value) / 2 : p.value;
    }
  }
  return pts[pts.length - 1]!.value;
}

function median(xs: readonly number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 === 1 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}

interface Candidate {
  venueId: string;
  kind: VenueKind;
  price: number;
  volume: number;
  fee: number;
}

export function computeFairValue(venues: readonly VenuePriceInput[], params: FairValueParams): FairValueResult {
  const k = params.madK ?? 3;
  const minDev = (params.minDeviationPct ?? 0.5) / 100;
  const maxDev = (params.maxDeviationPct ?? 5) / 100;
  const useFee = params.feeAllowance ?? true;
  const minVenues = Math.max(1, params.minVenues ?? 1);
  const excluded: ExcludedVenue[] = [];
  const seen = new Set<string>();
  const candidates: Candidate[] = [];

  for (const v of venues) {
    if (seen.has(v.venueId)) {
      excluded.push({ venueId: v.venueId, reason: 'duplicate-venue' });
      continue;
    }
    seen.add(v.venueId);
    if (!v.healthy) {
      excluded.push({ venueId: v.venueId, reason: 'unhealthy' });
      continue;
    }
    const age = params.now - v.lastUpdate;
    if (age > params.maxAgeMs) {
      excluded.push({ venueId: v.venueId, reason: 'stale' });
      continue;
    }
    if (-age > params.maxAgeMs) {
      excluded.push({ venueId: v.venueId, reason: 'future-timestamp' });
      continue;
    }
    const p = venuePrice(v);
    if ('reason' in p) {
      excluded.push({ venueId: v.venueId, reason: p.reason });
      continue;
    }
    const volume = num(v.volume);
    const fee = num(v.fee);
    if (volume === undefined || volume < 0 || fee === undefined || fee < 0 || fee >= 1) {
      excluded.push({ venueId: v.venueId, reason: 'invalid-volume' });
      continue;
    }
    candidates.push({ venueId: v.venueId, kind: v.kind, price: p.price, volume, fee });
  }

  if (candidates.length === 0) return { ok: false, reason: 'NO_USABLE_VENUE', usedVenues: [], excluded };

  const c0 = weightedMedian(candidates.map((c) => ({ value: c.price, weight: c.volume })));
  const deviations = candidates.map((c) => Math.abs(c.price - c0) / c0);
  const sigma = MAD_TO_SIGMA * median(deviations);
  const base = Math.min(Math.max(k * sigma, minDev), maxDev);

  const inliers: Candidate[] = [];
  candidates.forEach((c, i) => {
    const threshold = base + (useFee ? c.fee : 0);
    const deviation = deviations[i]!;
    if (deviation > threshold) excluded.push({ venueId: c.venueId, reason: 'outlier', deviation, threshold });
    else inliers.push(c);
  });

  const totalVolume = inliers.reduce((s, c) => s + c.volume, 0);
  const weightOf = (c: Candidate) => (totalVolume > 0 ? c.volume / totalVolume : 1 / inliers.length);
  const usedVenues: UsedVenue[] = inliers.map((c) => ({ venueId: c.venueId, kind: c.kind, price: c.price, weight: weightOf(c) }));
  if (inliers.length === 0) return { ok: false, reason: 'NO_USABLE_VENUE', usedVenues, excluded };
  if (inliers.length < minVenues) return { ok: false, reason: 'TOO_FEW_VENUES', usedVenues, excluded };

  const fairValue =
    params.center === 'median'
      ? weightedMedian(inliers.map((c) => ({ value: c.price, weight: c.volume })))
      : usedVenues.reduce((s, u) => s + u.price * u.weight, 0);
  return { ok: true, fairValue, robustCenter: c0, dispersion: sigma, usedVenues, excluded };
}
