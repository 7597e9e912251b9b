// Price action in the backtester's closed loop (sim/backtest/sim-price-action.ts): the real hot path on
// three simulated exchanges and a pool; a whale sells from minute 5, the monitor raises
// ONE_SIDED_SELLING, the coordinator's policy starts a buyback and the executor buys — only at the
// never-lead price or below, strictly below Ballast's own best ask on the venue, within its budget,
// never trading with Ballast's own quotes — until the fundamental drops 10 % at minute 30 (more than
// maxFairMovePct) and the buyback stops with FAIR_VALUE_MOVED.
import { loadConfig } from '../../config/load';
import type { Scenario } from '../../sim/market/scenario.schema';
import { loadScenario } from '../../sim/market/scenario-loader';
import { backtestHooks } from '../../sim/backtest/hooks';
import { runBacktest, type StrategyResult } from '../../sim/backtest/run-backtest';
import type { PriceActionRun } from '../../sim/backtest/closed-loop';

jest.setTimeout(60_000);

const MIN = 60_000;
const JUMP_AT = 30 * MIN;
const WHALE_AT = 1 * MIN;

/**
 * stress-24h cut to 100 minutes (the +60 min reversion after the stop fits): no random jumps, a whale
 * from minute 1 for 35 min (its own push stays under maxFairMovePct), −10 % at minute 30.
 */
function scenario(): Scenario {
  const s = loadScenario('stress-24h');
  return {
    ...s,
    duration: 100 * MIN,
    fundamental: { ...s.fundamental, volatility: 0.3, jumps: { ...s.fundamental.jumps, intensityPerDay: 0 }, scheduledJumps: [{ at: JUMP_AT, logSize: Math.log(0.9) }] },
    agents: s.agents.flatMap((a): Scenario['agents'] => {
      if (a.kind === 'whale') return [{ ...a, start: { from: WHALE_AT, to: WHALE_AT }, duration: 35 * MIN, totalBase: '600000', slices: 70 }];
      // Informed traders carry the drop into the books (the fair value follows F through them).
      if (a.kind === 'noise' || a.kind === 'arbitrage' || a.kind === 'informed') return [a];
      return [];
    }),
  };
}

const PRICE_ACTION: PriceActionRun = {
  pool: true,
  policy: { perKind: { ONE_SIDED_SELLING: { minRaisedMs: 30_000 } }, priceAction: { buybackUsdPerEpisode: '40000', buybackLimitPct: 1, participationPct: 25, maxFairMovePct: 6, durationMs: 3_600_000 } },
  execution: { sliceIntervalMs: 30_000 },
  // 150 s: the first minutes' few trades (all one way) are not sustained selling.
  imbalance: { ONE_SIDED_SELLING: { enter: 0.75, exit: 0.5, minDurationMs: 150_000, cooldownMs: 60_000 } },
};

let run: StrategyResult;

beforeAll(async () => {
  [run] = (await runBacktest({ scenario: scenario(), config: loadConfig(), strategies: ['ballast-pa'], seed: 7, ...backtestHooks(), priceAction: PRICE_ACTION })) as [StrategyResult];
});

describe('price action in the closed loop', () => {
  it('a sell-off raises ONE_SIDED_SELLING and the policy starts a buyback that buys', () => {
    expect(run.imbalances.some((e) => e.kind === 'ONE_SIDED_SELLING' && e.type === 'raised')).toBe(true);
    const buybacks = run.decisions.filter((d) => d.kind === 'buyback');
    expect(buybacks.length).toBeGreaterThan(0);
    expect(buybacks[0]!.triggers.map((t) => t.kind)).toContain('ONE_SIDED_SELLING');
    // Raised while the whale sells (its sustained selling, not the first minutes' few trades).
    expect(Math.min(...buybacks[0]!.triggers.map((t) => t.raisedAt))).toBeGreaterThan(run.summary.startMs + WHALE_AT);
    const filled = buybacks.reduce((a, d) => a + Number(d.priceAction?.report.filledBase ?? 0), 0);
    expect(filled).toBeGreaterThan(0);
  });

  it('buys only at or below the never-lead price and strictly below its own best ask, never with itself', () => {
    const children = run.decisions.filter((d) => d.kind === 'buyback').flatMap((d) => d.priceAction?.children ?? []);
    const bought = children.filter((c) => Number(c.filled) > 0);
    expect(bought.length).toBeGreaterThan(0);
    for (const c of children.filter((x) => x.type !== 'swap')) {
      expect(c.side).toBe('buy');
      expect(c.followingPrice).toBeDefined();
      expect(Number(c.price)).toBeLessThanOrEqual(c.followingPrice! + 1e-12);
      if (c.ownBestAsk !== undefined) expect(Number(c.price)).toBeLessThan(c.ownBestAsk);
      // What the engine held when the order left: our quoting ask was still above it.
      if (c.ownBestAskAtSend !== undefined) expect(Number(c.price)).toBeLessThan(c.ownBestAskAtSend);
    }
    expect(run.priceActionChecks).toEqual({ selfTrades: 0, stpExpired: { priceAction: 0, quotesByPriceAction: 0, otherQuotes: expect.any(Number) as number } });
    for (const d of run.decisions) expect(d.priceAction?.stpExpired ?? { priceAction: 0, quotes: 0 }).toEqual({ priceAction: 0, quotes: 0 });
  });

  it('never spends more than the episode budget', () => {
    for (const d of run.decisions.filter((x) => x.kind === 'buyback')) {
      const r = d.priceAction!.report;
      expect(Number(r.budgetUsedUsd)).toBeLessThanOrEqual(Number(d.maxUsd));
      // Reported back to the coordinator once finished (after the reversion is measured).
      if (d.status !== 'running') expect(Number(d.movedUsd)).toBe(Number(r.budgetUsedUsd));
      // Paid in quote: the budget at the slices' fair values, within the 1 % limit above arrival.
      expect(Number(r.quote)).toBeLessThanOrEqual(Number(d.maxUsd) * 1.01 + 1e-6);
    }
  });

  it('stops with FAIR_VALUE_MOVED when the fair value drops 10 % (more than maxFairMovePct) under a running buyback', () => {
    const start = run.summary.startMs;
    const atJump = run.decisions.filter((d) => d.kind === 'buyback' && d.startedAt <= start + JUMP_AT && (d.priceAction?.stoppedAt ?? Infinity) > start + JUMP_AT);
    expect(atJump).toHaveLength(1);
    const pa = atJump[0]!.priceAction!;
    expect(pa.report.stopReason).toBe('FAIR_VALUE_MOVED');
    // It stopped once the books had followed the drop (informed traders), and placed nothing after.
    expect(pa.stoppedAt! - (start + JUMP_AT)).toBeLessThan(10 * MIN);
    const moved = pa.children.filter((c) => c.atMs > pa.stoppedAt!);
    expect(moved).toEqual([]);
  });
});
