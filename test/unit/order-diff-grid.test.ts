import { DomainError } from '../../domain/errors';
import { marketGrid, type GridLiveOrder, type GridOrder } from '../../domain/grid';
import { diffOnGrid, diffOrders, findSelfCrossOnGrid, type GridAction, type GridDiff, type GridTolerance } from '../../domain/quoting/order-diff';
import { mulberry32 } from '../../domain/rng';

// tick 0.01, lot 0.1: one notional unit is 0.001, so the min notional 5 is 5000 units.
const RULES = { tickSize: '0.01', lotSize: '0.1', minNotional: '5' };
const grid = marketGrid(RULES);
const TOL = { pricePct: '0.1', amountPct: '10' };
const want = (side: 'buy' | 'sell', ticks: number, lots = 10, level = 0): GridOrder => ({ side, ticks, lots, level });
const live = (clientOrderId: string, side: 'buy' | 'sell', ticks: number, lots = 10): GridLiveOrder => ({ clientOrderId, side, ticks, lots });
const cancel = (clientOrderId: string): GridAction => ({ type: 'cancel', clientOrderId });
const place = (side: 'buy' | 'sell', ticks: number, lots = 10, level = 0): GridAction => ({ type: 'place', side, ticks, lots, level });
const ids = (r: GridDiff) => r.kept.map((k) => k.clientOrderId);

describe('diffOnGrid', () => {
  it('does nothing when the live orders already are the desired quotes', () => {
    const r = diffOnGrid([want('buy', 10000), want('sell', 10100)], [live('b', 'buy', 10000), live('s', 'sell', 10100)], grid, TOL);
    expect(r.actions).toEqual([]);
    expect(r.kept).toEqual([
      { clientOrderId: 'b', side: 'buy', level: 0 },
      { clientOrderId: 's', side: 'sell', level: 0 },
    ]);
    expect(r.skipped).toEqual([]);
  });

  it('applies the tolerances exactly at their boundaries', () => {
    // 0.1 % of 10005 ticks is 10.005: 10 ticks away is inside, 11 outside. 10 % of 10 lots is 1 lot.
    const one = (ticks: number, lots: number) => ids(diffOnGrid([want('buy', 10005)], [live('L', 'buy', ticks, lots)], grid, TOL));
    expect(one(10015, 10)).toEqual(['L']);
    expect(one(9995, 9)).toEqual(['L']);
    expect(one(10016, 10)).toEqual([]);
    expect(one(9994, 10)).toEqual([]);
    expect(one(10005, 12)).toEqual([]);
    // 0.7 % of 1000 ticks is 7 exactly; in floats 7 / 1000 ≤ 0.007 is false, so a float check would cancel it.
    const tol07 = { pricePct: '0.7', amountPct: '0' };
    expect(ids(diffOnGrid([want('buy', 1000, 50)], [live('L', 'buy', 1007, 50)], grid, tol07))).toEqual(['L']);
    expect(ids(diffOnGrid([want('buy', 1000, 50)], [live('L', 'buy', 1008, 50)], grid, tol07))).toEqual([]);
    // amountPct 0: any lot of difference is too much.
    expect(ids(diffOnGrid([want('buy', 1000, 50)], [live('L', 'buy', 1000, 51)], grid, tol07))).toEqual([]);
  });

  it('finds the pairing that cancels the fewest orders, where a greedy pass would not', () => {
    // 0.15 %: slack of d0 (10000) is 15 ticks, of d1 (9990) floor(14.985) = 14.
    // L1 = 9995 fits both (5 from each); L2 = 10010 fits d0 only (20 from d1). Greedy d0 → L1 leaves d1 empty.
    const r = diffOnGrid([want('buy', 10000, 10, 0), want('buy', 9990, 10, 1)], [live('L1', 'buy', 9995), live('L2', 'buy', 10010)], grid, {
      pricePct: '0.15',
      amountPct: '10',
    });
    expect(r.actions).toEqual([]);
    // Reported in the order first matched: d0 took L1, then d1's augmenting path moved d0 to L2.
    expect(r.kept).toEqual([
      { clientOrderId: 'L1', side: 'buy', level: 1 },
      { clientOrderId: 'L2', side: 'buy', level: 0 },
    ]);
  });

  it('keeps the closest candidate: price distance first, then amount distance', () => {
    // Y and Z are both 2 ticks away (X 3); Y has the exact amount. X and Z go, highest bid first.
    const r = diffOnGrid([want('buy', 10000)], [live('X', 'buy', 10003), live('Z', 'buy', 9998, 11), live('Y', 'buy', 9998)], grid, TOL);
    expect(ids(r)).toEqual(['Y']);
    expect(r.actions).toEqual([cancel('X'), cancel('Z')]);
  });

  it('skips orders that are not placeable, with the reason, and keeps the min notional exact', () => {
    const r = diffOnGrid(
      [want('buy', 0, 10, 0), want('buy', -3, 10, 1), want('buy', 1000, 0, 2), want('buy', 1000, 4, 3), want('buy', 1000, 5, 4)],
      [],
      grid,
      TOL,
    );
    // 1000 ticks × 4 lots = 4000 units (10 × 0.4 = 4 < 5); × 5 lots = 5000 units = exactly 5: placed.
    expect(r.skipped).toEqual([
      { side: 'buy', level: 0, reason: 'PRICE_NOT_POSITIVE' },
      { side: 'buy', level: 1, reason: 'PRICE_NOT_POSITIVE' },
      { side: 'buy', level: 2, reason: 'AMOUNT_BELOW_LOT' },
      { side: 'buy', level: 3, reason: 'BELOW_MIN_NOTIONAL' },
    ]);
    expect(r.actions).toEqual([place('buy', 1000, 5, 4)]);
  });

  it('never keeps a live bid at or above a desired ask, even within tolerance', () => {
    // 1 %: the live bid 10050 is 0.5 % from the desired 10000 but equals the desired ask.
    const r = diffOnGrid([want('buy', 10000), want('sell', 10050)], [live('B', 'buy', 10050)], grid, { pricePct: '1', amountPct: '10' });
    expect(r.kept).toEqual([]);
    expect(r.actions).toEqual([cancel('B'), place('buy', 10000), place('sell', 10050)]);
    expect(findSelfCrossOnGrid([live('B', 'buy', 10050)], r.actions)).toBeNull();
  });

  it('lets go of the kept buy when two kept orders cross and are equally far off (exact ratio tie)', () => {
    // 10 %: B 1090 is 90/1000 = 9 % from the bid 1000; S 1001 is 99/1100 = 9 % from the ask 1100; 1090 ≥ 1001.
    const liveOrders = [live('B', 'buy', 1090), live('S', 'sell', 1001)];
    const r = diffOnGrid([want('buy', 1000), want('sell', 1100)], liveOrders, grid, { pricePct: '10', amountPct: '10' });
    expect(ids(r)).toEqual(['S']);
    expect(r.actions).toEqual([cancel('B'), place('buy', 1000)]);
    const r3 = diffOnGrid([want('buy', 1000), want('sell', 1100)], [live('B', 'buy', 1089), live('S', 'sell', 1002)], grid, { pricePct: '10', amountPct: '10' });
    // B: 89/1000 = 8.9 %, S: 98/1100 = 8.909 %: the sell is further off and released.
    expect(ids(r3)).toEqual(['B']);
    expect(r3.actions).toEqual([cancel('S'), place('sell', 1100)]);
  });

  it('sequences cancels that would cross a placement first, the others by the chosen policy', () => {
    const liveOrders = [live('S2', 'sell', 10150), live('S1', 'sell', 10100), live('B1', 'buy', 10000)];
    const desired = [want('buy', 10200), want('sell', 10300)];
    expect(diffOnGrid(desired, liveOrders, grid, TOL).actions).toEqual([cancel('S1'), cancel('S2'), cancel('B1'), place('buy', 10200), place('sell', 10300)]);
    const placeFirst = diffOnGrid(desired, liveOrders, grid, TOL, { sequencing: 'place-first' }).actions;
    expect(placeFirst).toEqual([cancel('S1'), cancel('S2'), place('buy', 10200), place('sell', 10300), cancel('B1')]);
    expect(findSelfCrossOnGrid(liveOrders, placeFirst)).toBeNull();
    expect(findSelfCrossOnGrid(liveOrders, [place('buy', 10200), cancel('S1')])).toBe(0);
  });

  it('places by level, buy before sell', () => {
    const r = diffOnGrid([want('sell', 10200, 10, 1), want('buy', 9900, 10, 1), want('sell', 10100, 10, 0), want('buy', 10000, 10, 0)], [], grid, TOL);
    expect(r.actions).toEqual([place('buy', 10000, 10, 0), place('sell', 10100, 10, 0), place('buy', 9900, 10, 1), place('sell', 10200, 10, 1)]);
  });

  it('refuses desired quotes that cross, but not because of a skipped one', () => {
    let code = 'none';
    try {
      diffOnGrid([want('buy', 10100), want('sell', 10100)], [], grid, TOL);
    } catch (e) {
      code = e instanceof DomainError ? e.code : 'other';
    }
    expect(code).toBe('ORDER_DIFF.DESIRED_CROSSED');
    const r = diffOnGrid([want('buy', 10100), want('sell', 10000, 0)], [], grid, TOL);
    expect(r.skipped).toEqual([{ side: 'sell', level: 0, reason: 'AMOUNT_BELOW_LOT' }]);
  });
});

describe('findSelfCrossOnGrid', () => {
  it('finds the first crossing action, counting earlier placements and honouring cancels', () => {
    const resting = [live('S', 'sell', 10100), live('B', 'buy', 10000)];
    expect(findSelfCrossOnGrid(resting, [place('buy', 10099)])).toBeNull();
    expect(findSelfCrossOnGrid(resting, [place('buy', 10099), place('buy', 10100)])).toBe(1); // equal price crosses
    expect(findSelfCrossOnGrid(resting, [cancel('S'), place('buy', 10100)])).toBeNull();
    expect(findSelfCrossOnGrid(resting, [cancel('nope'), place('sell', 10000)])).toBe(1);
    expect(findSelfCrossOnGrid([], [place('sell', 10000), cancel('B'), place('buy', 10000)])).toBe(2); // a planned order is never cancelled by id
  });
});

/** |h − w|·den ≤ w·num, in BigInt: the reference for the tolerance. */
function within(h: number, w: number, pct: string): boolean {
  const [i, f = ''] = pct.split('.');
  const num = BigInt(`${i}${f}`);
  const den = 100n * 10n ** BigInt(f.length);
  return BigInt(Math.abs(h - w)) * den <= BigInt(w) * num;
}

/** Largest number of (desired, live) pairs, one each, by brute force. */
function maxMatching(wants: GridOrder[], haves: GridLiveOrder[], fits: (w: GridOrder, h: GridLiveOrder) => boolean): number {
  const go = (i: number, used: Set<number>): number => {
    if (i === wants.length) return 0;
    let best = go(i + 1, used);
    haves.forEach((h, j) => {
      if (used.has(j) || !fits(wants[i]!, h)) return;
      used.add(j);
      best = Math.max(best, 1 + go(i + 1, used));
      used.delete(j);
    });
    return best;
  };
  return go(0, new Set());
}

describe('diffOnGrid random refreshes (seeded)', () => {
  const rng = mulberry32(4242);
  const int = (lo: number, hi: number) => lo + Math.floor(rng() * (hi - lo + 1));
  const ladder = (mid: number, levels: number, halfSpread: number): GridOrder[] =>
    Array.from({ length: levels }, (_, i) => [
      want('buy', mid - halfSpread - 7 * i - int(0, 3), int(8, 14), i),
      want('sell', mid + halfSpread + 7 * i + int(0, 3), int(8, 14), i),
    ]).flat();

  it('plans never cross, every live order is kept or cancelled once, and the book becomes the desired one', () => {
    for (let run = 0; run < 300; run++) {
      // Narrow tolerances and a wide spread (kept orders cannot cross), or wide ones (they can).
      const wide = run % 3 === 0;
      const tol: GridTolerance = wide ? { pricePct: ['0.5', '1', '2'][run % 3]!, amountPct: '30' } : { pricePct: ['0.05', '0.1', '0.25'][run % 3]!, amountPct: ['0', '10', '25'][run % 3]! };
      const mid = int(9000, 11000);
      const desired = ladder(mid + int(-60, 60), int(1, 5), wide ? int(5, 30) : 150);
      const liveOrders = ladder(mid, int(0, 5), wide ? int(5, 30) : 150).map((w, i) => live(`o${i}`, w.side, w.ticks + int(-15, 15), w.lots + int(-2, 2)));
      for (const sequencing of ['cancel-first', 'place-first'] as const) {
        const r = diffOnGrid(desired, liveOrders, grid, tol, { sequencing });
        expect(findSelfCrossOnGrid(liveOrders, r.actions)).toBeNull();
        const cancelled = r.actions.flatMap((a) => (a.type === 'cancel' ? [a.clientOrderId] : []));
        const placed = r.actions.flatMap((a) => (a.type === 'place' ? [a] : []));
        expect([...cancelled, ...ids(r)].sort()).toEqual(liveOrders.map((o) => o.clientOrderId).sort());
        expect(r.kept.length + placed.length).toBe(desired.length - r.skipped.length);
        if (sequencing === 'cancel-first') expect(r.actions.slice(0, cancelled.length).every((a) => a.type === 'cancel')).toBe(true);
        // Placements by level, buy before sell.
        expect(placed.map((p) => p.level * 2 + (p.side === 'sell' ? 1 : 0))).toEqual([...placed.map((p) => p.level * 2 + (p.side === 'sell' ? 1 : 0))].sort((a, b) => a - b));
        // Each kept order fits its desired quote (side and level are unique here) and stays keepable.
        const maxBuy = Math.max(0, ...desired.filter((d) => d.side === 'buy').map((d) => d.ticks));
        const minSell = Math.min(...desired.filter((d) => d.side === 'sell').map((d) => d.ticks));
        for (const k of r.kept) {
          const h = liveOrders.find((o) => o.clientOrderId === k.clientOrderId)!;
          const w = desired.find((d) => d.side === k.side && d.level === k.level)!;
          expect(within(h.ticks, w.ticks, tol.pricePct) && within(h.lots, w.lots, tol.amountPct)).toBe(true);
          expect(h.side === 'buy' ? h.ticks < minSell : h.ticks > maxBuy).toBe(true);
          expect(placed.some((p) => p.side === w.side && p.level === w.level)).toBe(false);
        }
        const kept = r.kept.map((k) => liveOrders.find((o) => o.clientOrderId === k.clientOrderId)!);
        expect(Math.max(0, ...kept.filter((o) => o.side === 'buy').map((o) => o.ticks))).toBeLessThan(Math.min(Infinity, ...kept.filter((o) => o.side === 'sell').map((o) => o.ticks)));
        if (!wide) {
          // No kept pair can cross here, so nothing is released: as many kept as a maximum matching allows.
          const fits = (w: GridOrder, h: GridLiveOrder) =>
            w.side === h.side && within(h.ticks, w.ticks, tol.pricePct) && within(h.lots, w.lots, tol.amountPct) && (h.side === 'buy' ? h.ticks < minSell : h.ticks > maxBuy);
          expect(r.kept.length).toBe(maxMatching(desired, liveOrders, fits));
        }
      }
    }
  });

  it('the string API is the same plan: diffOrders on the formatted inputs formats the grid result', () => {
    for (let run = 0; run < 100; run++) {
      const mid = int(9000, 11000);
      const desired = ladder(mid + int(-40, 40), int(1, 5), int(5, 40));
      const liveOrders = ladder(mid, int(0, 5), int(5, 40)).map((w, i) => live(`o${i}`, w.side, w.ticks + int(-10, 10), w.lots + int(-2, 2)));
      const tol = { pricePct: '0.2', amountPct: '15' };
      const g = diffOnGrid(desired, liveOrders, grid, tol);
      const s = diffOrders(
        desired.map((d) => ({ side: d.side, price: grid.priceStr(d.ticks), amount: grid.amountStr(d.lots), level: d.level })),
        liveOrders.map((o) => ({ clientOrderId: o.clientOrderId, side: o.side, price: grid.priceStr(o.ticks), amount: grid.amountStr(o.lots), status: 'open' as const })),
        RULES,
        tol,
      );
      expect(s.kept).toEqual(g.kept);
      expect(s.actions).toEqual(
        g.actions.map((a) => (a.type === 'cancel' ? a : { type: 'place', side: a.side, price: grid.priceStr(a.ticks), amount: grid.amountStr(a.lots), level: a.level })),
      );
    }
  });
});
