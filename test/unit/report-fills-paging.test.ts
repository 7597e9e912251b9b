import { fillsOfDay } from '../../activities/report.activities';
import type { Fill } from '../../venues/venue.port';

const fill = (n: number, timestamp: number): Fill => ({ tradeId: `t${n}`, venueOrderId: `o${n}`, side: 'buy', price: '1', amount: '1', fee: '0', feeAsset: 'USDT', liquidity: 'taker', timestamp });

/** A venue answering like Binance's myTrades: trades from `since` (inclusive), oldest first, at most `limit`. */
function pagedVenue(all: Fill[], limit: number) {
  const calls: (number | undefined)[] = [];
  return {
    calls,
    venue: {
      id: 'alpha',
      fetchMyTrades: async (since?: number) => {
        calls.push(since);
        return all.filter((f) => since === undefined || f.timestamp >= since).slice(0, limit);
      },
    },
  };
}

describe('fillsOfDay (paging our trades by time)', () => {
  it('reads every fill of the window across pages, including several in one millisecond at a page boundary', async () => {
    // 10 fills; three share t=1003, straddling the page size of 4.
    const times = [999, 1000, 1001, 1002, 1003, 1003, 1003, 1004, 1005, 2000];
    const all = times.map((t, i) => fill(i, t));
    const { venue, calls } = pagedVenue(all, 4);
    const got = await fillsOfDay(venue, 1000, 2000);
    expect(got.map((f) => f.tradeId).sort()).toEqual(['t1', 't2', 't3', 't4', 't5', 't6', 't7', 't8']);
    expect(calls[0]).toBe(1000);
    expect(calls.length).toBeGreaterThan(2);
  });

  it('stops when a page brings nothing new, and on an empty answer', async () => {
    const { venue, calls } = pagedVenue([], 4);
    expect(await fillsOfDay(venue, 0, 10)).toEqual([]);
    expect(calls).toEqual([0]);
  });

  it('gets past a page filled by one millisecond, undercounting only that millisecond (the documented limit)', async () => {
    const all = [...Array.from({ length: 10 }, (_, i) => fill(i, 1500)), fill(10, 1600), fill(11, 1700)];
    const { venue } = pagedVenue(all, 4);
    const got = (await fillsOfDay(venue, 1000, 2000)).map((f) => f.tradeId);
    // 4 of the 10 at t=1500 (a page's worth), then everything after.
    expect(got).toEqual(['t0', 't1', 't2', 't3', 't10', 't11']);
  });
});
