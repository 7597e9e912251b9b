// The kill switch's memoized parses give the same decisions and state as plain decimal parsing:
// a reference implementation (the module before the memo) run side by side on random sequences.
import { D, fmt } from '../../domain/money';
import { evaluateKillSwitch, initialKillSwitchState, resetKillSwitch, type KillDecision, type KillReason, type KillSwitchLimits, type KillSwitchState, type VenueObservation } from '../../domain/quoting/kill-switch';
import { mulberry32 } from '../../domain/rng';

function refVenueCheck(o: VenueObservation, peak: string, limits: KillSwitchLimits, now: number): { reason: KillReason; detail: string } | undefined {
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

function refEvaluate(state: KillSwitchState, observations: readonly VenueObservation[], limits: KillSwitchLimits, now: number): { state: KillSwitchState; tripped: KillDecision[] } {
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
    const hit = refVenueCheck(o, fmt(peak), limits, now);
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

const prng = mulberry32;

describe('evaluateKillSwitch (memoized parses) equals plain decimal parsing', () => {
  it('on random sequences of observations, limits and resets', () => {
    const pick = <T>(r: () => number, xs: readonly T[]): T => xs[Math.floor(r() * xs.length)]!;
    // Non-canonical spellings too ("1.50", "-0", "007"): the state must print them as before.
    const amounts = ['0', '-0', '0.0', '1.50', '-2.25', '007', '100', '99.999', '-100.1', '12345.6789', '-0.000001', '3'];
    for (let seed = 1; seed <= 40; seed++) {
      const r = prng(seed);
      const limits: KillSwitchLimits = {};
      if (r() < 0.7) limits.maxDrawdownQuote = pick(r, ['0', '1', '50', '150.5', '1000']);
      if (r() < 0.7) limits.maxGlobalDrawdownQuote = pick(r, ['0', '2', '75', '300']);
      if (r() < 0.5) limits.maxInventoryBase = pick(r, ['5', '50.5', '1000']);
      if (r() < 0.5) limits.minInventoryBase = pick(r, ['-5', '-50.5', '0']);
      if (r() < 0.3) limits.maxDataAgeMs = 1000;
      let a: KillSwitchState = initialKillSwitchState();
      let b: KillSwitchState = initialKillSwitchState();
      const venues = ['a', 'b', 'c'];
      for (let step = 0; step < 200; step++) {
        const obs: VenueObservation[] = venues
          .filter(() => r() < 0.9)
          .map((venueId) => ({
            venueId,
            pnlQuote: r() < 0.3 ? pick(r, amounts) : (r() * 400 - 200).toFixed(Math.floor(r() * 6)),
            inventoryBase: r() < 0.3 ? pick(r, amounts) : (r() * 120 - 60).toFixed(3),
            healthy: r() < 0.97,
            ...(r() < 0.95 ? { lastBookAt: step * 100 - Math.floor(r() * 1200) } : {}),
          }));
        const now = step * 100;
        const x = evaluateKillSwitch(a, obs, limits, now);
        const y = refEvaluate(b, obs, limits, now);
        expect(JSON.stringify(x)).toBe(JSON.stringify(y));
        a = x.state;
        b = y.state;
        if (r() < 0.05) {
          const v = r() < 0.3 ? undefined : pick(r, venues);
          a = resetKillSwitch(a, v);
          b = resetKillSwitch(b, v);
        }
      }
    }
  });
});
