// Kill switch: decides when quoting must stop, per venue or everywhere. Pure; the state is plain
// JSON so it can live in a workflow or be persisted across restarts.
//
// Triggers (each venue): drawdown (PnL below its running peak by more than the limit, quote
// currency, decimal), inventory breach (base inventory above max or below min), stale data (last
// book older than maxAgeMs), venue unhealthy. Globally: the summed PnL's drawdown beyond the global
// limit stops every venue. A trip is latched: it stays in force until `resetKillSwitch` clears it,
// even if the condition goes away (a flapping venue must not resume quoting by itself).
import { D, fmt } from '../money';

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

function venueCheck(o: VenueObservation, peak: string, limits: KillSwitchLimits, now: number): { reason: KillReason; detail: string } | undefined {
  if (!o.healthy) return { reason: 'venue-unhealthy', detail: `${o.venueId} reports unhealthy` };
  if (limits.maxDataAgeMs !== undefined) {
    if (o.lastBookAt === undefined) return { reason: 'stale-data', detail: `${o.venueId}: no book yet` };
    const age = now - o.lastBookAt;
    if (age > limits.maxDataAgeMs) return { reason: 'stale-data', detail: `${o.venueId}: last book ${age} ms old > ${limits.maxDataAgeMs} ms` };
  }
  const inv = new D(o.inventoryBase);
  if (limits.maxInventoryBase !== undefined && inv.gt(limits.maxInventoryBase)) {
    return { reason: 'inventory-breach', detail: `${o.venueId}: inventory ${fmt(inv)} > max ${limits.maxInventoryBase}` };
  }
  if (limits.minInventoryBase !== undefined && inv.lt(limits.minInventoryBase)) {
    return { reason: 'inventory-breach', detail: `${o.venueId}: inventory ${fmt(inv)} < min ${limits.minInventoryBase}` };
  }
  if (limits.maxDrawdownQuote !== undefined) {
    const dd = new D(peak).minus(o.pnlQuote);
    if (dd.gt(limits.maxDrawdownQuote)) return { reason: 'drawdown', detail: `${o.venueId}: drawdown ${fmt(dd)} > ${limits.maxDrawdownQuote}` };
  }
  return undefined;
}

/**
 * Folds new observations in: updates PnL peaks, then trips (and latches) every venue whose limits
 * are broken, and everything if the global drawdown is. Venues already tripped are not re-tripped.
 */
export function evaluateKillSwitch(state: KillSwitchState, observations: readonly VenueObservation[], limits: KillSwitchLimits, now: number): KillSwitchResult {
  const peakPnl = { ...state.peakPnl };
  const trips = [...state.trips];
  const tripped: KillDecision[] = [];
  let total = new D(0);
  for (const o of observations) {
    const prev = peakPnl[o.venueId];
    const peak = prev === undefined ? new D(o.pnlQuote) : D.max(prev, o.pnlQuote);
    peakPnl[o.venueId] = fmt(peak);
    total = total.plus(o.pnlQuote);
    if (trips.some((t) => t.scope === 'all' || t.venueId === o.venueId)) continue;
    const hit = venueCheck(o, fmt(peak), limits, now);
    if (hit) {
      const d: KillDecision = { scope: 'venue', venueId: o.venueId, ...hit, at: now };
      trips.push(d);
      tripped.push(d);
    }
  }
  let globalPeakPnl = state.globalPeakPnl;
  if (observations.length > 0) {
    const gPeak = globalPeakPnl === undefined ? total : D.max(globalPeakPnl, total);
    globalPeakPnl = fmt(gPeak);
    const dd = gPeak.minus(total);
    if (limits.maxGlobalDrawdownQuote !== undefined && dd.gt(limits.maxGlobalDrawdownQuote) && !trips.some((t) => t.scope === 'all')) {
      const d: KillDecision = { scope: 'all', reason: 'drawdown', detail: `total drawdown ${fmt(dd)} > ${limits.maxGlobalDrawdownQuote}`, at: now };
      trips.push(d);
      tripped.push(d);
    }
  }
  return { state: { peakPnl, ...(globalPeakPnl !== undefined ? { globalPeakPnl } : {}), trips }, tripped };
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
