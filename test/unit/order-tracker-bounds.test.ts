// The order tracker's memory stays bounded on a long-running quoter: settled orders beyond the limit
// are forgotten oldest first (never a live one), and the fill log with its trade ids is capped while
// fillsSince hands every fill to a reader that keeps up, exactly once.
import { OrderTracker } from '../../venues/order-tracker';
import type { Fill, VenueOrder } from '../../venues/venue.port';

const fill = (i: number, clientOrderId?: string): Fill => ({
  tradeId: `t${i}`,
  venueOrderId: `v${i}`,
  ...(clientOrderId ? { clientOrderId } : {}),
  side: 'buy',
  price: '1',
  amount: '1',
  fee: '0',
  feeAsset: 'USDT',
  liquidity: 'maker',
  timestamp: i,
});
const report = (id: string, status: VenueOrder['status']): VenueOrder => ({ venueOrderId: `v-${id}`, clientOrderId: id, side: 'buy', price: '1', amount: '1', filled: '0', status, timestamp: 0 });

describe('OrderTracker memory bounds', () => {
  it('keeps the newest maxTerminal settled orders and every live one, over 20 000 orders', () => {
    const t = new OrderTracker(3, { maxTerminal: 100 });
    let maxSettled = 0;
    // Every 50th order stays live for good (a resting quote); the others open and cancel.
    for (let i = 0; i < 20_000; i++) {
      const id = `bq-${i}`;
      t.track({ clientOrderId: id, side: 'buy', price: '1', amount: '1', postOnly: true, now: i });
      t.applyVenueOrder(report(id, 'open'), i);
      if (i % 50 !== 0) t.applyVenueOrder(report(id, 'canceled'), i);
      maxSettled = Math.max(maxSettled, t.size().settled);
    }
    expect(maxSettled).toBe(100);
    expect(t.size()).toMatchObject({ orders: 400 + 100, settled: 100 });
    expect(t.unsettled()).toHaveLength(400);
    expect(t.unsettled().every((o) => o.status === 'open')).toBe(true);
    // The oldest live order is still there; the newest settled ones too; old settled ones are gone.
    expect(t.get('bq-0')?.status).toBe('open');
    expect(t.get('bq-19999')?.status).toBe('canceled');
    expect(t.get('bq-1')).toBeUndefined();
    expect(t.findByVenueId('v-bq-1')).toBeUndefined();
    expect(t.findByVenueId('v-bq-19999')?.clientOrderId).toBe('bq-19999');
    // A live order that settles now is kept (newest), and evicts the oldest settled one.
    t.applyVenueOrder(report('bq-0', 'canceled'), 30_000);
    expect(t.get('bq-0')?.status).toBe('canceled');
    expect(t.size().settled).toBe(100);
  });

  it('caps the fill log and trade ids; fillsSince gives a reader that keeps up every fill once', () => {
    const t = new OrderTracker(3, { maxFills: 1_000 });
    let cursor = 0;
    let read = 0;
    const seen = new Set<string>();
    const bad: string[] = [];
    let maxHeld = 0;
    for (let i = 0; i < 50_000; i++) {
      if (!t.applyFill(fill(i), i)) bad.push(`t${i} refused`);
      if (t.applyFill(fill(i), i)) bad.push(`t${i} counted twice`); // a repeat in the next sync is still a duplicate
      if (i % 97 === 0) {
        const r = t.fillsSince(cursor);
        if (r.missed !== 0) bad.push(`missed ${r.missed} at ${i}`);
        for (const f of r.fills) {
          if (seen.has(f.tradeId)) bad.push(`${f.tradeId} read twice`);
          seen.add(f.tradeId);
        }
        read += r.fills.length;
        cursor = r.next;
      }
      maxHeld = Math.max(maxHeld, t.size().fills, t.size().tradeIds);
    }
    read += t.fillsSince(cursor).fills.length;
    expect(bad).toEqual([]);
    expect(maxHeld).toBe(1_000);
    expect(read).toBe(50_000);
    // A reader that fell behind by more than the cap is told how many it missed.
    const late = t.fillsSince(0);
    expect(late.missed).toBe(50_000 - late.fills.length);
    expect(late.fills.at(-1)?.tradeId).toBe('t49999');
  });
});
