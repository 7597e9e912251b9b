import { BackgroundLiquidity } from '../../sim/market/background-liquidity';
import { commonStep, Grid } from '../../sim/market/grid';
import { MidHistory } from '../../sim/market/mid-history';
import { staticView } from '../../sim/market/static-view';
import { deriveSeed } from '../../sim/market/agent-helpers';
import { EventLog } from '../../sim/market/event-log';

describe('Grid', () => {
  it('turns floats into whole steps and steps into exact decimal strings', () => {
    const tick = Grid.parse('0.00001');
    expect(tick.floor(0.5)).toBe(50_000); // 0.5 / 0.00001 = 49999.99999… in floats
    expect(tick.ceil(0.500001)).toBe(50_001);
    expect(tick.format(50_001)).toBe('0.50001');
    expect(tick.count('0.50001')).toBe(50_001);
    expect(tick.count('0.500015')).toBeUndefined();
    const lot = Grid.parse('10');
    expect([lot.floor(129.9), lot.format(12), lot.count('120'), lot.count('125')]).toEqual([12, '120', 12, undefined]);
    expect(Grid.parse('0.25').format(3)).toBe('0.75');
    expect(() => Grid.parse('0')).toThrow(/positive/);
  });

  it('finds the common step of two lot sizes', () => {
    expect(commonStep('0.1', '10')).toBe('10');
    expect(commonStep('1', '0.1')).toBe('1');
    expect(commonStep('0.25', '0.1')).toBe('0.5');
  });
});

describe('MidHistory', () => {
  it('answers "how much was it k spacings ago" and the peak of a window', () => {
    const h = new MidHistory(5_000, 4);
    for (const m of [1, 2, 3, undefined, 5, 6]) h.push(m);
    // The ring keeps the last 4: [3, NaN, 5, 6]
    expect(h.size).toBe(4);
    expect(h.ago(0)).toBe(6);
    expect(h.ago(5_000)).toBe(5);
    expect(h.ago(10_000)).toBeUndefined(); // the unknown mid
    expect(h.ago(15_000)).toBe(3);
    expect(h.ago(20_000)).toBeUndefined(); // older than the ring
    expect(h.peakWithin(5_000)).toBe(6);
    expect(h.peakWithin(60_000, 7)).toBe(7);
  });
});

describe('BackgroundLiquidity', () => {
  const params = { halfSpreadPct: 0.2, levels: 3, stepPct: 0.2, levelQuote: 1000, refreshMs: 5000, followTape: 0.5, reversionPerHour: Math.LN2 };
  const make = () => new BackgroundLiquidity('bg', 'alpha', params, Grid.parse('0.0001'), Grid.parse('1'), 5);

  it('quotes a post-only ladder on a fixed grid outside the half spread', () => {
    const ladder = make().targetLadder(0.5, 1e6, 1e6);
    // Grid of 0.2 % of 0.5 = 10 ticks; bids from 0.499 down, asks from 0.501 up; 1000 quote per level.
    expect(ladder).toEqual([
      { side: 'buy', ticks: 4990, lots: 2004 },
      { side: 'sell', ticks: 5010, lots: 1996 },
      { side: 'buy', ticks: 4980, lots: 2008 },
      { side: 'sell', ticks: 5020, lots: 1992 },
      { side: 'buy', ticks: 4970, lots: 2012 },
      { side: 'sell', ticks: 5030, lots: 1988 },
    ]);
  });

  it('keeps levels in place for a small move and stays within its balances', () => {
    const lp = make();
    lp.targetLadder(0.5, 1e6, 1e6);
    const moved = lp.targetLadder(0.5004, 1e6, 1e6).map((l) => l.ticks);
    expect(moved).toEqual([4990, 5020, 4980, 5030, 4970, 5040]); // same bid grid points; asks moved one step
    const poor = lp.targetLadder(0.5, 2500, 1500);
    // 95 % of 1500 quote: one full bid level (1000) then 425 quote; 95 % of 2500 base: 1996 then 379 lots.
    expect(poor.filter((l) => l.side === 'buy').map((l) => l.lots)).toEqual([2004, 853]);
    expect(poor.filter((l) => l.side === 'sell').map((l) => l.lots)).toEqual([1996, 379]);
  });

  it('starts at the fundamental, follows the tape, and reverts to the fundamental over time', () => {
    const lp = make();
    expect(lp.updateReference(staticView({ now: 0, fundamental: 0.5, venues: [{ id: 'alpha', bid: 0.49, ask: 0.51 }] }))).toBe(0.5);
    // A trade at 0.49: half way to it (followTape 0.5); no time has passed.
    expect(lp.updateReference(staticView({ now: 0, fundamental: 0.5, venues: [{ id: 'alpha', last: 0.49, lastTradeAt: 1 }] }))).toBeCloseTo(0.495, 12);
    // One hour later, the same (already seen) trade: κ = ln 2 per hour closes half the distance to 0.5.
    expect(lp.updateReference(staticView({ now: 3_600_000, fundamental: 0.5, venues: [{ id: 'alpha', last: 0.49, lastTradeAt: 1 }] }))).toBeCloseTo(0.4975, 12);
  });
});

describe('deriveSeed and EventLog', () => {
  it('gives distinct, stable seeds per label', () => {
    expect(deriveSeed(1, 'noise-1')).toBe(deriveSeed(1, 'noise-1'));
    const seeds = new Set(['noise-1', 'noise-2', 'arb-1', 'fundamental'].flatMap((l) => [deriveSeed(1, l), deriveSeed(2, l)]));
    expect(seeds.size).toBe(8);
  });

  it('hashes records in order and counts them', () => {
    const a = new EventLog(2);
    const b = new EventLog();
    a.add('T', 1, 'x');
    a.add('T', 2, 'y');
    b.add('T', 2, 'y');
    b.add('T', 1, 'x');
    expect(a.count).toBe(2);
    expect(a.digest()).not.toBe(b.digest());
    expect(a.recent).toEqual(['T|1|x', 'T|2|y']);
    const c = new EventLog();
    c.add('T', 1, 'x');
    c.add('T', 2, 'y');
    expect(c.digest()).toBe(a.digest());
  });
});
