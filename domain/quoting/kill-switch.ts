// Kill switch: decides when quoting must stop, per venue or everywhere. Pure; the state is plain
// JSON so it can live in a workflow or be persisted across restarts.
//
// Triggers (each venue): drawdown (PnL below its running peak by more than the limit, quote
// currency, decimal), inventory breach (base inventory above max or below min), stale data (last
// book older than maxAgeMs), venue unhealthy. Globally: the summed PnL's drawdown beyond the global
// limit stops every venue. A trip is latched: it stays in force until `resetKillSwitch` clears it,
// even if the condition goes away (a flapping venue must not resume quoting by itself).
import { D, fmt, type Dec } from '../money';

export type KillReason = 'drawdown' | 'inventory-breach' | 'stale-data' | 'venue-unhealthy';

export interface KillDecision {
  scope: 'venue' | 'all';
  venueId?: string;
  reason: KillReason;
  detail: string;
  /** Epoch ms of the trip. */
  at: number;
}

export interface KillSwitchLimits {
  /** Per-venue drawdown limit, quote currency (decimal ≥ 0). Omitted ⇒ not checked. */
  maxDrawdownQuote?: string;
  /** Drawdown limit on the summed PnL of all venues ⇒ scope 'all'. */
  maxGlobalDrawdownQuote?: string;
  /** Base inventory above this trips the venue. */
  maxInventoryBase?: string;
  /** Base inventory below this trips the venue. */
  minInventoryBase?: string;
  /** Last book older than this trips the venue. */
  maxDataAgeMs?: number;
}

export interface VenueObservation {
  venueId: string;
  /** Mark-to-market PnL, quote currency (decimal string). */
  pnlQuote: string;
  inventoryBase: string;
  /** Epoch ms of the last book; undefined = none yet (treated as stale once maxDataAgeMs is set). */
  lastBookAt?: number;
  healthy: boolean;
}

export interface KillSwitchState {
  /** Running PnL peak per venue (decimal strings). */
  peakPnl: Record<string, string>;
  globalPeakPnl?: string;
  /** Latched trips, in the order they happened. */
  trips: KillDecision[];
}

export function initialKillSwitchState(): KillSwitchState {
  return { peakPnl: {}, trips: [] };
}

export interface KillSwitchResult {
  state: KillSwitchState;
  /** Trips that happened in this evaluation. */
  tripped: KillDecision[];
}

/** The trip in force for a venue (its own or a global one), if any. */
export function haltedBy(state: KillSwitchState, venueId: string): KillDecision | undefined {
  return state.trips.find((t) => t.scope === 'all') ?? state.trips.find((t) => t.venueId === venueId);
}

// Parsing decimal strings was most of this module's cost (a dozen parses per venue per quoting
// cycle). The parses are memoized below; every comparison and sum is the same decimal operation on
// the same values as before, so every result is unchanged.

/** Decimal by string: most strings (limits, peaks, other venues' PnL and inventory) recur call after call. */
const parsed = new Map<string, Dec>();
const PARSED_MAX = 512;

function dec(s: string): Dec {
  let d = parsed.get(s);
  if (d === undefined) {
    d = new D(s);
    if (parsed.size >= PARSED_MAX) parsed.clear();
    parsed.set(s, d);
  }
  return d;
}

function venueCheck(o: VenueObservation, peak: Dec, pnl: Dec, limits: KillSwitchLimits, now: number): { reason: KillReason; detail: string } | undefined {
  if (!o.healthy) return { reason: 'venue-unhealthy', detail: `${o.venueId} reports unhealthy` };
  if (limits.maxDataAgeMs !== undefined) {
    if (o.lastBookAt === undefined) return { reason: 'stale-data', detail: `${o.venueId}: no book yet` };
    const age = now - o.lastBookAt;
    if (age > limits.maxDataAgeMs) return { reason: 'stale-data', detail: `${o.venueId}: last book ${age} ms old > ${limits.maxDataAgeMs} ms` };
  }
  const inv = dec(o.inventoryBase);
  if (limits.maxInventoryBase !== undefined && inv.gt(dec(limits.maxInventoryBase))) {
    return { reason: 'inventory-breach', detail: `${o.venueId}: inventory ${fmt(inv)} > max ${limits.maxInventoryBase}` };
  }
  if (limits.minInventoryBase !== undefined && inv.lt(dec(limits.minInventoryBase))) {
    return { reason: 'inventory-breach', detail: `${o.venueId}: inventory ${fmt(inv)} < min ${limits.minInventoryBase}` };
  }
  if (limits.maxDrawdownQuote !== undefined) {
    // `peak` has the value its canonical string parses to (up to the sign of a zero, which changes
    // neither the difference's value, nor the comparison, nor its printed form).
    const dd = peak.minus(pnl);
    if (dd.gt(dec(limits.maxDrawdownQuote))) return { reason: 'drawdown', detail: `${o.venueId}: drawdown ${fmt(dd)} > ${limits.maxDrawdownQuote}` };
  }
  return undefined;
}

/** D.max(prev, x) without copies: x when it is NaN or above prev (a first value: x), else prev. */
function takesPeak(prev: Dec | undefined, x: Dec): boolean {
  return prev === undefined || x.isNaN() || prev.lt(x);
}

/**
 * Folds new observations in: updates PnL peaks, then trips (and latches) every venue whose limits
 * are broken, and everything if the global drawdown is. Venues already tripped are not re-tripped.
 */
export function evaluateKillSwitch(state: KillSwitchState, observations: readonly VenueObservation[], limits: KillSwitchLimits, now: number): KillSwitchResult {
  const peakPnl = Object.assign({}, state.peakPnl);
  const trips = state.trips.slice();
  const tripped: KillDecision[] = [];
  let total = new D(0);
  for (const o of observations) {
    const prev = peakPnl[o.venueId];
    const prevDec = prev === undefined ? undefined : dec(prev);
    const pnl = dec(o.pnlQuote);
    const newPeak = takesPeak(prevDec, pnl);
    const peak = newPeak ? pnl : prevDec!;
    // fmt of a string is fmt of its parse.
    peakPnl[o.venueId] = fmt(newPeak ? o.pnlQuote : prev!);
    total = total.plus(pnl);
    if (trips.length > 0 && trips.some((t) => t.scope === 'all' || t.venueId === o.venueId)) continue;
    const hit = venueCheck(o, peak, pnl, limits, now);
    if (hit) {
      const d: KillDecision = { scope: 'venue', venueId: o.venueId, ...hit, at: now };
      trips.push(d);
      tripped.push(d);
    }
  }
  let globalPeakPnl = state.globalPeakPnl;
  if (observations.length > 0) {
    const prevDec = globalPeakPnl === undefined ? undefined : dec(globalPeakPnl);
    const newPeak = takesPeak(prevDec, total);
    const gPeak = newPeak ? total : prevDec!;
    globalPeakPnl = fmt(newPeak ? total : globalPeakPnl!);
    if (limits.maxGlobalDrawdownQuote !== undefined) {
      const dd = gPeak.minus(total);
      if (dd.gt(dec(limits.maxGlobalDrawdownQuote)) && !trips.some((t) => t.scope === 'all')) {
        const d: KillDecision = { scope: 'all', reason: 'drawdown', detail: `total drawdown ${fmt(dd)} > ${limits.maxGlobalDrawdownQuote}`, at: now };
        trips.push(d);
        tripped.push(d);
      }
    }
  }
  return { state: globalPeakPnl !== undefined ? { peakPnl, globalPeakPnl, trips } : { peakPnl, trips }, tripped };
}

/**
 * Clears the latch: for one venue (its venue-scope trips) or, without a venue, everything. Peaks
 * restart from the next observation, so an old peak does not re-trip a drawdown immediately.
 */
export function resetKillSwitch(state: KillSwitchState, venueId?: string): KillSwitchState {
  if (venueId === undefined) return initialKillSwitchState();
  const peakPnl = { ...state.peakPnl };
  delete peakPnl[venueId];
  return { ...state, peakPnl, trips: state.trips.filter((t) => t.venueId !== venueId) };
}
