import { DomainError } from '../../domain/errors';
import { marketGrid, type MarketGrid } from '../../domain/grid';
import { buildLadder, buildLadderOnGrid, type GridLadderLevel, type GridLadderParams, type GridLadderResult } from '../../domain/quoting/ladder';
import { jitterLadderSizes, jitterOnGrid } from '../../domain/quoting/jitter';
import { mulberry32, type Rng } from '../../domain/rng';

function ok(r: GridLadderResult): Extract<GridLadderResult, { ok: true }> {
  if (!r.ok) throw new Error(`expected a ladder, got ${r.reason}: ${r.message}`);
  return r;
}
const codeOf = (f: () => unknown): string => {
  try {
    f();
  } catch (e) {
    return e instanceof DomainError ? e.code : e instanceof RangeError ? 'RangeError' : 'other';
  }
  return 'none';
};
/** An Rng that returns the given draws in order and counts them (fails the test when it runs dry). */
function scripted(draws: number[]): Rng & { used: () => number } {
  let i = 0;
  const rng = () => {
    if (i >= draws.length) throw new Error(`rng drawn more than ${draws.length} times`);
    return draws[i++]!;
  };
  return Object.assign(rng, { used: () => i });
}
const at = (levels: GridLadderLevel[]) => levels.map((l) => [l.level, l.ticks, l.lots]);

// tick 0.0001, lot 1, min notional 5: one unit = 0.0001 quote, min notional = 50 000 units.
const G4 = marketGrid({ tickSize: '0.0001', lotSize: '1', minNotional: '5' });

describe('buildLadderOnGrid', () => {
  const alpha: Omit<GridLadderParams, 'side'> = { mid: 0.5, grid: G4, depthUnits: 200_000_000, levels: 5, firstOffsetPct: '0.1', stepPct: '0.2' };

  it('alpha: the same ladder as the string API, in ticks, lots and units', () => {
    // Same numbers as ladder.test.ts: 20 000 quote = 200 000 000 units; 4000 quote per level.
    // Bids 4995 … 4955 ticks: 40 000 000 / t = 8008.008 8024.072 8040.201 8056.496 8072.654 → floors,
    // 199 993 400 units; + a lot at 4955 (remainder .654), + a lot at 4965 (.496) → 200 003 320.
    const bids = ok(buildLadderOnGrid({ ...alpha, side: 'buy' }));
    expect(at(bids.levels)).toEqual([
      [0, 4995, 8008],
      [1, 4985, 8024],
      [2, 4975, 8040],
      [3, 4965, 8057],
      [4, 4955, 8073],
    ]);
    expect(bids.levels.every((l) => l.side === 'buy' && l.insideBand)).toBe(true);
    expect(bids.bandUnits).toBe(200_003_320);
    expect(bids.totalUnits).toBe(200_003_320);
    // Asks 5005 … 5045: 7992.008 7976.072 7960.199 7944.389 7928.642 → + lots at 5045 (.642), 5035 (.389).
    const asks = ok(buildLadderOnGrid({ ...alpha, side: 'sell' }));
    expect(at(asks.levels)).toEqual([
      [0, 5005, 7992],
      [1, 5015, 7976],
      [2, 5025, 7960],
      [3, 5035, 7945],
      [4, 5045, 7929],
    ]);
    expect(asks.bandUnits).toBe(200_003_480);
    expect(asks.droppedOutsideBand).toEqual([]);
    expect(asks.droppedForMinNotional).toEqual([]);
  });

  it('starts at firstTicks exactly and measures the spacing from it', () => {
    // mid 2.5, best bid 24990 ticks (2.499) = 0.04 % below; then 0.34 % → 2.4915, 0.64 % → 2.484.
    // 2000 quote = 20 000 000 units, a third each: 6 666 666.67 / t = 266.773 267.576 268.384 → 266 267 268
    //   = 6 647 340 + 6 652 305 + 6 657 120 = 19 956 765; + a lot at 24990 (.773) → 19 981 755,
    //   + a lot at 24915 (.576) → 20 006 670 ≥ 20 000 000.
    const r = ok(buildLadderOnGrid({ side: 'buy', mid: 2.5, grid: G4, depthUnits: 20_000_000, levels: 3, firstTicks: 24990, stepPct: '0.3' }));
    expect(at(r.levels)).toEqual([
      [0, 24990, 267],
      [1, 24915, 268],
      [2, 24840, 268],
    ]);
    expect(r.bandUnits).toBe(20_006_670);
  });

  it('a raw price that is a whole tick in decimal stays on that tick despite binary noise', () => {
    // 2.5 × (1 − 0.4 %) = 2.49 exactly, but the double is 2.4899999999999998: a plain floor would give 24899.
    const bid = ok(buildLadderOnGrid({ side: 'buy', mid: 2.5, grid: G4, depthUnits: 1_000_000, levels: 1, firstOffsetPct: '0.4', stepPct: '0.1' }));
    expect(bid.levels[0]!.ticks).toBe(24900);
    // 2.5 × 1.004 = 2.51 (2.5100000000000002 as a double): a plain ceiling would give 25101.
    const ask = ok(buildLadderOnGrid({ side: 'sell', mid: 2.5, grid: G4, depthUnits: 1_000_000, levels: 1, firstOffsetPct: '0.4', stepPct: '0.1' }));
    expect(ask.levels[0]!.ticks).toBe(25100);
  });

  it('the band edge is an integer tick limit: a level exactly on it counts, one tick further does not', () => {
    // mid 1, band 2 %, margin 0.2 % → counted bids ≥ 0.982 = 9820 ticks, asks ≤ 1.018 = 10180 ticks.
    const one = { mid: 1, grid: G4, depthUnits: 100_000, levels: 1, stepPct: '0.1' };
    expect(ok(buildLadderOnGrid({ ...one, side: 'buy', firstTicks: 9820 })).levels[0]).toMatchObject({ ticks: 9820, insideBand: true });
    expect(buildLadderOnGrid({ ...one, side: 'buy', firstTicks: 9819 })).toMatchObject({ ok: false, reason: 'NO_LEVEL_INSIDE_BAND' });
    expect(ok(buildLadderOnGrid({ ...one, side: 'sell', firstTicks: 10180 })).levels[0]).toMatchObject({ ticks: 10180, insideBand: true });
    expect(buildLadderOnGrid({ ...one, side: 'sell', firstTicks: 10181 })).toMatchObject({ ok: false, reason: 'NO_LEVEL_INSIDE_BAND' });
  });

  it('drops levels for the min notional by exact integer comparison', () => {
    // tick 0.001, lot 1, min notional 5 = 5000 units. 12 quote = 12 000 units < 5000 × 5, × 4, × 3; ≥ 5000 × 2.
    const g = marketGrid({ tickSize: '0.001', lotSize: '1', minNotional: '5' });
    const base = { side: 'buy' as const, mid: 1, grid: g, levels: 5, firstOffsetPct: '0.1', stepPct: '0.1' };
    const r = ok(buildLadderOnGrid({ ...base, depthUnits: 12_000 }));
    expect(r.droppedForMinNotional).toEqual([2, 3, 4]);
    // 6000 / 999 = 6.006 → 6, 6000 / 998 = 6.012 → 6: 11 982; + a lot at 998 → 12 980.
    expect(at(r.levels)).toEqual([
      [0, 999, 6],
      [1, 998, 7],
    ]);
    expect(r.bandUnits).toBe(12_980);
    // Exactly two minimums still splits in two (5000 each is not below 5000); one unit less does not.
    expect(ok(buildLadderOnGrid({ ...base, depthUnits: 10_000 })).droppedForMinNotional).toEqual([2, 3, 4]);
    expect(ok(buildLadderOnGrid({ ...base, depthUnits: 9_999 })).droppedForMinNotional).toEqual([1, 2, 3, 4]);
  });

  it('extra levels beyond the band: sized from quoteEachUnits, not counted', () => {
    // tick 0.0001, lot 0.1: one unit = 0.00001 quote; min notional 10 = 1 000 000 units.
    const g = marketGrid({ tickSize: '0.0001', lotSize: '0.1', minNotional: '10' });
    const r = ok(
      buildLadderOnGrid({
        side: 'buy',
        mid: 1,
        grid: g,
        depthUnits: 100_000_000,
        levels: 6,
        firstOffsetPct: '0.25',
        stepPct: '0.5',
        extraLevels: { count: 1, quoteEachUnits: 10_000_000 },
      }),
    );
    // As in ladder.test.ts: levels 4 and 5 (2.25 %, 2.75 %) are outside 1.8 %; band 1000.0655 quote.
    expect(r.droppedOutsideBand).toEqual([4, 5]);
    expect(r.bandUnits).toBe(100_006_550);
    // Extra at 2 + 0.5 = 2.5 % → 9750 ticks; ⌈10 000 000 / 9750⌉ = 1026 lots → 10 003 500 units.
    expect(r.levels[4]).toEqual({ level: 6, side: 'buy', ticks: 9750, lots: 1026, insideBand: false });
    expect(r.totalUnits).toBe(100_006_550 + 10_003_500);
  });

  it('a zero requirement gives no counted levels; nonsense parameters are refused', () => {
    expect(ok(buildLadderOnGrid({ ...alpha, side: 'buy', depthUnits: 0 })).levels).toEqual([]);
    const bad: Partial<GridLadderParams>[] = [
      { levels: 0 },
      { levels: 1.5 },
      { edgeMarginPct: '2' },
      { bandPct: 'abc' },
      { stepPct: '0' },
      { sizeRatio: '-1' },
      { firstOffsetPct: '0' },
      { firstOffsetPct: undefined },
      { firstOffsetPct: undefined, firstTicks: 4995.5 },
      { depthUnits: -1 },
      { depthUnits: 1.5 },
      { mid: 0 },
      { mid: Number.NaN },
      { extraLevels: { count: 1, quoteEachUnits: -5 } },
    ];
    for (const b of bad) expect([b, codeOf(() => buildLadderOnGrid({ ...alpha, side: 'buy', ...b }))]).toEqual([b, 'LADDER.INVALID_PARAMS']);
  });

  it('seeded random ladders keep every guarantee and agree with the string API', () => {
    const rng = mulberry32(2026);
    const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rng() * xs.length)]!;
    let strictChecked = 0;
    let checked = 0;
    for (let k = 0; k < 400; k++) {
      const rules = { tickSize: pick(['0.0001', '0.001', '0.01', '0.00001']), lotSize: pick(['1', '0.1', '0.01', '10']), minNotional: pick(['0', '1', '5', '10']) };
      const grid = marketGrid(rules);
      const side = pick(['buy', 'sell'] as const);
      const mid = Number((0.2 + rng() * 80).toFixed(4));
      const depthQuote = pick(['0', '50', '1000', '2000', '20000']);
      const p: GridLadderParams = {
        side,
        mid,
        grid,
        depthUnits: grid.units(depthQuote, 'ceil'),
        bandPct: pick([undefined, '2', '1', '5']),
        levels: pick([1, 3, 5, 8]),
        firstOffsetPct: pick(['0.05', '0.1', '0.3']),
        stepPct: pick(['0.01', '0.1', '0.3']),
        stepGrowth: pick([undefined, '1.5']),
        sizeRatio: pick([undefined, '2', '0.5']),
        extraLevels: pick([undefined, { count: 2, quoteEachUnits: grid.units('100', 'ceil') }]),
      };
      const r = buildLadderOnGrid(p);
      if (!r.ok) continue;
      checked++;
      const band = Number(p.bandPct ?? '2');
      const limit = (band - band / 10) / 100;
      const counted = r.levels.filter((l) => l.insideBand);
      const inBand = (l: GridLadderLevel) => (side === 'buy' ? grid.priceFloat(l.ticks) >= mid * (1 - limit) * (1 - 1e-9) : grid.priceFloat(l.ticks) <= mid * (1 + limit) * (1 + 1e-9));
      expect(counted.every(inBand)).toBe(true);
      expect(r.levels.filter((l) => !l.insideBand).every((l) => l.level >= p.levels)).toBe(true);
      // Totals are the exact integer sums.
      expect(r.bandUnits).toBe(counted.reduce((s, l) => s + l.ticks * l.lots, 0));
      expect(r.totalUnits).toBe(r.levels.reduce((s, l) => s + l.ticks * l.lots, 0));
      // Requirement met with less than one lot to spare (a lot at the dearest counted level), unless the
      // min notional forced a level up.
      expect(r.bandUnits).toBeGreaterThanOrEqual(p.depthUnits);
      const atMinimum = counted.some((l) => l.lots <= Math.max(1, Math.ceil(grid.minNotionalUnits / l.ticks)));
      if (!atMinimum && counted.length > 0) {
        strictChecked++;
        expect(r.bandUnits - p.depthUnits).toBeLessThan(Math.max(...counted.map((l) => l.ticks)));
      }
      // Prices strictly move away from mid, a tick at least; the best is on the right side of mid.
      const t = r.levels.map((l) => l.ticks);
      for (let i = 1; i < t.length; i++) expect(side === 'buy' ? t[i]! < t[i - 1]! : t[i]! > t[i - 1]!).toBe(true);
      if (t.length > 0) expect(side === 'buy' ? grid.priceFloat(t[0]!) < mid : grid.priceFloat(t[0]!) > mid).toBe(true);
      // Every level: at least one lot and the min notional.
      for (const l of r.levels) {
        expect(l.lots).toBeGreaterThanOrEqual(1);
        expect(l.ticks * l.lots).toBeGreaterThanOrEqual(grid.minNotionalUnits);
      }
      // Every requested level is placed or reported.
      if (p.depthUnits > 0) {
        const ids = [...counted.map((l) => l.level), ...r.droppedOutsideBand, ...r.droppedForMinNotional].sort((a, b) => a - b);
        expect(ids).toEqual(Array.from({ length: p.levels }, (_, i) => i));
      }
      // The string API is a wrapper over the same core.
      const s = buildLadder({
        side,
        mid: String(mid),
        rules,
        depthQuote,
        bandPct: p.bandPct,
        levels: p.levels,
        firstOffsetPct: p.firstOffsetPct,
        stepPct: p.stepPct,
        stepGrowth: p.stepGrowth,
        sizeRatio: p.sizeRatio,
        extraLevels: p.extraLevels && { count: 2, quoteEach: '100' },
      });
      if (!s.ok) throw new Error('string API disagrees');
      expect(s.levels.map((l) => [l.level, l.price, l.amount, l.notional, l.insideBand])).toEqual(
        r.levels.map((l) => [l.level, grid.priceStr(l.ticks), grid.amountStr(l.lots), grid.quoteStr(l.ticks * l.lots), l.insideBand]),
      );
      expect(s.bandQuote).toBe(grid.quoteStr(r.bandUnits));
    }
    expect(checked).toBeGreaterThan(300);
    expect(strictChecked).toBeGreaterThan(100);
  });
});

describe('jitterOnGrid', () => {
  // Two bids of 1000 lots at 0.5 and 0.499; min notional 5 → at least 10 lots at either price.
  const two: GridLadderLevel[] = [
    { level: 0, side: 'buy', ticks: 5000, lots: 1000, insideBand: true },
    { level: 1, side: 'buy', ticks: 4990, lots: 1000, insideBand: true },
  ];
  const lotsOf = (ls: GridLadderLevel[]) => ls.map((l) => l.lots);

  it('scales by the drawn factor, then tops up within +x % in shuffled order', () => {
    // Draws: 0.75 → ×1.05 → 1050; 0.25 → ×0.95 → 950: 5 250 000 + 4 740 500 = 9 990 500, short 9 500 of 10 000 000.
    // Pass 1 shuffle draws 0.1 → j = 0 → order [1, 0]: level 1 gets ⌈9500 / 4990⌉ = 2 (room 1100 − 950 = 150)
    //   → 952 lots, 10 000 480 units. Pass 2 shuffle (0.5) and trim shuffle (0.9): nothing left to do
    //   (480 units is under a lot at either price).
    const rng = scripted([0.75, 0.25, 0.1, 0.5, 0.9]);
    const out = jitterOnGrid(two, { pct: '10', grid: G4, depthUnits: 10_000_000 }, rng);
    expect(lotsOf(out)).toEqual([1050, 952]);
    expect(rng.used()).toBe(5);
    expect(out.map((l) => [l.level, l.ticks, l.insideBand])).toEqual(two.map((l) => [l.level, l.ticks, l.insideBand]));
  });

  it('trims the excess down to −x % in shuffled order, and keeps it when told not to', () => {
    // Same draws, requirement 9 000 000: 990 500 over. Trim order [0, 1] (0.9 → j = 1, no swap):
    // level 0 may lose min(⌊990500/5000⌋ = 198, 1050 − 900 = 150) = 150 → 900, 240 500 over;
    // level 1 min(⌊240500/4990⌋ = 48, 950 − 900 = 50) = 48 → 902; 9 000 980 units.
    const out = jitterOnGrid(two, { pct: '10', grid: G4, depthUnits: 9_000_000 }, scripted([0.75, 0.25, 0.1, 0.5, 0.9]));
    expect(lotsOf(out)).toEqual([900, 902]);
    expect(out.reduce((s, l) => s + l.ticks * l.lots, 0)).toBe(9_000_980);
    const kept = scripted([0.75, 0.25, 0.1, 0.5]);
    expect(lotsOf(jitterOnGrid(two, { pct: '10', grid: G4, depthUnits: 9_000_000, trimExcess: false }, kept))).toEqual([1050, 950]);
    expect(kept.used()).toBe(4);
  });

  it('goes past +x % only when every level is at its cap and the band is still short', () => {
    // 100 lots each, factor 1 (draws 0.5): 998 000 units, short 302 000 of 1 300 000.
    // Pass 1 order [0, 1]: +10 at 5000 (cap 110), +10 at 4990 → 1 097 900. Pass 2 (no cap), order [0, 1]:
    // ⌈202 100 / 5000⌉ = 41 → 151 lots, 1 302 900. Trim: 2 900 over is under a lot.
    const small = two.map((l) => ({ ...l, lots: 100 }));
    const out = jitterOnGrid(small, { pct: '10', grid: G4, depthUnits: 1_300_000 }, scripted([0.5, 0.5, 0.5, 0.5, 0.5]));
    expect(lotsOf(out)).toEqual([151, 110]);
  });

  it('never under one lot or the min notional; only counted levels take part in the top-up', () => {
    // Draw 0 → ×0.5 → 5 lots, under the 10-lot minimum at 0.5 → 10.
    const tiny: GridLadderLevel[] = [{ level: 0, side: 'buy', ticks: 5000, lots: 10, insideBand: true }];
    expect(lotsOf(jitterOnGrid(tiny, { pct: '50', grid: G4, depthUnits: 50_000 }, scripted([0])))).toEqual([10]);
    // An outside-band level is jittered but neither topped up nor trimmed; shuffles of one level draw nothing.
    const mixed: GridLadderLevel[] = [two[0]!, { level: 6, side: 'buy', ticks: 4900, lots: 1000, insideBand: false }];
    const rng = scripted([0.5, 0]);
    expect(lotsOf(jitterOnGrid(mixed, { pct: '10', grid: G4, depthUnits: 5_200_000 }, rng))).toEqual([1040, 900]);
    expect(rng.used()).toBe(2);
    expect(codeOf(() => jitterOnGrid(two, { pct: '100', grid: G4, depthUnits: 0 }, mulberry32(1)))).toBe('RangeError');
    expect(codeOf(() => jitterOnGrid(two, { pct: '-1', grid: G4, depthUnits: 0 }, mulberry32(1)))).toBe('RangeError');
  });

  it('seeded random ladders: requirement kept, sizes within ±x %, Rng use fixed, same as the string API', () => {
    const rng = mulberry32(77);
    const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rng() * xs.length)]!;
    let trimmedChecks = 0;
    for (let k = 0; k < 300; k++) {
      const rules = { tickSize: pick(['0.0001', '0.001']), lotSize: pick(['1', '0.1']), minNotional: pick(['1', '5']) };
      const grid: MarketGrid = marketGrid(rules);
      const side = pick(['buy', 'sell'] as const);
      const depthQuote = pick(['500', '2000', '20000']);
      const depthUnits = grid.units(depthQuote, 'ceil');
      const r = buildLadderOnGrid({ side, mid: 0.5 + rng() * 3, grid, depthUnits, levels: pick([1, 3, 5]), firstOffsetPct: '0.1', stepPct: '0.3', extraLevels: pick([undefined, { count: 1, quoteEachUnits: grid.units('50', 'ceil') }]) });
      if (!r.ok) continue;
      const pct = pick(['5', '10', '12.5', '30']);
      const x = Number(pct) / 100;
      const trimExcess = rng() < 0.7;
      const seed = Math.floor(rng() * 1e9);
      let draws = 0;
      const counting: Rng = (() => {
        const inner = mulberry32(seed);
        return () => (draws++, inner());
      })();
      const out = jitterOnGrid(r.levels, { pct, grid, depthUnits, trimExcess }, counting);
      const m = r.levels.filter((l) => l.insideBand).length;
      expect(draws).toBe(r.levels.length + (trimExcess ? 3 : 2) * Math.max(0, m - 1));
      expect(jitterOnGrid(r.levels, { pct, grid, depthUnits, trimExcess }, mulberry32(seed))).toEqual(out);

      const band = out.filter((l) => l.insideBand).reduce((s, l) => s + l.ticks * l.lots, 0);
      expect(band).toBeGreaterThanOrEqual(depthUnits);
      out.forEach((l, i) => {
        const base = r.levels[i]!.lots;
        const min = Math.max(1, Math.ceil(grid.minNotionalUnits / l.ticks));
        expect(l.lots).toBeGreaterThanOrEqual(min);
        // The input met the requirement, so nothing needs to pass +x %; below, at most a lot of rounding.
        expect(l.lots).toBeLessThanOrEqual(base * (1 + x) + 1e-9);
        expect(l.lots > base * (1 - x) - 1 - 1e-9 || l.lots === min).toBe(true);
        // After trimming, every counted level either holds the excess under one of its lots or is at its floor.
        if (trimExcess && l.insideBand) {
          trimmedChecks++;
          expect(band - depthUnits < l.ticks || l.lots - base * (1 - x) < 1 + 1e-9 || l.lots === min).toBe(true);
        }
      });
      // The string wrapper draws the same numbers and gives the same sizes.
      const strLevels = r.levels.map((l) => ({
        level: l.level,
        side: l.side,
        price: grid.priceStr(l.ticks),
        amount: grid.amountStr(l.lots),
        notional: grid.quoteStr(l.ticks * l.lots),
        insideBand: l.insideBand,
      }));
      const s = jitterLadderSizes(strLevels, { pct, rules, depthQuote, trimExcess }, mulberry32(seed));
      expect(s.map((l) => [l.price, l.amount, l.notional])).toEqual(out.map((l) => [grid.priceStr(l.ticks), grid.amountStr(l.lots), grid.quoteStr(l.ticks * l.lots)]));
    }
    expect(trimmedChecks).toBeGreaterThan(300);
  });
});
