// A concentrated Uniswap V3 range that alone gives a pool the required depth within ±band %, with
// the least capital; re-centred only when the price leaves an inner band, and not again within a
// cooldown. Model math in floats on human prices (quote per base) and human liquidity
// L = √(base·quote); amounts become token units at the venue, where the contract settles them exactly.
//
// For a range [pa, pb] containing the band around price P, with liquidity L:
//   bid depth (quote received for selling P down to P(1−b)) = L·(√P − √(P(1−b)))
//   ask depth (quote paid, fee included, to lift P to P(1+b)) = L·(√(P(1+b)) − √P) / (1 − fee)
// and the position holds base = L·(1/√P − 1/√pb), quote = L·(√P − √pa).
// A V2 (full-range) position with the same L gives the same depth near P but holds base = L/√P,
// quote = L·√P: capital 2·L·√P. The ratio is the "least capital" argument.
import type { PoolLiquidityParams } from './pool-liquidity.params';

export interface V3Range {
  /** Range bounds, human price (quote per base). */
  lower: number;
  upper: number;
  /** Price the range was centred on. */
  centre: number;
}

export interface V3Sizing extends V3Range {
  /** Human liquidity √(base·quote) the position needs. */
  liquidity: number;
  /** What it holds at the current price, human units. */
  base: number;
  quote: number;
  /** base·price + quote. */
  capitalQuote: number;
  /** Its own depth at the current price, quote. */
  bidDepth: number;
  askDepth: number;
  /** Prices between which the whole ±band stays inside the range (re-centre outside). */
  innerLow: number;
  innerHigh: number;
}

export interface V3Requirement {
  /** minDepthQuote in quote (human). */
  requirementQuote: number;
  /** depthBandPct as a fraction (0.02). */
  band: number;
  /** Pool fee as a fraction (0.003). */
  fee: number;
}

/** Bid and ask depth of liquidity L at price P within ±band, both inside the range. */
export function v3DepthAt(liquidity: number, price: number, band: number, fee: number): { bid: number; ask: number } {
  const s = Math.sqrt(price);
  return { bid: liquidity * (s - Math.sqrt(price * (1 - band))), ask: (liquidity * (Math.sqrt(price * (1 + band)) - s)) / (1 - fee) };
}

/** Amounts a position of liquidity L in [lower, upper] holds at `price` (clamped to the range). */
export function v3Amounts(liquidity: number, price: number, lower: number, upper: number): { base: number; quote: number } {
  const p = Math.min(Math.max(price, lower), upper);
  const s = Math.sqrt(p);
  return { base: liquidity * (1 / s - 1 / Math.sqrt(upper)), quote: liquidity * (s - Math.sqrt(lower)) };
}

/** The range's inner band: the prices P at which [P(1−b), P(1+b)] lies inside [lower, upper]. */
export function innerBand(r: { lower: number; upper: number }, band: number): { low: number; high: number } {
  return { low: r.lower / (1 - band), high: r.upper / (1 + band) };
}

/**
 * The range around `centre` (half-width band × rangeWidthFactor) and the liquidity that meets
 * requirement × (1 + targetMargin) on both sides anywhere in the inner band (the bid side binds at
 * its low end, where √P is smallest), valued at `price`.
 */
export function sizeV3Range(centre: number, price: number, req: V3Requirement, params: Pick<PoolLiquidityParams, 'rangeWidthFactor' | 'targetMargin'>): V3Sizing {
  if (!(centre > 0) || !(price > 0)) throw new RangeError('sizeV3Range: prices must be > 0');
  const w = req.band * params.rangeWidthFactor;
  if (w >= 1) throw new RangeError('sizeV3Range: band × rangeWidthFactor must be < 1');
  const lower = centre * (1 - w);
  const upper = centre * (1 + w);
  const inner = innerBand({ lower, upper }, req.band);
  const target = req.requirementQuote * (1 + params.targetMargin);
  const worst = Math.min(Math.max(inner.low, lower), centre);
  const bidPerL = v3DepthAt(1, worst, req.band, req.fee).bid;
  const askPerL = v3DepthAt(1, worst, req.band, req.fee).ask;
  const liquidity = target / Math.min(bidPerL, askPerL);
  const held = v3Amounts(liquidity, price, lower, upper);
  const depth = v3DepthAt(liquidity, price, req.band, req.fee);
  return {
    lower,
    upper,
    centre,
    liquidity,
    ...held,
    capitalQuote: held.base * price + held.quote,
    bidDepth: depth.bid,
    askDepth: depth.ask,
    innerLow: inner.low,
    innerHigh: inner.high,
  };
}

/** Capital a V2 (full-range) position needs for the same depth target at `price`, on its own. */
export function v2CapitalForDepth(price: number, req: V3Requirement, targetMargin: number): { liquidity: number; capitalQuote: number } {
  const perL = v3DepthAt(1, price, req.band, req.fee);
  const liquidity = (req.requirementQuote * (1 + targetMargin)) / Math.min(perL.bid, perL.ask);
  return { liquidity, capitalQuote: 2 * liquidity * Math.sqrt(price) };
}

export interface V3Position extends V3Range {
  liquidity: number;
  openedAt: number;
}

export interface V3PlanInput {
  /** The pool's current price. */
  price: number;
  /** Cross-venue fair value, when known: the range is centred on it if the pool is near it. */
  fair?: number;
  now: number;
  position?: V3Position;
  /** When the position was last minted or re-centred. */
  lastActionAt?: number;
  req: V3Requirement;
  params: PoolLiquidityParams;
}

export type V3Decision =
  | { kind: 'mint'; sizing: V3Sizing }
  | { kind: 'recentre'; sizing: V3Sizing; reason: 'price-left-band' }
  | { kind: 'hold'; reason: 'in-band' | 'cooldown'; innerLow: number; innerHigh: number };

/**
 * Centre on fair value when the pool is inside the band a range centred there would keep; else on
 * the pool's own price (a range the pool is already outside would be re-centred at once).
 */
export function rangeCentre(price: number, fair: number | undefined, req: V3Requirement, params: Pick<PoolLiquidityParams, 'rangeWidthFactor'>): number {
  if (fair === undefined || !(fair > 0)) return price;
  const w = req.band * params.rangeWidthFactor;
  const inner = innerBand({ lower: fair * (1 - w), upper: fair * (1 + w) }, req.band);
  return price >= inner.low && price <= inner.high ? fair : price;
}

export function planV3Range(i: V3PlanInput): V3Decision {
  const centre = rangeCentre(i.price, i.fair, i.req, i.params);
  if (!i.position) return { kind: 'mint', sizing: sizeV3Range(centre, i.price, i.req, i.params) };
  const inner = innerBand(i.position, i.req.band);
  if (i.price >= inner.low && i.price <= inner.high) return { kind: 'hold', reason: 'in-band', innerLow: inner.low, innerHigh: inner.high };
  if (i.lastActionAt !== undefined && i.now - i.lastActionAt < i.params.cooldownMs) {
    return { kind: 'hold', reason: 'cooldown', innerLow: inner.low, innerHigh: inner.high };
  }
  return { kind: 'recentre', sizing: sizeV3Range(centre, i.price, i.req, i.params), reason: 'price-left-band' };
}
