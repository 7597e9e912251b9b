// Price-action budgets: rolling 24 h and per episode, decimal, never double-counted on a retry.
import { budgetLeft, spend, type BudgetState } from '../../domain/price-action/budget';

const L = { dailyUsd: '100000', episodeUsd: '40000' };
const H = 3_600_000;

describe('price-action budget', () => {
  it('caps a slice at the episode budget and refuses once it is spent', () => {
    let st: BudgetState = { spends: [] };
    let r = spend(st, L, { sliceId: 'bb:1:s0', episode: 'bb:1', usd: '25000.10', atMs: 0 });
    expect(r.booked).toBe('25000.1');
    st = r.state;
    r = spend(st, L, { sliceId: 'bb:1:s1', episode: 'bb:1', usd: '20000', atMs: H });
    expect(r.booked).toBe('14999.9');
    st = r.state;
    expect(budgetLeft(st, L, 'bb:1', H)).toBe('0');
    expect(spend(st, L, { sliceId: 'bb:1:s2', episode: 'bb:1', usd: '1', atMs: H }).booked).toBe('0');
  });

  it('a retried slice id books nothing new and returns what it booked the first time', () => {
    const a = spend({ spends: [] }, L, { sliceId: 'bb:1:s0', episode: 'bb:1', usd: '1000', atMs: 0 });
    const b = spend(a.state, L, { sliceId: 'bb:1:s0', episode: 'bb:1', usd: '1000', atMs: 5 });
    expect(b.state).toBe(a.state);
    expect(b.booked).toBe('1000');
    expect(budgetLeft(b.state, L, 'bb:1', 5)).toBe('39000');
  });

  it('the daily budget is a rolling 24 h across episodes', () => {
    let st: BudgetState = { spends: [] };
    for (let i = 0; i < 3; i++) st = spend(st, L, { sliceId: `bb:${i}:s0`, episode: `bb:${i}`, usd: '30000', atMs: i * H }).state;
    // 90 000 spent within the day: a fourth episode gets 10 000 of its 40 000.
    expect(budgetLeft(st, L, 'bb:3', 3 * H)).toBe('10000');
    // A day after the first spend, its 30 000 is back.
    expect(budgetLeft(st, L, 'bb:3', 24 * H + 1)).toBe('40000');
  });

  it('refuses a negative or non-decimal amount, naming the field', () => {
    expect(() => spend({ spends: [] }, L, { sliceId: 'x', episode: 'e', usd: '-1', atMs: 0 })).toThrow(/usd/);
    expect(() => spend({ spends: [] }, L, { sliceId: 'x', episode: 'e', usd: 'lots', atMs: 0 })).toThrow(/usd/);
  });
});
