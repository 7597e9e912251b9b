// The quoting contract: what every model reads (MarketSnapshot), how it is tuned (QuoteParams), what
// it returns (DesiredQuote[]) — and the one builder every model ends with, so that all of them give
// the same guarantees: prices on the tick grid (buys rounded down, sells up), amounts on the lot grid,
// bids strictly below asks, inventory limits respected, the price band applied, post-only.
// Model math may use floats; everything that leaves this file is an exact decimal string.
import type Decimal from 'decimal.js';
import { DomainError } from '../errors';
import { D, fmt } from '../money';
import { quantizeAmount, quantizePrice } from '../quantize';
import { applyPriceBand } from './bands';

export type QuoteSide = 'buy' | 'sell';
export type QuotingModelName = 'avellaneda-stoikov' | 'glft' | 'pure-mm' | 'fixed-spread';

/**
 * What a model sees at one instant on one venue. Units, once and for all:
 * - prices are quote currency per base unit (decimal strings);
 * - `volatility` is ABSOLUTE: standard deviation of `mid` in price units per √second
 *   (a relative σ per √s times the mid; per-day σ_d becomes σ_d / √86400);
 * - time is epoch milliseconds; model horizons and intensities are in seconds (A in fills/s);
 * - inventories are base units (decimal strings).
 */
export interface MarketSnapshot {
  /** The reference price quotes are built around: venue mid or a cross-venue fair value. */
  mid: string;
  /** σ of the reference price, price units per √second (see above). Only A-S and GLFT read it. */
  volatility: number;
  /** Base currency held on this venue now. */
  inventory: string;
  /** Base inventory the maker wants to hold (from the target base ratio); skew is measured from it. */
  targetInventory: string;
  /** Largest base inventory allowed: bids are cut so that filling all of them cannot exceed it. */
  maxInventory: string;
  /** Smallest base inventory allowed (default "0": spot cannot go short); asks are cut likewise. */
  minInventory?: string;
  /** Epoch ms of the snapshot; models never read a clock. */
  now: number;
  tickSize: string;
  lotSize: string;
  /** Quotes below this notional (price × amount, quote currency) are dropped. Default "0". */
  minNotional?: string;
}

/** One post-only limit order the maker wants resting. `level` 0 is the best price on its side. */
export interface DesiredQuote {
  side: QuoteSide;
  price: string;
  amount: string;
  level: number;
  postOnly: true;
}

/**
 * Price band (decimal strings, both optional). `ceiling`: never buy above it — bids above are lowered
 * onto it. `floor`: never sell below it — asks below are raised onto it. See bands.ts.
 */
export interface PriceBand {
  floor?: string;
  ceiling?: string;
}

/** How a model's best quote becomes a ladder. */
export interface LadderParams {
  /** Base amount of the best level on each side. */
  orderAmount: string;
  /** Levels per side (default 1). */
  orderLevels?: number;
  /** Distance between consecutive levels, % of mid (default "0"; needed when orderLevels > 1). */
  levelSpacingPct?: string;
  /** Base amount added per level deeper (default "0"). */
  levelAmountIncrement?: string;
}

/**
 * A-S horizon, i.e. what T − t is at time `now`:
 * - `fixed`: the paper's finite horizon ending at `endMs` (T − t runs down to 0, spreads narrow).
 * - `rolling`: T − t is always `seconds` — the stationary choice for continuous operation: quotes
 *   behave like the paper's at a fixed distance from the end, with no end-of-day artefacts.
 * - `cycle`: T − t runs down from `seconds` to 0 and restarts (Hummingbot's daily session style),
 *   cycles aligned on `anchorMs` (default 0, the epoch).
 */
export type AsHorizon = { kind: 'fixed'; endMs: number } | { kind: 'rolling'; seconds: number } | { kind: 'cycle'; seconds: number; anchorMs?: number };

/**
 * Inventory q in the A-S and GLFT formulas is counted in orders: q = (inventory − target) / orderAmount,
 * as in the papers where every fill is one unit (and as hftbacktest normalises). γ is "per order".
 */
export interface AvellanedaStoikovParams extends LadderParams {
  model: 'avellaneda-stoikov';
  /** Risk aversion γ (> 0), 1/(price × order). */
  gamma: number;
  /** Order-arrival decay k (> 0) in 1/price units: fills arrive at A·e^(−k·δ). */
  k: number;
  horizon: AsHorizon;
  /** η ≥ 0: when long, bid size × e^(−ηq); when short, ask size × e^(ηq) (Hummingbot's shape factor). Default 0. */
  sizeShape?: number;
  band?: PriceBand;
}

/** Guéant–Lehalle–Fernandez-Tapia asymptotic quotes (same units as A-S). */
export interface GlftParams extends LadderParams {
  model: 'glft';
  gamma: number;
  /** ξ ≥ 0: ξ = γ is the paper's utility model, ξ = 0 its risk-adjusted-expectation model. Default γ. */
  xi?: number;
  k: number;
  /** A (> 0): fill intensity at zero distance, fills per second. */
  A: number;
  /** Δ (> 0): order size in the same units as q (default 1 order). */
  delta?: number;
  sizeShape?: number;
  band?: PriceBand;
}

/** Hummingbot-style pure market making (all percentages of mid, decimal strings). */
export interface PureMmParams extends LadderParams {
  model: 'pure-mm';
  bidSpreadPct: string;
  askSpreadPct: string;
  /** Scale bid/ask sizes by Hummingbot's inventory-skew ratios (factors in [0, 2]). Default true. */
  inventorySkew?: boolean;
  /** Allowed inventory range around the target = this × total ladder size (both sides). Default "1". */
  inventoryRangeMultiplier?: string;
  band?: PriceBand;
}

/** The naive baseline: one level each side at mid × (1 ∓ spreadPct/200), no skew. */
export interface FixedSpreadParams {
  model: 'fixed-spread';
  /** Total bid-ask spread, % of mid. */
  spreadPct: string;
  orderAmount: string;
  band?: PriceBand;
}

export type QuoteParams = AvellanedaStoikovParams | GlftParams | PureMmParams | FixedSpreadParams;

/** A model's unquantized level (decimal, not yet on the grid); best first on each side. */
export interface RawLevel {
  price: Decimal;
  amount: Decimal;
}

export function invalid(field: string, message: string): DomainError {
  return new DomainError('QUOTING.INVALID_PARAMS', `${field}: ${message}`);
}

export function requireFinite(field: string, x: number, min: number, strict: boolean): number {
  if (!Number.isFinite(x) || (strict ? x <= min : x < min)) throw invalid(field, `expected a finite number ${strict ? '>' : '≥'} ${min}, got ${x}`);
  return x;
}

export function requireDecimal(field: string, v: string | undefined, fallback: string, min: Decimal.Value, strict: boolean): Decimal {
  let d: Decimal;
  try {
    d = new D(v ?? fallback);
  } catch {
    throw invalid(field, `expected a decimal string, got ${JSON.stringify(v)}`);
  }
  if (!d.isFinite() || (strict ? d.lte(min) : d.lt(min))) throw invalid(field, `expected a decimal ${strict ? '>' : '≥'} ${fmt(min)}, got ${v}`);
  return d;
}

/** A float model output as an exact decimal; 15 significant digits drop binary noise (98.85000000000001). */
export function fromFloat(field: string, x: number): Decimal {
  if (!Number.isFinite(x)) throw new DomainError('QUOTING.NON_FINITE', `${field} is not finite (${x}): check the model parameters and volatility`);
  return new D(x.toPrecision(15));
}

/** q in orders: (inventory − target) / orderAmount, as a float for model math. */
export function inventoryInOrders(s: MarketSnapshot, orderAmount: Decimal): number {
  return new D(s.inventory).minus(s.targetInventory).div(orderAmount).toNumber();
}

/**
 * The ladder behind a model's best bid/ask: level i is i × spacing (% of mid) further out and carries
 * orderAmount + i × increment, times the side's size factor (inventory skew on sizes).
 */
export function ladderFrom(
  s: MarketSnapshot,
  p: LadderParams,
  best: { bid: Decimal; ask: Decimal },
  sizeFactor: { bid: Decimal; ask: Decimal },
): { bids: RawLevel[]; asks: RawLevel[] } {
  const levels = p.orderLevels ?? 1;
  if (!Number.isInteger(levels) || levels < 1 || levels > 200) throw invalid('orderLevels', `expected an integer 1..200, got ${levels}`);
  const amount = requireDecimal('orderAmount', p.orderAmount, '', 0, true);
  const spacingPct = requireDecimal('levelSpacingPct', p.levelSpacingPct, '0', 0, false);
  if (levels > 1 && spacingPct.isZero()) throw invalid('levelSpacingPct', 'required (> 0) when orderLevels > 1');
  const increment = requireDecimal('levelAmountIncrement', p.levelAmountIncrement, '0', 0, false);
  const step = new D(s.mid).times(spacingPct).div(100);
  const bids: RawLevel[] = [];
  const asks: RawLevel[] = [];
  for (let i = 0; i < levels; i++) {
    const size = amount.plus(increment.times(i));
    bids.push({ price: best.bid.minus(step.times(i)), amount: size.times(sizeFactor.bid) });
    asks.push({ price: best.ask.plus(step.times(i)), amount: size.times(sizeFactor.ask) });
  }
  return { bids, asks };
}

/** Remaining room on one side: cumulative amounts never take inventory past its limits. */
function capAmounts(levels: { amount: Decimal }[], room: Decimal, lot: string): void {
  let left = D.max(room, 0);
  for (const l of levels) {
    const a = new D(quantizeAmount(D.min(l.amount, left), lot));
    l.amount = a;
    left = left.minus(a);
  }
}

/**
 * Turns raw levels into the quotes the contract promises:
 * 1. prices quantized (bids down, asks up) — this alone never creates a cross from a non-crossed pair;
 * 2. if the model itself crossed or touched (bid ≥ ask), the pair is re-centred one tick wide;
 * 3. levels on one side strictly monotone (at least one tick apart);
 * 4. amounts floored to the lot and capped by the inventory limits, cumulatively per side;
 * 5. non-positive prices, empty amounts and sub-minimum notionals dropped;
 * 6. the price band applied (bands.ts), levels renumbered from 0 per side.
 */
export function buildQuotes(s: MarketSnapshot, raw: { bids: RawLevel[]; asks: RawLevel[] }, band?: PriceBand): DesiredQuote[] {
  const tick = requireDecimal('tickSize', s.tickSize, '', 0, true);
  requireDecimal('lotSize', s.lotSize, '', 0, true);
  const minNotional = requireDecimal('minNotional', s.minNotional, '0', 0, false);
  const bids = raw.bids.map((l) => ({ price: new D(quantizePrice(l.price, s.tickSize, 'buy')), amount: l.amount }));
  const asks = raw.asks.map((l) => ({ price: new D(quantizePrice(l.price, s.tickSize, 'sell')), amount: l.amount }));
  const [b0, a0] = [bids[0], asks[0]];
  if (b0 && a0 && raw.bids[0] && raw.asks[0] && b0.price.gte(a0.price)) {
    const centre = raw.bids[0].price.plus(raw.asks[0].price).div(2);
    b0.price = centre.div(tick).floor().times(tick);
    a0.price = b0.price.plus(tick);
  }
  for (let i = 1; i < bids.length; i++) bids[i]!.price = D.min(bids[i]!.price, bids[i - 1]!.price.minus(tick));
  for (let i = 1; i < asks.length; i++) asks[i]!.price = D.max(asks[i]!.price, asks[i - 1]!.price.plus(tick));
  const inventory = new D(s.inventory);
  capAmounts(bids, new D(s.maxInventory).minus(inventory), s.lotSize);
  capAmounts(asks, inventory.minus(s.minInventory ?? '0'), s.lotSize);
  const keep = (l: { price: Decimal; amount: Decimal }): boolean => l.price.gt(0) && l.amount.gt(0) && l.price.times(l.amount).gte(minNotional);
  const quotes: DesiredQuote[] = [
    ...bids.filter(keep).map((l, level) => ({ side: 'buy' as const, price: fmt(l.price), amount: fmt(l.amount), level, postOnly: true as const })),
    ...asks.filter(keep).map((l, level) => ({ side: 'sell' as const, price: fmt(l.price), amount: fmt(l.amount), level, postOnly: true as const })),
  ];
  if (!band) return quotes;
  // Lowering a bid onto the ceiling can take it under the minimum notional: check again.
  const banded = applyPriceBand(quotes, band, s.tickSize).filter((q) => new D(q.price).times(q.amount).gte(minNotional));
  const next = { buy: 0, sell: 0 };
  return banded.map((q) => ({ ...q, level: next[q.side]++ }));
}
