// The price-action executor (issue 10): what a `buyback` or `liquidation` does at each step, as pure
// functions over a JSON-plain state, so the workflows and the backtester run exactly the same logic
// (decide, then act; only the executor of the orders differs).
//
//   startExecution  arrival snapshot → Almgren–Chriss schedule (impact from the books and the volume),
//                   jittered from a seed derived from the workflow id
//   planSlice       one step: a stop (done, deadline, budget, price limit, fair value moved), a wait,
//                   or child orders — IOC legs on independent levels routed across the CEX books and
//                   the pool (routeSlice), and passive post-only orders for the rest
//   applySlice      the slice's fills → filled, average price, per-venue participation, budget spend
//   executionReport average price, implementation shortfall against the arrival price, budget used
//
// Rules that make it safe to run on a token's own markets:
// - never lead the price: per venue, a buy is priced at most max(last independent trade, highest
//   independent bid) and a sell at least min(last independent trade, lowest independent ask)
//   (followingPrice); "independent" = not Ballast's (our quotes are taken out of the book first);
// - never trade with ourselves: a buy stays strictly below Ballast's own best ask on that venue (and a
//   sell strictly above its own best bid), so neither the IOC legs nor the resting orders can meet
//   the quoting engine's orders; the exchanges' self-trade prevention is the backstop;
// - a participation cap over the trailing window summed across venues;
// - budgets in USD at the cross-venue fair value (budget.ts), booked per slice id;
// - no dump at the deadline: what is not done in time is left undone and reported.
// Floats shape the schedule and the split; every order amount and price is quantized to the venue's
// lot and tick (domain/quantize.ts) and every booked amount is decimal.
import { z } from 'zod';
import { D, fmt, zPositiveDecimal } from '../money';
import { quantizeAmount, quantizePrice } from '../quantize';
import { mulberry32 } from '../rng';
import { budgetLeft, spend, type BudgetLimits, type BudgetState } from './budget';
import { acTrajectory, estimateImpact, followingPrice, jitteredSchedule, participationRoom } from './execution-schedule';
import { routeSlice, type CexSource, type PoolSource } from './route';

export type PaSide = 'buy' | 'sell';
export const PRICE_ACTION_KINDS = ['buyback', 'liquidation'] as const;
export type PriceActionKind = (typeof PRICE_ACTION_KINDS)[number];
export const sideOf = (kind: PriceActionKind): PaSide => (kind === 'buyback' ? 'buy' : 'sell');

/** The knobs of one execution (the workflow input carries them; defaults suit the demo market). */
export const ExecutionParamsSchema = z
  .object({
    /** Base to buy (buyback) or sell (liquidation), at most. */
    quantity: zPositiveDecimal,
    /** Hard limit: a buy never pays more, a sell never takes less (quote per base). */
    limitPrice: zPositiveDecimal,
    /** Time allowed; what is not done by then is left undone. */
    durationMs: z.number().int().min(60_000, 'at least one minute').max(7 * 86_400_000, 'at most 7 days').default(2 * 3_600_000),
    /** Slice interval τ (before jitter). */
    sliceIntervalMs: z.number().int().min(1_000, 'at least 1 s').default(60_000),
    /** Almgren–Chriss risk aversion λ per quote unit; 0 = straight line (TWAP). */
    lambda: z.number().nonnegative().default(0),
    /** Ours ≤ this % of all traded volume over the trailing window, every venue summed. */
    participationPct: z.number().gt(0).lt(100).default(10),
    /** At most the hour applySlice keeps our own fills for (a longer window would undercount ours). */
    participationWindowMs: z.number().int().min(10_000).max(3_600_000, 'at most 1 h').default(5 * 60_000),
    jitter: z
      .object({ sizePct: z.number().min(0).max(50).default(25), timePct: z.number().min(0).max(45).default(25) })
      .strict()
      .default({ sizePct: 25, timePct: 25 }),
    /** Stop when the cross-venue fair value has moved this far from arrival (an informed move is not fought). */
    maxFairMovePct: z.number().positive().default(6),
    /** A pool swap's slippage limit and deadline. */
    poolSlippagePct: z.number().positive().max(5).default(0.5),
    poolDeadlineSec: z.number().int().positive().default(120),
    /** Venues to route to (default: every venue in the snapshot). */
    venues: z.array(z.string().min(1)).optional(),
  })
  .strict();
export type ExecutionParams = z.output<typeof ExecutionParamsSchema>;
export type ExecutionParamsInput = z.input<typeof ExecutionParamsSchema>;

/** What the executor sees of one venue at a step (built by an activity, or by the backtester). */
export interface VenueView {
  venue: string;
  kind: 'cex' | 'pool';
  tickSize: string;
  lotSize: string;
  minNotional: string;
  takerFee: number;
  /** Independent levels (Ballast's own orders removed), best first. */
  bids: { price: number; amount: number }[];
  asks: { price: number; amount: number }[];
  /** Ballast's own best bid / ask there (the quoting engine's), if any. */
  ownBestBid?: number;
  ownBestAsk?: number;
  lastIndependentTrade?: number;
  /** Independent volume over the participation window, base. */
  independentVolume: number;
  /** Independent volume since the previous view, base (for the participation actually achieved). */
  stepVolume?: number;
  /** Pool only: reserves in whole tokens and the fee fraction. */
  pool?: { reserveBase: number; reserveQuote: number; fee: number };
}

export interface MarketView {
  nowMs: number;
  /** Cross-venue fair value (quote per base; USD for a USD-stable quote). */
  fair: number;
  /** Absolute volatility of the fair value, price per √s (for the schedule). */
  sigmaPerSqrtSec: number;
  venues: VenueView[];
}

export interface SliceFill {
  venue: string;
  base: string;
  quote: string;
  /** Fee in quote units (converted by the caller). */
  feeQuote: string;
}

export interface SliceRecord {
  k: number;
  atMs: number;
  fair: number;
  planned: string;
  filledBase: string;
  quote: string;
  usd: string;
  orders: number;
  note?: string;
}

export const STOP_REASONS = ['COMPLETED', 'DEADLINE', 'BUDGET', 'PRICE_LIMIT', 'FAIR_VALUE_MOVED', 'IMBALANCE_CLEARED', 'OPERATOR', 'NO_MARKET'] as const;
export type StopReason = (typeof STOP_REASONS)[number];

export interface ExecutionState {
  kind: PriceActionKind;
  workflowId: string;
  episode: string;
  startedAt: number;
  deadline: number;
  arrivalFair: number;
  /** Cumulative target (base) at each slice's time: X − x_k of the A-C trajectory, jittered. */
  schedule: { atMs: number; cumulative: number }[];
  impact: { eta: number; gamma: number; kappaPerSec: number };
  next: number;
  filledBase: string;
  quote: string;
  feesQuote: string;
  perVenue: Record<string, { base: string; quote: string; independentVolume: number }>;
  /** Our fills with their time (participation window). */
  recent: { atMs: number; base: number }[];
  budget: BudgetState;
  slices: SliceRecord[];
  status: 'running' | 'stopped';
  stopReason?: StopReason;
  stopNote?: string;
  limitPrice: string;
  quantity: string;
}

export interface ChildOrder {
  venue: string;
  /** Derived from the workflow id, the slice and the leg: a retry finds the same order. */
  clientOrderId: string;
  side: PaSide;
  /** IOC on independent levels, post-only resting at the following price, or a pool swap. */
  type: 'ioc' | 'passive' | 'swap';
  price: string;
  amount: string;
  /** Swap only: the slippage limit as a worst acceptable average price, and the deadline (epoch s). */
  worstPrice?: string;
  deadlineSec?: number;
}

export type SlicePlan =
  | { kind: 'stop'; reason: StopReason; note: string }
  | { kind: 'wait'; note: string; untilMs: number }
  | { kind: 'orders'; k: number; orders: ChildOrder[]; planned: string; note: string };

/** FNV-1a 32-bit, twice with different seeds: a short stable hash of the workflow id for client ids. */
export function idHash(s: string): string {
  const h = (seed: number) => {
    let x = seed >>> 0;
    for (let i = 0; i < s.length; i++) {
      x ^= s.charCodeAt(i);
      x = Math.imul(x, 0x01000193) >>> 0;
    }
    return x.toString(16).padStart(8, '0');
  };
  return h(0x811c9dc5) + h(0x12345678);
}

/** The client order id of leg `leg` of slice `k` (≤ 32 chars, [a-z0-9-]: every exchange takes it). */
export const childOrderId = (workflowId: string, k: number, leg: number) => `pa-${idHash(workflowId)}-${k}-${leg}`;
/** Quoting engines leave orders with this prefix alone (they belong to a price-action workflow). */
export const PRICE_ACTION_ORDER_PREFIX = 'pa-';

const depthWithin = (v: VenueView, side: PaSide, fair: number, band: number): number => {
  if (v.pool) {
    // Constant product: base taken moving the price by `band` is x·(1 − 1/√(1+band)) (buy) / x·(1/√(1−band) − 1) (sell).
    const x = v.pool.reserveBase;
    return side === 'buy' ? x * (1 - 1 / Math.sqrt(1 + band)) : x * (1 / Math.sqrt(1 - band) - 1);
  }
  const levels = side === 'buy' ? v.asks : v.bids;
  return levels.filter((l) => (side === 'buy' ? l.price <= fair * (1 + band) : l.price >= fair * (1 - band))).reduce((a, l) => a + l.amount, 0);
};

/** The arrival: impact from the books, the A-C trajectory and its jittered times. */
export function startExecution(x: { kind: PriceActionKind; workflowId: string; episode?: string; params: ExecutionParams; view: MarketView; seed?: number }): ExecutionState {
  const { params: p, view } = x;
  const side = sideOf(x.kind);
  const total = Number(p.quantity);
  const slices = Math.max(1, Math.floor(p.durationMs / p.sliceIntervalMs));
  const venues = view.venues.filter((v) => !p.venues || p.venues.includes(v.venue));
  const band = 0.02;
  const depth = venues.reduce((a, v) => a + depthWithin(v, side, view.fair, band), 0);
  const volume = venues.reduce((a, v) => a + v.independentVolume, 0) / (p.participationWindowMs / 1000);
  const impact = depth > 0 && view.fair > 0 ? estimateImpact({ mid: view.fair, depthBase: depth, bandFraction: band, volumeBasePerSec: volume }) : { eta: 1e-9, gamma: 0, slope: 0, resilienceSec: 1 };
  const tauSec = p.sliceIntervalMs / 1000;
  const ac = { total, slices, intervalSec: tauSec, lambda: p.lambda, sigma: Math.max(0, view.sigmaPerSqrtSec), eta: Math.max(impact.eta, 1e-12), gamma: impact.gamma };
  // η̃ = η − γτ/2 must stay positive for the discrete solution; a long τ on a thin book can break it.
  if (ac.eta - (ac.gamma * tauSec) / 2 <= 0) ac.gamma = 0;
  const holdings = acTrajectory(ac);
  const seed = x.seed ?? parseInt(idHash(x.workflowId).slice(0, 8), 16);
  const jittered = jitteredSchedule(ac, p.jitter, mulberry32(seed));
  let cum = 0;
  const schedule = jittered.map((s) => ({ atMs: view.nowMs + s.atMs, cumulative: (cum += s.amount) }));
  // The last cumulative is the total, exactly (no float drift left undone).
  schedule[schedule.length - 1]!.cumulative = total;
  const kappa = holdings.length > 1 && total > 0 ? -Math.log(Math.max(1e-12, holdings[1]! / total)) / tauSec : 0;
  return {
    kind: x.kind,
    workflowId: x.workflowId,
    episode: x.episode ?? x.workflowId,
    startedAt: view.nowMs,
    deadline: view.nowMs + p.durationMs,
    arrivalFair: view.fair,
    schedule,
    impact: { eta: ac.eta, gamma: ac.gamma, kappaPerSec: Number.isFinite(kappa) ? kappa : 0 },
    next: 0,
    filledBase: '0',
    quote: '0',
    feesQuote: '0',
    perVenue: {},
    recent: [],
    budget: { spends: [] },
    slices: [],
    status: 'running',
    limitPrice: p.limitPrice,
    quantity: p.quantity,
  };
}

/** When the next slice is due (epoch ms), or undefined when the execution has stopped or run out of slices. */
export function nextSliceAt(s: ExecutionState): number | undefined {
  if (s.status !== 'running') return undefined;
  return s.schedule[s.next]?.atMs ?? s.deadline;
}

/** Stops the execution (an operator, the coordinator, or planSlice's own stop). Idempotent. */
export function stopExecution(s: ExecutionState, reason: StopReason, note: string): ExecutionState {
  if (s.status === 'stopped') return s;
  return { ...s, status: 'stopped', stopReason: reason, stopNote: note };
}

/** One step at `view.nowMs`: a stop, a wait or the slice's child orders. Does not change the state. */
export function planSlice(s: ExecutionState, p: ExecutionParams, view: MarketView, limits: BudgetLimits): SlicePlan {
  const side = sideOf(s.kind);
  const now = view.nowMs;
  const limit = Number(s.limitPrice);
  const filled = Number(s.filledBase);
  const total = Number(s.quantity);
  const venues = view.venues.filter((v) => !p.venues || p.venues.includes(v.venue));
  const minLot = Math.min(...venues.map((v) => Number(v.lotSize)).filter((x) => x > 0), Infinity);
  if (total - filled < (Number.isFinite(minLot) ? minLot : 0) || filled >= total) return { kind: 'stop', reason: 'COMPLETED', note: `${s.filledBase} of ${s.quantity} done` };
  if (now >= s.deadline) return { kind: 'stop', reason: 'DEADLINE', note: `deadline passed with ${fmt(new D(s.quantity).minus(s.filledBase))} left undone (never dumped)` };
  if (!(view.fair > 0) || venues.length === 0) return { kind: 'wait', note: 'no fair value or no venue to trade on', untilMs: now + p.sliceIntervalMs };
  const move = Math.abs(view.fair / s.arrivalFair - 1) * 100;
  if (move > p.maxFairMovePct) return { kind: 'stop', reason: 'FAIR_VALUE_MOVED', note: `fair value ${view.fair.toPrecision(6)} moved ${move.toFixed(2)} % from arrival ${s.arrivalFair.toPrecision(6)} (> ${p.maxFairMovePct} %): an informed move is not fought` };
  // Past the limit and the arrival both: a sell's limit with a premium sits above the arrival fair, so
  // "fair below the limit" is where a liquidation starts (its asks rest at the limit), not a stop.
  if (side === 'buy' ? view.fair > Math.max(limit, s.arrivalFair) : view.fair < Math.min(limit, s.arrivalFair)) return { kind: 'stop', reason: 'PRICE_LIMIT', note: `fair value ${view.fair.toPrecision(6)} is beyond the limit ${s.limitPrice} and the arrival ${s.arrivalFair.toPrecision(6)}` };
  const usdLeft = Number(budgetLeft(s.budget, limits, s.episode, now));
  const minNotional = Math.min(...venues.map((v) => Number(v.minNotional)));
  if (usdLeft < Math.max(minNotional, 1e-9)) return { kind: 'stop', reason: 'BUDGET', note: `budget spent: ${fmt(usdLeft)} USD left` };

  // How much this slice: catch up to the schedule's cumulative target, within participation and budget.
  const k = s.next;
  const target = s.schedule[Math.min(k, s.schedule.length - 1)]!.cumulative;
  const want = Math.min(target, total) - filled;
  const windowStart = now - p.participationWindowMs;
  const ours = s.recent.filter((r) => r.atMs > windowStart).reduce((a, r) => a + r.base, 0);
  const others = venues.reduce((a, v) => a + v.independentVolume, 0);
  const room = participationRoom({ capPct: p.participationPct, othersVolume: others, oursVolume: ours });
  const budgetBase = usdLeft / view.fair;
  const amount = Math.min(want, room, budgetBase, total - filled);
  const why = `slice ${k}: target ${target.toFixed(2)}, filled ${filled.toFixed(2)}, participation room ${room.toFixed(2)}, budget ${budgetBase.toFixed(2)} base`;
  if (!(amount > 0)) return { kind: 'wait', note: `${why}: nothing to do`, untilMs: s.schedule[k + 1]?.atMs ?? now + p.sliceIntervalMs };

  // Prices: never lead, never meet our own quotes, never past the limit.
  const cex = venues.filter((v) => v.kind === 'cex');
  const priced = cex
    .map((v) => {
      let px = followingPrice(side, {
        limit,
        ...(v.lastIndependentTrade !== undefined ? { lastIndependentTrade: v.lastIndependentTrade } : {}),
        ...(v.bids[0] ? { bestIndependentBid: v.bids[0].price } : {}),
        ...(v.asks[0] ? { bestIndependentAsk: v.asks[0].price } : {}),
      });
      const tick = Number(v.tickSize);
      if (px !== undefined && side === 'buy' && v.ownBestAsk !== undefined) px = Math.min(px, v.ownBestAsk - tick);
      if (px !== undefined && side === 'sell' && v.ownBestBid !== undefined) px = Math.max(px, v.ownBestBid + tick);
      return { v, px: px !== undefined && px > 0 ? px : undefined };
    })
    .filter((x): x is { v: VenueView; px: number } => x.px !== undefined);
  if (priced.length === 0 && !venues.some((v) => v.pool)) return { kind: 'wait', note: `${why}: no independent price to follow`, untilMs: now + p.sliceIntervalMs };

  const sources: CexSource[] = priced.map(({ v, px }) => ({
    venue: v.venue,
    takerFee: v.takerFee,
    levels: (side === 'buy' ? v.asks : v.bids).filter((l) => (side === 'buy' ? l.price <= px : l.price >= px)),
  }));
  const poolView = venues.find((v) => v.kind === 'pool' && v.pool);
  // The pool is taken only up to where the CEX venues already trade: a buy never lifts it above the
  // best following price there (nor a sell below), so the pool follows too.
  const ref = priced.length ? (side === 'buy' ? Math.max(...priced.map((x) => x.px)) : Math.min(...priced.map((x) => x.px))) : limit;
  const routeLimit = side === 'buy' ? Math.min(limit, ref) : Math.max(limit, ref);
  const pool: PoolSource | undefined = poolView?.pool ? { venue: poolView.venue, ...poolView.pool } : undefined;
  const route = routeSlice({ side, amount, limit: routeLimit, cex: sources, ...(pool ? { pool } : {}) });

  const orders: ChildOrder[] = [];
  let leg = 0;
  for (const l of route.legs) {
    const v = venues.find((x) => x.venue === l.venue)!;
    const amt = quantizeAmount(l.amount, v.lotSize);
    if (new D(amt).lte(0)) continue;
    if (v.kind === 'pool') {
      // A swap too small for the pool's minimum is dropped like a CEX leg (gas would outweigh it).
      if (new D(l.price).times(amt).lt(v.minNotional)) continue;
      const worst = side === 'buy' ? l.price * (1 + p.poolSlippagePct / 100) : l.price * (1 - p.poolSlippagePct / 100);
      const capped = side === 'buy' ? Math.min(worst, routeLimit) : Math.max(worst, routeLimit);
      orders.push({ venue: v.venue, clientOrderId: childOrderId(s.workflowId, k, leg++), side, type: 'swap', price: fmt(new D(l.price).toSignificantDigits(12)), amount: amt, worstPrice: fmt(new D(capped).toSignificantDigits(12)), deadlineSec: Math.floor(now / 1000) + p.poolDeadlineSec });
    } else {
      const price = quantizePrice(l.price, v.tickSize, side);
      if (new D(price).times(amt).lt(v.minNotional)) continue;
      orders.push({ venue: v.venue, clientOrderId: childOrderId(s.workflowId, k, leg++), side, type: 'ioc', price, amount: amt });
    }
  }
  // The rest rests passively at the following price, split by each venue's independent depth on our side.
  const rest = amount - route.filled;
  if (rest > 0 && priced.length > 0) {
    const weights = priced.map(({ v }) => Math.max(1e-9, (side === 'buy' ? v.bids : v.asks).slice(0, 5).reduce((a, l) => a + l.amount, 0)));
    const wsum = weights.reduce((a, b) => a + b, 0);
    priced.forEach(({ v, px }, i) => {
      const tick = Number(v.tickSize);
      // Resting, so it must not cross: below every independent ask (buy) / above every bid (sell).
      let q = px;
      if (side === 'buy' && v.asks[0]) q = Math.min(q, v.asks[0].price - tick);
      if (side === 'sell' && v.bids[0]) q = Math.max(q, v.bids[0].price + tick);
      if (!(q > 0)) return;
      const price = quantizePrice(q, v.tickSize, side);
      const amt = quantizeAmount((rest * weights[i]!) / wsum, v.lotSize);
      if (new D(amt).lte(0) || new D(price).times(amt).lt(v.minNotional)) return;
      orders.push({ venue: v.venue, clientOrderId: childOrderId(s.workflowId, k, leg++), side, type: 'passive', price, amount: amt });
    });
  }
  if (orders.length === 0) return { kind: 'wait', note: `${why}: every leg below the venues' minimums`, untilMs: s.schedule[k + 1]?.atMs ?? now + p.sliceIntervalMs };
  return { kind: 'orders', k, orders, planned: fmt(orders.reduce((a, o) => a.plus(o.amount), new D(0))), note: `${why}; ${route.legs.length} taker leg(s) for ${route.filled.toFixed(2)}, the rest passive` };
}

/**
 * Books a slice's fills: filled base, quote, fees, per-venue totals, the participation window and the
 * budget (USD at the cross-venue fair value of the step, never a requester's number), keyed by the
 * slice id so a replayed or retried slice never counts twice. Advances to the next slice.
 */
export function applySlice(s: ExecutionState, x: { k: number; fills: SliceFill[]; view: MarketView; limits: BudgetLimits; planned: string; orders: number; note?: string }): ExecutionState {
  if (s.slices.some((r) => r.k === x.k)) return s;
  let base = new D(0);
  let quote = new D(0);
  let fees = new D(0);
  const perVenue = { ...s.perVenue };
  for (const f of x.fills) {
    base = base.plus(f.base);
    quote = quote.plus(f.quote);
    fees = fees.plus(f.feeQuote);
    const pv = perVenue[f.venue] ?? { base: '0', quote: '0', independentVolume: 0 };
    perVenue[f.venue] = { ...pv, base: fmt(new D(pv.base).plus(f.base)), quote: fmt(new D(pv.quote).plus(f.quote)) };
  }
  for (const v of x.view.venues) {
    const pv = perVenue[v.venue] ?? { base: '0', quote: '0', independentVolume: 0 };
    perVenue[v.venue] = { ...pv, independentVolume: pv.independentVolume + (v.stepVolume ?? 0) };
  }
  const usd = fmt(base.times(new D(x.view.fair).toSignificantDigits(12)), 6);
  const booked = spend(s.budget, x.limits, { sliceId: `${s.workflowId}:s${x.k}`, episode: s.episode, usd, atMs: x.view.nowMs });
  const rec: SliceRecord = { k: x.k, atMs: x.view.nowMs, fair: x.view.fair, planned: x.planned, filledBase: fmt(base), quote: fmt(quote), usd, orders: x.orders, ...(x.note ? { note: x.note } : {}) };
  return {
    ...s,
    next: Math.max(s.next, x.k + 1),
    filledBase: fmt(new D(s.filledBase).plus(base)),
    quote: fmt(new D(s.quote).plus(quote)),
    feesQuote: fmt(new D(s.feesQuote).plus(fees)),
    perVenue,
    recent: [...s.recent.filter((r) => r.atMs > x.view.nowMs - 3_600_000), ...(base.gt(0) ? [{ atMs: x.view.nowMs, base: base.toNumber() }] : [])],
    budget: booked.state,
    slices: [...s.slices, rec].slice(-500),
  };
}

/** A slice that placed nothing (a wait) still moves the schedule on when its time has passed. */
export function skipSlice(s: ExecutionState, nowMs: number): ExecutionState {
  let next = s.next;
  while (next < s.schedule.length - 1 && s.schedule[next + 1]!.atMs <= nowMs) next += 1;
  return next === s.next ? s : { ...s, next };
}

export interface ExecutionReport {
  kind: PriceActionKind;
  status: ExecutionState['status'];
  stopReason?: StopReason;
  stopNote?: string;
  quantity: string;
  filledBase: string;
  /** Left undone (never dumped). */
  remainingBase: string;
  quote: string;
  feesQuote: string;
  /** Quote per base, fees excluded; null when nothing filled. */
  averagePrice: string | null;
  arrivalPrice: string;
  /**
   * Implementation shortfall against the arrival price, in quote and in basis points of the arrival
   * value of what was done: buy (avg − arrival)·filled + fees; sell (arrival − avg)·filled + fees.
   */
  shortfallQuote: string | null;
  shortfallBps: number | null;
  /** Ours / (ours + independent) per venue over the execution. */
  participation: Record<string, { base: string; pct: number }>;
  budgetUsedUsd: string;
  slices: number;
}

export function executionReport(s: ExecutionState): ExecutionReport {
  const filled = new D(s.filledBase);
  const arrival = new D(s.arrivalFair).toSignificantDigits(12);
  const avg = filled.gt(0) ? new D(s.quote).div(filled) : null;
  const sign = s.kind === 'buyback' ? 1 : -1;
  const shortfall = avg ? avg.minus(arrival).times(sign).times(filled).plus(s.feesQuote) : null;
  const bps = shortfall && filled.gt(0) ? shortfall.div(arrival.times(filled)).times(10_000).toNumber() : null;
  const participation: ExecutionReport['participation'] = {};
  for (const [v, pv] of Object.entries(s.perVenue)) {
    const ours = Number(pv.base);
    const all = ours + pv.independentVolume;
    participation[v] = { base: pv.base, pct: all > 0 ? Math.round((10_000 * ours) / all) / 100 : 0 };
  }
  return {
    kind: s.kind,
    status: s.status,
    ...(s.stopReason ? { stopReason: s.stopReason } : {}),
    ...(s.stopNote ? { stopNote: s.stopNote } : {}),
    quantity: s.quantity,
    filledBase: s.filledBase,
    remainingBase: fmt(D.max(0, new D(s.quantity).minus(filled))),
    quote: s.quote,
    feesQuote: s.feesQuote,
    averagePrice: avg ? fmt(avg.toSignificantDigits(12)) : null,
    arrivalPrice: fmt(arrival),
    shortfallQuote: shortfall ? fmt(shortfall.toDecimalPlaces(6)) : null,
    shortfallBps: bps !== null ? Math.round(bps * 100) / 100 : null,
    participation,
    budgetUsedUsd: fmt(s.budget.spends.filter((x) => x.episode === s.episode).reduce((a, x) => a.plus(x.usd), new D(0))),
    slices: s.slices.length,
  };
}

/**
 * How much of the execution's price impact reverted: impact = fair at the end − fair at arrival (a buy
 * pushes up, a sell down); reverted share at a later time = (fair_end − fair_later) / impact, signed so
 * 1 means fully back to arrival and 0 none. Null when the execution moved the price the other way
 * (nothing to revert) or by less than 1 bp.
 */
export function impactReversion(kind: PriceActionKind, x: { arrival: number; end: number; later: number }): number | null {
  const sign = kind === 'buyback' ? 1 : -1;
  const impact = sign * (x.end - x.arrival);
  if (!(impact > x.arrival * 1e-4)) return null;
  return Math.round((10_000 * sign * (x.end - x.later)) / impact) / 10_000;
}
