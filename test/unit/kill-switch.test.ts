import { evaluateKillSwitch, haltedBy, initialKillSwitchState, resetKillSwitch, type KillSwitchLimits, type VenueObservation } from '../../domain/quoting/kill-switch';

const obs = (o: Partial<VenueObservation> & { venueId: string }): VenueObservation => ({ pnlQuote: '0', inventoryBase: '100', lastBookAt: 1_000, healthy: true, ...o });
const limits: KillSwitchLimits = { maxDrawdownQuote: '50', maxGlobalDrawdownQuote: '80', maxInventoryBase: '200', minInventoryBase: '10', maxDataAgeMs: 5_000 };

describe('kill switch', () => {
  it('does nothing while every limit holds', () => {
    const r = evaluateKillSwitch(initialKillSwitchState(), [obs({ venueId: 'a' }), obs({ venueId: 'b' })], limits, 2_000);
    expect(r.tripped).toEqual([]);
    expect(haltedBy(r.state, 'a')).toBeUndefined();
  });

  it('trips a venue on drawdown from its peak, not from zero, with decimal exactness', () => {
    let s = evaluateKillSwitch(initialKillSwitchState(), [obs({ venueId: 'a', pnlQuote: '100.1' })], limits, 2_000).state;
    expect(s.peakPnl.a).toBe('100.1');
    // 100.1 − 50.1 = 50: exactly the limit, not beyond it.
    s = evaluateKillSwitch(s, [obs({ venueId: 'a', pnlQuote: '50.1' })], limits, 2_000).state;
    expect(haltedBy(s, 'a')).toBeUndefined();
    const r = evaluateKillSwitch(s, [obs({ venueId: 'a', pnlQuote: '50.09' })], limits, 2_000);
    expect(r.tripped).toEqual([expect.objectContaining({ scope: 'venue', venueId: 'a', reason: 'drawdown' })]);
    expect(r.tripped[0]!.detail).toContain('50.01');
  });

  it('trips on inventory above max or below min', () => {
    const r = evaluateKillSwitch(initialKillSwitchState(), [obs({ venueId: 'a', inventoryBase: '200.1' }), obs({ venueId: 'b', inventoryBase: '9.9' }), obs({ venueId: 'c', inventoryBase: '200' })], limits, 2_000);
    expect(r.tripped.map((t) => [t.venueId, t.reason])).toEqual([
      ['a', 'inventory-breach'],
      ['b', 'inventory-breach'],
    ]);
    expect(haltedBy(r.state, 'c')).toBeUndefined();
  });

  it('trips on stale data (age beyond maxAgeMs, or no book at all) and on an unhealthy venue', () => {
    const r = evaluateKillSwitch(
      initialKillSwitchState(),
      [obs({ venueId: 'a', lastBookAt: 1_000 }), obs({ venueId: 'b', lastBookAt: 999 }), { venueId: 'c', pnlQuote: '0', inventoryBase: '100', healthy: true }, obs({ venueId: 'd', healthy: false })],
      limits,
      6_000,
    );
    expect(r.tripped.map((t) => [t.venueId, t.reason])).toEqual([
      ['b', 'stale-data'],
      ['c', 'stale-data'],
      ['d', 'venue-unhealthy'],
    ]);
  });

  it('trips everything on a global drawdown and the global trip halts every venue', () => {
    let s = evaluateKillSwitch(initialKillSwitchState(), [obs({ venueId: 'a', pnlQuote: '60' }), obs({ venueId: 'b', pnlQuote: '60' })], limits, 2_000).state;
    expect(s.globalPeakPnl).toBe('120');
    // Each venue is down 45 (< 50) but the total is down 90 (> 80).
    const r = evaluateKillSwitch(s, [obs({ venueId: 'a', pnlQuote: '15' }), obs({ venueId: 'b', pnlQuote: '15' })], limits, 2_000);
    expect(r.tripped).toEqual([expect.objectContaining({ scope: 'all', reason: 'drawdown' })]);
    s = r.state;
    expect(haltedBy(s, 'a')?.scope).toBe('all');
    expect(haltedBy(s, 'zzz')?.scope).toBe('all');
  });

  it('is latched until reset, and a reset of one venue leaves the others tripped', () => {
    let s = evaluateKillSwitch(initialKillSwitchState(), [obs({ venueId: 'a', healthy: false }), obs({ venueId: 'b', healthy: false })], limits, 2_000).state;
    const again = evaluateKillSwitch(s, [obs({ venueId: 'a' }), obs({ venueId: 'b' })], limits, 2_000);
    expect(again.tripped).toEqual([]);
    expect(haltedBy(again.state, 'a')?.reason).toBe('venue-unhealthy');
    s = resetKillSwitch(again.state, 'a');
    expect(haltedBy(s, 'a')).toBeUndefined();
    expect(haltedBy(s, 'b')?.reason).toBe('venue-unhealthy');
    expect(resetKillSwitch(s).trips).toEqual([]);
  });

  it('keeps its state plain JSON', () => {
    const s = evaluateKillSwitch(initialKillSwitchState(), [obs({ venueId: 'a', healthy: false })], limits, 2_000).state;
    expect(JSON.parse(JSON.stringify(s))).toEqual(s);
  });
});
