// The quoting contract: what every model reads (MarketSnapshot, or GridSnapshot on the integer grid),
// how it is tuned (QuoteParams), what it returns (GridOrder[] / DesiredQuote[]) — and the one builder
// every model ends with, so that all of them give the same guarantees: prices on the tick grid (buys
// rounded down, sells up), amounts on the lot grid, bids strictly below asks, inventory limits
// respected, the price band applied, post-only.
// Model math is float; the builder puts it on the grid (domain/grid.ts) in exact integers (ticks,
// lots, tick·lot units). Parameters are validated (with decimal.js) once per params object and kept
// in a WeakMap, so the per-call path has no Decimal. The string API (quoteStrings) converts a
// MarketSnapshot onto the grid, runs the same grid path and formats the result: one implementation.
import type Decimal from 'decimal.js';
import { DomainError } from '../errors';
import { marketGrid, type GridOrder, type MarketGrid } from '../grid';
import { D, fmt } from '../money';
import { applyGridBand, bandTicks, compileBand, type BandSpec, type BandTicks } from './bands';

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

/**
 * A MarketSnapshot on a market's integer grid (what quoteOnGrid reads). `mid` and `volatility` are
 * floats (model inputs); inventories are whole lots of `grid` (see gridSnapshot for the rounding
 * that keeps the limits safe when converting decimal inventories).
 */
export interface GridSnapshot {
  /** Float reference price (fair value), > 0. */
  mid: number;
  /** Absolute σ per √s, as MarketSnapshot.volatility. */
  volatility: number;
  inventoryLots: number;
  targetLots: number;
  /** Bids never take inventoryLots past this. */
  maxLots: number;
  /** Asks never take inventoryLots below this. */
  minLots: number;
  now: number;
  grid: MarketGrid;
}

/** A model's decision before the grid: best prices (float price units) and per-side size factors. */
export interface ModelQuote {
  bid: number;
  ask: number;
  bidFactor: number;
  askFactor: number;
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

/**
 * The compiled form of a params object, made on first use and reused while the object lives.
 * Params are treated as immutable: a params object mutated after its first use keeps its first form.
 */
export function compiledFor<K extends object, V>(cache: WeakMap<K, V>, key: K, compile: (k: K) => V): V {
  let v = cache.get(key);
  if (v === undefined) {
    v = compile(key);
    cache.set(key, v);
  }
  return v;
}

/** Validated ladder parameters; per-grid integers are derived lazily (ladderOnGrid). */
export interface LadderSpec {
  levels: number;
  orderAmount: Decimal;
  increment: Decimal;
  /** Distance between levels as a fraction of mid (levelSpacingPct / 100). */
  spacing: number;
  /** Base amount the pure-mm inventory range spans (multiplier × both ladders), when the model has one. */
  rangeBase?: Decimal;
  band?: BandSpec;
  grids: WeakMap<MarketGrid, LadderOnGrid>;
}

/** A LadderSpec in lots of one grid (floats: sizes are model math until floorLots puts them on the grid). */
export interface LadderOnGrid {
  lotsPerOrder: number;
  incrementLots: number;
  rangeLots: number;
  band?: BandTicks;
}

export function compileLadder(p: LadderParams, band: PriceBand | undefined): LadderSpec {
  const levels = p.orderLevels ?? 1;
  if (!Number.isInteger(levels) || levels < 1 || levels > 200) throw invalid('orderLevels', `expected an integer 1..200, got ${levels}`);
  const orderAmount = requireDecimal('orderAmount', p.orderAmount, '', 0, true);
  const spacingPct = requireDecimal('levelSpacingPct', p.levelSpacingPct, '0', 0, false);
  if (levels > 1 && spacingPct.isZero()) throw invalid('levelSpacingPct', 'required (> 0) when orderLevels > 1');
  const increment = requireDecimal('levelAmountIncrement', p.levelAmountIncrement, '0', 0, false);
  return {
    levels,
    orderAmount,
    increment,
    spacing: spacingPct.div(100).toNumber(),
    ...(band ? { band: compileBand(band) } : {}),
    grids: new WeakMap(),
  };
}

export function ladderOnGrid(spec: LadderSpec, grid: MarketGrid): LadderOnGrid {
  let g = spec.grids.get(grid);
  if (g === undefined) {
    const lot = new D(grid.rules.lotSize);
    g = {
      lotsPerOrder: spec.orderAmount.div(lot).toNumber(),
      incrementLots: spec.increment.div(lot).toNumber(),
      rangeLots: spec.rangeBase ? spec.rangeBase.div(lot).toNumber() : 0,
      ...(spec.band ? { band: bandTicks(spec.band, grid) } : {}),
    };
    spec.grids.set(grid, g);
  }
  return g;
}

/**
 * A float lot count rounded down, binary noise snapped to the whole lot first (1.5 / 0.1 =
 * 15.000000000000002, 0.3 / 0.1 = 2.9999999999999996). The tolerance, 1e-9 lot + 1e-12 relative,
 * is far above the few ulps (~1e-15 relative) a sum and a product can add, and far below a lot.
 */
export function floorLots(x: number): number {
  const near = Math.round(x);
  return Math.abs(x - near) <= 1e-9 + 1e-12 * Math.abs(x) ? near : Math.floor(x);
}

function requireModelFinite(field: string, x: number): void {
  if (!Number.isFinite(x)) throw new DomainError('QUOTING.NON_FINITE', `${field} is not finite (${x}): check the model parameters and volatility`);
}

function requireLots(field: string, x: number): void {
  if (!Number.isSafeInteger(x)) throw invalid(field, `expected a whole number of lots, got ${x}`);
}

function checkSnapshot(s: GridSnapshot): void {
  if (!(Number.isFinite(s.mid) && s.mid > 0)) throw invalid('mid', `expected a finite price > 0, got ${s.mid}`);
  requireLots('inventoryLots', s.inventoryLots);
  requireLots('targetLots', s.targetLots);
  requireLots('maxLots', s.maxLots);
  requireLots('minLots', s.minLots);
}

/**
 * One side's orders, best first: sizes floored to lots and capped cumulatively by the room (lots)
 * the inventory limit leaves; non-positive prices, empty amounts and sub-minimum notionals dropped.
 * A dropped level's capped amount still counts against the room (conservative, as before).
 */
function sideOrders(side: QuoteSide, ticks: number[], g: LadderOnGrid, factor: number, room: number, minUnits: number): GridOrder[] {
  const out: GridOrder[] = [];
  let left = Math.max(room, 0);
  for (let i = 0; i < ticks.length; i++) {
    const lots = Math.min(floorLots((g.lotsPerOrder + i * g.incrementLots) * factor), left);
    left -= lots;
    const t = ticks[i]!;
    // t·lots ≥ minUnits in floats is exact: below 2^53 the product is exact, above it is ≥ 2^53 > minUnits.
    if (t > 0 && lots > 0 && t * lots >= minUnits) out.push({ side, ticks: t, lots, level: out.length });
  }
  return out;
}

/**
 * Turns a model's decision into the grid orders the contract promises (bids best-first, then asks):
 * 1. level i is i × spacing × mid further out and carries (orderAmount + i × increment) × side factor;
 * 2. prices to ticks (bids down, asks up) — this alone never creates a cross from a non-crossed pair;
 * 3. if the model itself crossed or touched (bid ≥ ask on the grid), the pair is re-centred one tick wide;
 * 4. levels on one side strictly monotone (at least one tick apart);
 * 5. amounts floored to the lot and capped by the inventory limits, cumulatively per side, in lots;
 * 6. non-positive prices, empty amounts and sub-minimum notionals dropped;
 * 7. the price band applied (bands.ts), the min notional checked again, levels renumbered from 0.
 */
export function buildGridQuotes(s: GridSnapshot, spec: LadderSpec, g: LadderOnGrid, m: ModelQuote): GridOrder[] {
  checkSnapshot(s);
  requireModelFinite('bid', m.bid);
  requireModelFinite('ask', m.ask);
  requireModelFinite('bid size factor', m.bidFactor);
  requireModelFinite('ask size factor', m.askFactor);
  const grid = s.grid;
  const n = spec.levels;
  const step = s.mid * spec.spacing;
  const bidT = new Array<number>(n);
  const askT = new Array<number>(n);
  for (let i = 0; i < n; i++) {
    bidT[i] = grid.ticksFromFloat(m.bid - i * step, 'floor');
    askT[i] = grid.ticksFromFloat(m.ask + i * step, 'ceil');
  }
  if (bidT[0]! >= askT[0]!) {
    bidT[0] = grid.ticksFromFloat((m.bid + m.ask) / 2, 'floor');
    askT[0] = bidT[0] + 1;
  }
  for (let i = 1; i < n; i++) {
    bidT[i] = Math.min(bidT[i]!, bidT[i - 1]! - 1);
    askT[i] = Math.max(askT[i]!, askT[i - 1]! + 1);
  }
  const minUnits = grid.minNotionalUnits;
  const bids = sideOrders('buy', bidT, g, m.bidFactor, s.maxLots - s.inventoryLots, minUnits);
  const asks = sideOrders('sell', askT, g, m.askFactor, s.inventoryLots - s.minLots, minUnits);
  if (g.band === undefined) return bids.concat(asks);
  // Lowering a bid onto the ceiling can take it under the minimum notional: check again.
  const banded = applyGridBand(bids, asks, g.band);
  const keep = (o: GridOrder): boolean => o.ticks * o.lots >= minUnits;
  const renumber = (o: GridOrder, level: number): GridOrder => ({ ...o, level });
  return [...banded.bids.filter(keep).map(renumber), ...banded.asks.filter(keep).map(renumber)];
}

// ---- The string API: MarketSnapshot in, DesiredQuote out, through the grid path above. ----

const grids = new Map<string, MarketGrid>();

/** The grid of a snapshot's market rules, validated and built once per distinct rules. */
export function gridOf(s: MarketSnapshot): MarketGrid {
  const minNotional = s.minNotional ?? '0';
  const key = `${s.tickSize}|${s.lotSize}|${minNotional}`;
  let g = grids.get(key);
  if (g === undefined) {
    requireDecimal('tickSize', s.tickSize, '', 0, true);
    requireDecimal('lotSize', s.lotSize, '', 0, true);
    requireDecimal('minNotional', s.minNotional, '0', 0, false);
    g = marketGrid({ tickSize: s.tickSize, lotSize: s.lotSize, minNotional });
    // A process quotes a handful of markets; the bound only guards against a caller varying rules.
    if (grids.size >= 256) grids.clear();
    grids.set(key, g);
  }
  return g;
}

/** A maximum beyond 2^53 lots is no limit in practice: clamping it down keeps it safe and on the grid. */
function maxLotsOf(grid: MarketGrid, max: string): number {
  try {
    return grid.lots(max, 'floor');
  } catch (e) {
    if (e instanceof DomainError && e.code === 'GRID.OVERFLOW' && new D(max).gt(0)) return Number.MAX_SAFE_INTEGER;
    throw e;
  }
}

/**
 * A MarketSnapshot on its grid. Rounding directions keep both inventory limits safe:
 * - asks may sell inventoryLots − minLots: inventory rounded down and the minimum rounded up can
 *   only shrink that room below the exact inventory − minimum;
 * - bids may buy maxLots − inventoryLots: the maximum rounded down shrinks it, but the inventory
 *   rounded down would grow it by up to one lot, so an inventory off the lot grid lowers maxLots by
 *   one lot (room = floor(max) − ceil(inventory) ≤ max − inventory);
 * - the target only sets the skew (model math), rounded down.
 */
export function gridSnapshot(s: MarketSnapshot): GridSnapshot {
  const grid = gridOf(s);
  const inventoryLots = grid.lots(s.inventory, 'floor');
  const offGrid = grid.lots(s.inventory, 'ceil') !== inventoryLots;
  return {
    mid: Number(s.mid),
    volatility: s.volatility,
    inventoryLots,
    targetLots: grid.lots(s.targetInventory, 'floor'),
    maxLots: maxLotsOf(grid, s.maxInventory) - (offGrid ? 1 : 0),
    minLots: s.minInventory === undefined ? 0 : grid.lots(s.minInventory, 'ceil'),
    now: s.now,
    grid,
  };
}

export function toDesiredQuotes(grid: MarketGrid, orders: GridOrder[]): DesiredQuote[] {
  return orders.map((o) => ({ side: o.side, price: grid.priceStr(o.ticks), amount: grid.amountStr(o.lots), level: o.level, postOnly: true as const }));
}

/** The string API of a grid-native model: snapshot onto the grid, the model, orders back to strings. */
export function quoteStrings<P>(s: MarketSnapshot, p: P, onGrid: (s: GridSnapshot, p: P) => GridOrder[]): DesiredQuote[] {
  const gs = gridSnapshot(s);
  return toDesiredQuotes(gs.grid, onGrid(gs, p));
}
