// The daily cap as a rolling 24 h window (domain/treasury/cap-window.ts) and the in-memory ledger
// that unit tests use: open reservations count however old, booked transfers for 24 h after they
// were booked, released ones not at all; a long approval wait cannot add a second day's cap.
import { MemoryLedgerStore } from '../../activities/ledger/memory-ledger';
import { CAP_WINDOW_MS, usedUsdInWindow } from '../../domain/treasury/cap-window';
import { usedUsdOnDay } from '../../domain/treasury/rebalance-inputs';

const H = 3_600_000;
const T0 = Date.UTC(2026, 11, 1, 12); // 2026-12-01 12:00 UTC
const day = (ms: number) => new Date(ms).toISOString().slice(0, 10);
const res = (wf: string, usd: string, at: number) => ({ id: `${wf}:reserve`, at, day: day(at), workflowId: wf, kind: 'reservation' as const, asset: 'BLST', amount: usd, amountUsd: usd });
const booked = (wf: string, usd: string, at: number) => ({ id: `${wf}:transfer`, at, day: day(at), workflowId: wf, kind: 'transfer' as const, asset: 'BLST', amount: usd, amountUsd: usd });
const released = (wf: string, at: number) => ({ id: `${wf}:release`, at, day: day(at), workflowId: wf, kind: 'release' as const, asset: 'BLST', amount: '0', amountUsd: '0' });

describe('usedUsdInWindow', () => {
  it('within one day it equals the old calendar-day figure, in exact decimals', () => {
    const lines = [res('t1', '50', T0), res('t2', '20', T0 + 1), booked('t2', '20', T0 + 2), res('t3', '3.5', T0 + 3), res('t4', '4.5', T0 + 4), released('t4', T0 + 5)];
    expect(usedUsdInWindow(lines, T0 + H)).toBe('73.5');
    expect(usedUsdOnDay(lines, day(T0))).toBe('73.5');
    expect(usedUsdInWindow([res('a', '0.1', T0), res('b', '0.2', T0)], T0)).toBe('0.3');
  });

  it('a booked transfer counts for the 24 h after it was booked, then rolls out', () => {
    const lines = [res('t1', '100', T0), booked('t1', '100', T0 + H)];
    expect(usedUsdInWindow(lines, T0 + H + CAP_WINDOW_MS - 1)).toBe('100');
    expect(usedUsdInWindow(lines, T0 + H + CAP_WINDOW_MS)).toBe('0');
    // Across midnight: the calendar day would have forgotten it at 00:00.
    expect(usedUsdInWindow(lines, Date.UTC(2026, 11, 2, 1))).toBe('100');
  });

  it('an open reservation keeps its share however long the approval waits', () => {
    expect(usedUsdInWindow([res('t1', '400', T0)], T0 + 3 * CAP_WINDOW_MS)).toBe('400');
    expect(usedUsdInWindow([res('t1', '400', T0), released('t1', T0 + 5 * H)], T0 + 6 * H)).toBe('0');
  });
});

describe('MemoryLedgerStore.reserve (the same rules as the PostgreSQL store)', () => {
  it('refuses a second day\'s cap while the first reservation still waits for approval (issue 11, problem 3)', async () => {
    const l = new MemoryLedgerStore();
    expect((await l.reserve(res('day1', '400', T0), '400', T0)).ok).toBe(true);
    // Two days later, approved at last and not yet sent: a new transfer finds the cap used.
    const later = T0 + 2 * CAP_WINDOW_MS;
    expect(await l.reserve(res('day3', '1', later), '400', later)).toEqual({ ok: false, usedUsd: '400' });
    await l.append(booked('day1', '400', later));
    // Booked now: it counts for the next 24 h, not for "day 1".
    expect(await l.reserve(res('day3', '1', later + H), '400', later + H)).toEqual({ ok: false, usedUsd: '400' });
    const r = await l.reserve(res('day4', '400', later + CAP_WINDOW_MS), '400', later + CAP_WINDOW_MS);
    expect(r).toMatchObject({ ok: true, created: true, usedUsd: '400' });
  });

  it('an id already reserved returns the entry of record, whatever the cap says now', async () => {
    const l = new MemoryLedgerStore();
    await l.reserve(res('w', '300', T0), '300', T0);
    const again = await l.reserve({ ...res('w', '300', T0 + 1), amount: '999' }, '300', T0 + 1);
    expect(again).toMatchObject({ ok: true, created: false, entry: { at: T0, amount: '300' } });
  });
});
