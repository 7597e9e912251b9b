// Price-action budgets (issue 10): a daily (rolling 24 h) and a per-episode budget in USD, spent by
// slice. Pure and serialisable, so a workflow keeps it in its state and the activity re-checks with
// the same functions. Spending is keyed by the slice's id: a retried or replayed slice is never
// counted twice. Money is decimal (strings in, strings out).
import { D, fmt } from '../money';

export interface BudgetLimits {
  /** USD over any rolling 24 h. */
  dailyUsd: string;
  /** USD for one episode (one buyback or liquidation run). */
  episodeUsd: string;
}

export interface Spend {
  sliceId: string;
  episode: string;
  usd: string;
  atMs: number;
}

export interface BudgetState {
  spends: Spend[];
}

const DAY_MS = 86_400_000;

/** USD left now: the smaller of the rolling day's and the episode's remainder, never below 0. */
export function budgetLeft(state: BudgetState, limits: BudgetLimits, episode: string, nowMs: number): string {
  let day = new D(0);
  let ep = new D(0);
  for (const s of state.spends) {
    if (s.atMs > nowMs - DAY_MS) day = day.plus(s.usd);
    if (s.episode === episode) ep = ep.plus(s.usd);
  }
  const left = D.min(new D(limits.dailyUsd).minus(day), new D(limits.episodeUsd).minus(ep));
  return fmt(D.max(left, 0));
}

/**
 * Books a slice's spend, capped at what is left. The same sliceId again returns the state unchanged
 * and the amount it booked the first time (a retry or a replay).
 */
export function spend(state: BudgetState, limits: BudgetLimits, s: { sliceId: string; episode: string; usd: string; atMs: number }): { state: BudgetState; booked: string } {
  const bad = () => new RangeError(`usd: expected a non-negative decimal, got ${s.usd}`);
  let usd: InstanceType<typeof D>;
  try {
    usd = new D(s.usd);
  } catch {
    throw bad();
  }
  if (!usd.isFinite() || usd.lt(0)) throw bad();
  const seen = state.spends.find((x) => x.sliceId === s.sliceId);
  if (seen) return { state, booked: seen.usd };
  const booked = fmt(D.min(usd, new D(budgetLeft(state, limits, s.episode, s.atMs))));
  if (new D(booked).lte(0)) return { state, booked: '0' };
  // Spends older than a day stay only while their episode might still ask (kept: episodes are short).
  return { state: { spends: [...state.spends, { sliceId: s.sliceId, episode: s.episode, usd: booked, atMs: s.atMs }] }, booked };
}
