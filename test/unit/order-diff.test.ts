import { DomainError } from '../../domain/errors';
import { D, fmt } from '../../domain/money';
import { diffOrders, findSelfCross, type DesiredOrder, type LiveOrder, type OrderAction } from '../../domain/quoting/order-diff';
import { mulberry32 } from '../../domain/rng';

const RULES = { tickSize: '0.01', lotSize: '0.1', minNotional: '5' };
const TOL = { pricePct: '0.1', amountPct: '10' };
const want = (side: 'buy' | 'sell', price: string, amount: string, level = 0): DesiredOrder => ({ side, price, amount, level });
const live = (clientOrderId: string, side: 'buy' | 'sell', price: string, amount: string, status: LiveOrder['status'] = 'open'): LiveOrder => ({
  clientOrderId,
  side,
  price,
  amount,
  status,
});
const cancel = (clientOrderId: string): OrderAction => ({ type: 'cancel', clientOrderId });
const place = (side: 'buy' | 'sell', price: string, amount: string, level = 0): OrderAction => ({ type: 'place', side, price, amount, level });

describe('diffOrders', () => {
  it('does nothing when the live orders already are the desired quotes', () => {
    const r = diffOrders([want('buy', '100', '1'), want('sell', '101', '1')], [live('b', 'buy', '100', '1'), live('s', 'sell', '101', '1')], RULES, TOL);
    expect(r.actions).toEqual([]);
    expect(r.kept).toEqual([
      { clientOrderId: 'b', side: 'buy', level: 0 },
      { clientOrderId: 's', side: 'sell', level: 0 },
    ]);
  });

  it('keeps orders within the tolerance and replaces the others', () => {
    // buy: |100.05 − 100| / 100 = 0.05 % ≤ 0.1 %, |0.95 − 1| / 1 = 5 % ≤ 10 % → kept
    // sell: |101.2 − 101| / 101 = 0.198 % > 0.1 % → cancel and place
    const r = diffOrders([want('buy', '100', '1'), want('sell', '101', '1')], [live('b', 'buy', '100.05', '0.95'), live('s', 'sell', '101.2', '1')], RULES, TOL);
    expect(r.actions).toEqual([cancel('s'), place('sell', '101', '1')]);
    expect(r.kept.map((k) => k.clientOrderId)).toEqual(['b']);
  });

  it('replaces an order whose remaining amount drifted past the amount tolerance', () => {
    // partially filled: 0.8 left of 1 → 20 % > 10 %
    const r = diffOrders([want('buy', '100', '1')], [live('b', 'buy', '100', '0.8', 'partially_filled')], RULES, TOL);
    expect(r.actions).toEqual([cancel('b'), place('buy', '100', '1')]);
  });

  it('finds the pairing that cancels the fewest orders, where a greedy pass would not', () => {
    // Tolerance 0.15 %. d0 = 100, d1 = 99.9.
    //   L1 = 99.95 fits both (0.05 % from each); L2 = 100.1 fits d0 only (0.1 %; 0.2/99.9 = 0.2 % from d1).
    //   Greedy by level: d0 takes its closest, L1 → d1 has nothing → cancel L2, place d1.
    //   Best: d0 ↔ L2, d1 ↔ L1 → no action at all.
    const r = diffOrders(
      [want('buy', '100', '1', 0), want('buy', '99.9', '1', 1)],
      [live('L1', 'buy', '99.95', '1'), live('L2', 'buy', '100.1', '1')],
      RULES,
      { pricePct: '0.15', amountPct: '10' },
    );
    expect(r.actions).toEqual([]);
    expect(r.kept).toEqual(
      expect.arrayContaining([
        { clientOrderId: 'L2', side: 'buy', level: 0 },
        { clientOrderId: 'L1', side: 'buy', level: 1 },
      ]),
    );
  });

  it('cancels the live ask first when the refreshed bid would reach it (price jumped up)', () => {
    const liveOrders = [live('B', 'buy', '100', '1'), live('S', 'sell', '101', '1')];
    const desired = [want('buy', '101.5', '1'), want('sell', '102.5', '1')];
    const naive: OrderAction[] = [place('buy', '101.5', '1'), place('sell', '102.5', '1'), cancel('S'), cancel('B')];
    expect(findSelfCross(liveOrders, naive)).toBe(0); // the buy at 101.5 would sit above our ask at 101

    const cancelFirst = diffOrders(desired, liveOrders, RULES, TOL).actions;
    expect(cancelFirst).toEqual([cancel('S'), cancel('B'), place('buy', '101.5', '1'), place('sell', '102.5', '1')]);
    expect(findSelfCross(liveOrders, cancelFirst)).toBeNull();

    // Place-first keeps the book populated: only the crossing cancel goes before the placements.
    const placeFirst = diffOrders(desired, liveOrders, RULES, TOL, { sequencing: 'place-first' }).actions;
    expect(placeFirst).toEqual([cancel('S'), place('buy', '101.5', '1'), place('sell', '102.5', '1'), cancel('B')]);
    expect(findSelfCross(liveOrders, placeFirst)).toBeNull();
  });

  it('cancels the live bid first when the refreshed ask would reach it (price dropped)', () => {
    const liveOrders = [live('B', 'buy', '100', '1'), live('S', 'sell', '101', '1')];
    const desired = [want('buy', '98.5', '1'), want('sell', '99.5', '1')];
    expect(findSelfCross(liveOrders, [place('sell', '99.5', '1')])).toBe(0);
    const actions = diffOrders(desired, liveOrders, RULES, TOL, { sequencing: 'place-first' }).actions;
    expect(actions).toEqual([cancel('B'), place('buy', '98.5', '1'), place('sell', '99.5', '1'), cancel('S')]);
    expect(findSelfCross(liveOrders, actions)).toBeNull();
  });

  it('orders several crossing cancels most aggressive first', () => {
    const liveOrders = [live('S2', 'sell', '101.5', '1'), live('S1', 'sell', '101', '1'), live('B1', 'buy', '100', '1')];
    const actions = diffOrders([want('buy', '102', '1'), want('sell', '103', '1')], liveOrders, RULES, TOL, { sequencing: 'place-first' }).actions;
    expect(actions).toEqual([cancel('S1'), cancel('S2'), place('buy', '102', '1'), place('sell', '103', '1'), cancel('B1')]);
  });

  it('quantizes desired quotes to the venue rules and skips the ones that cannot be placed', () => {
    const r = diffOrders(
      [want('buy', '100.037', '1.06', 0), want('sell', '100.061', '1', 0), want('buy', '99', '0.04', 1), want('buy', '10', '0.4', 2)],
      [],
      RULES,
      TOL,
    );
    // buy 100.037 → 100.03 (down), 1.06 → 1 (lot 0.1 floors 1.0); sell 100.061 → 100.07 (up)
    expect(r.actions).toEqual([place('buy', '100.03', '1'), place('sell', '100.07', '1')]);
    // 0.04 < one lot; 10 × 0.4 = 4 < min notional 5
    expect(r.skipped).toEqual([
      { side: 'buy', level: 1, reason: 'AMOUNT_BELOW_LOT' },
      { side: 'buy', level: 2, reason: 'BELOW_MIN_NOTIONAL' },
    ]);
  });

  it('never keeps a live bid at or above a desired ask, even within tolerance', () => {
    // Tolerance 1 %: live buy 100.6 is 0.6 % from the desired 100 but ≥ the desired ask 100.5.
    const liveOrders = [live('B', 'buy', '100.6', '1')];
    const r = diffOrders([want('buy', '100', '1'), want('sell', '100.5', '1')], liveOrders, RULES, { pricePct: '1', amountPct: '10' });
    expect(r.kept).toEqual([]);
    expect(r.actions).toEqual([cancel('B'), place('buy', '100', '1'), place('sell', '100.5', '1')]);
    expect(findSelfCross(liveOrders, r.actions)).toBeNull();
  });

  it('lets go of the kept order further from its target when two kept orders would cross', () => {
    // Tolerance 1 %: live buy 100.4 (0.4 % from 100, below the desired ask 100.6) and live sell
    // 100.3 (0.298 % from 100.6, above the desired bid 100) both fit, but 100.4 ≥ 100.3.
    // The buy is further off (0.4 % > 0.298 %): cancelled, and the desired bid placed.
    const r = diffOrders([want('buy', '100', '1'), want('sell', '100.6', '1')], [live('B', 'buy', '100.4', '1'), live('S', 'sell', '100.3', '1')], RULES, {
      pricePct: '1',
      amountPct: '10',
    });
    expect(r.kept.map((k) => k.clientOrderId)).toEqual(['S']);
    expect(r.actions).toEqual([cancel('B'), place('buy', '100', '1')]);
  });

  it('counts pending orders as live, ignores finished ones, and cancels duplicates', () => {
    const r = diffOrders(
      [want('buy', '100', '1')],
      [
        live('done', 'buy', '100', '1', 'filled'),
        live('gone', 'sell', '99', '1', 'canceled'),
        live('p', 'buy', '100', '1', 'pending'),
        live('dup', 'buy', '100', '1', 'open'),
      ],
      RULES,
      TOL,
    );
    expect(r.kept.map((k) => k.clientOrderId)).toEqual(['p']);
    expect(r.actions).toEqual([cancel('dup')]);
  });

  it('refuses desired quotes that cross each other', () => {
    let code = 'none';
    try {
      diffOrders([want('buy', '101', '1'), want('sell', '101', '1')], [], RULES, TOL);
    } catch (e) {
      code = e instanceof DomainError ? e.code : 'other';
    }
    expect(code).toBe('ORDER_DIFF.DESIRED_CROSSED');
  });

  it('judges live orders off the tick/lot grid exactly, on the finer decimal grid they are on', () => {
    // 0.005 % of 100 is 0.005: 100.005 is on the boundary (kept), 100.0051 just past it.
    const tol = { pricePct: '0.005', amountPct: '10' };
    expect(diffOrders([want('buy', '100', '1')], [live('L', 'buy', '100.005', '1.05')], RULES, tol).kept.map((k) => k.clientOrderId)).toEqual(['L']);
    const r = diffOrders([want('buy', '100', '1')], [live('L', 'buy', '100.0051', '1')], RULES, tol);
    expect(r.actions).toEqual([cancel('L'), place('buy', '100', '1')]);
  });

  it('never keeps a live order whose price is float noise beyond 2^53 fine ticks, but still sequences it exactly', () => {
    // 14 decimal places: 101.00000000000001 is 1.01e16 units of 1e-14 (> 2^53). Before the integer
    // grid, S1 (0.00000000000001 from the desired ask) was kept; now it is replaced (documented).
    const liveOrders = [live('S1', 'sell', '102.00000000000001', '1'), live('S2', 'sell', '101.00000000000001', '1'), live('S3', 'sell', '100.99999999999999', '1')];
    const desired = [want('buy', '101', '1'), want('sell', '102', '1')];
    const r = diffOrders(desired, liveOrders, RULES, TOL, { sequencing: 'place-first' });
    expect(r.kept).toEqual([]);
    // S3 < 101 would cross the new bid: cancelled first. S2 > 101 does not (a sell rounded down to
    // the tick, 101, would wrongly look crossing and go first too).
    expect(r.actions).toEqual([cancel('S3'), place('buy', '101', '1'), place('sell', '102', '1'), cancel('S2'), cancel('S1')]);
    expect(findSelfCross(liveOrders, r.actions)).toBeNull();
    expect(findSelfCross(liveOrders, [place('buy', '101', '1')])).toBe(0);
    expect(findSelfCross(liveOrders.slice(0, 2), [place('buy', '101', '1')])).toBeNull();
  });

  it('findSelfCross compares prices of any scale or notation exactly', () => {
    expect(findSelfCross([live('S', 'sell', '1e2', '1')], [place('buy', '100', '1')])).toBe(0);
    // 22 decimal places: compared by rank, not on a 10^-22 grid.
    expect(findSelfCross([live('S', 'sell', '100', '1')], [place('buy', '99.9999999999999999999999', '1')])).toBeNull();
    expect(findSelfCross([live('S', 'sell', '99.9999999999999999999999', '1')], [place('buy', '99.9999999999999999999999', '1')])).toBe(0);
    expect(findSelfCross([live('B', 'buy', '0.00000001', '1')], [place('sell', '0.000000011', '1'), place('sell', '0.00000001', '1')])).toBe(1);
  });

  it('random ladder refreshes: no plan ever crosses, and the result is the desired book', () => {
    const rng = mulberry32(2024);
    const ladder = (mid: number, levels: number, prefix: string) =>
      Array.from({ length: levels }, (_, i) => {
        const off = 0.001 + 0.002 * i;
        return [
          { side: 'buy' as const, price: fmt(new D(mid * (1 - off)).toDecimalPlaces(2, 1)), amount: fmt(new D(1 + rng()).toDecimalPlaces(1, 1)), level: i, id: `${prefix}b${i}` },
          { side: 'sell' as const, price: fmt(new D(mid * (1 + off)).toDecimalPlaces(2, 0)), amount: fmt(new D(1 + rng()).toDecimalPlaces(1, 1)), level: i, id: `${prefix}s${i}` },
        ];
      }).flat();
    let naiveCrossed = 0;
    for (let run = 0; run < 200; run++) {
      const m0 = 100;
      const m1 = m0 * (1 + (rng() - 0.5) * 0.03); // ±1.5 %
      const liveOrders = ladder(m0, 4, 'o').map((q) => live(q.id, q.side, q.price, q.amount));
      const desired = ladder(m1, 4, 'n').map(({ side, price, amount, level }) => want(side, price, amount, level));
      for (const sequencing of ['cancel-first', 'place-first'] as const) {
        const r = diffOrders(desired, liveOrders, RULES, { pricePct: '0.05', amountPct: '20' }, { sequencing });
        expect(findSelfCross(liveOrders, r.actions)).toBeNull();
        // Final book = kept + placed, one per desired quote.
        const cancelled = new Set(r.actions.flatMap((a) => (a.type === 'cancel' ? [a.clientOrderId] : [])));
        const placed = r.actions.filter((a) => a.type === 'place').length;
        expect(liveOrders.length - cancelled.size).toBe(r.kept.length);
        expect(r.kept.length + placed).toBe(desired.length);
      }
      const r = diffOrders(desired, liveOrders, RULES, { pricePct: '0.05', amountPct: '20' });
      const naive = [...r.actions.filter((a) => a.type === 'place'), ...r.actions.filter((a) => a.type === 'cancel')];
      if (findSelfCross(liveOrders, naive) !== null) naiveCrossed += 1;
    }
    // The shifts are large enough that placing before cancelling would often cross.
    expect(naiveCrossed).toBeGreaterThan(50);
  });
});
