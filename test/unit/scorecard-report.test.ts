// The card built from series (per venue and overall, ratios to the no-market-maker run) and printed.
import { D } from '../../domain/money';
import { buildScorecard, formatScorecard, type ScorecardInput } from '../../sim/backtest/scorecard-report';
import { formatSeedStats, seedStats } from '../../sim/backtest/scorecard-seeds';

const M = 60_000;

// A 10-minute run, F = 1 throughout.
// alpha (no outage): spread ≤ 1 % and ≥ 100 per side required; 0–5 m spread .5, 200/200; 5–10 m
//   spread 2, 50/200 → spread 50 %, bid 50 %, ask 100 %, both 50 %. Volume 100 in 10 min → 14,400 a
//   day against 1,000. Mid alternates 1, 1.01 each minute: 10 changes of ±ln 1.01. Own depth
//   1,000 + 1,000 for 10 min = 2,000 × 10/1440 day / 1e6 $M·day.
// bravo: down 2–4 m, otherwise every check met → 8 m healthy, all ok. Mid flat.
// Pooled spread uptime: (5 + 8) / (10 + 8) minutes.
function input(alphaSwing: number): ScorecardInput {
  const grid = Array.from({ length: 11 }, (_, i) => i * M);
  return {
    strategy: 'ballast',
    startT: 0,
    endT: 10 * M,
    fundamental: [{ t: 0, v: 1 }],
    outages: { alpha: [], bravo: [{ startMs: 2 * M, endMs: 4 * M }] },
    episodes: [{ label: 'whale', startMs: 0, endMs: 10 * M }],
    venues: [
      {
        venue: 'alpha',
        requirement: { maxSpreadPct: '1', minDepthQuote: '100', minVolume24hQuote: '1000' },
        book: [
          { t: 0, spreadPct: 0.5, bidDepthQuote: 200, askDepthQuote: 200 },
          { t: 5 * M, spreadPct: 2, bidDepthQuote: 50, askDepthQuote: 200 },
        ],
        mids: grid.map((t, i) => ({ t, v: i % 2 === 0 ? 1 : alphaSwing })),
        cumVolumeQuote: [
          { t: 0, v: 0 },
          { t: 10 * M, v: 100 },
        ],
        ownDepth: [{ t: 0, bidQuote: 1000, askQuote: 1000 }],
        mmBase: [
          { t: 0, v: 500 },
          { t: 5 * M, v: 650 },
        ],
        pnl: { realized: new D(2), inventory: new D(-7), fees: new D(1), total: new D(-5) },
      },
      {
        venue: 'bravo',
        requirement: { maxSpreadPct: '1', minDepthQuote: '100' },
        book: [{ t: 0, spreadPct: 0.2, bidDepthQuote: 500, askDepthQuote: 500 }],
        mids: grid.map((t) => ({ t, v: 1 })),
      },
    ],
    arbitrageProfitQuote: '30',
    economics: { venues: [{ realized: new D(2), inventory: new D(-7), fees: new D(1), total: new D(-5) }], transferFeesQuote: '0', hodlPnl: '0' },
    transfers: { count: 2, feesQuote: '1.5' },
    killSwitchTrips: 1,
  };
}

describe('buildScorecard', () => {
  const none = buildScorecard({ ...input(1.02), strategy: 'none', economics: undefined, arbitrageProfitQuote: '120' });
  const card = buildScorecard(input(1.01), none);
  const alpha = card.venues[0]!;
  const bravo = card.venues[1]!;

  it('scores each venue', () => {
    expect(alpha).toMatchObject({ venue: 'alpha', healthyPct: 100, spreadOkPct: 50, depthBidOkPct: 50, depthAskOkPct: 100, depthOkPct: 50, maxInventoryDev: 150 });
    expect(alpha.volume?.per24hQuote).toBeCloseTo(14_400, 6);
    expect(alpha.volume?.ratio).toBeCloseTo(14.4, 9);
    expect(alpha.excessVol.perStep).toBeCloseTo(Math.log(1.01), 12);
    // ±ln 1.01 against ±ln 1.02 in the no-market-maker run.
    expect(alpha.excessVolRatio).toBeCloseTo(Math.log(1.01) / Math.log(1.02), 12);
    expect(alpha.episodes[0]).toMatchObject({ deepestLog: 0, recoverMs: 0 });
    expect(bravo).toMatchObject({ healthyPct: 80, spreadOkPct: 100, depthOkPct: 100, volume: null, maxInventoryDev: null });
  });

  it('pools the venues and prices the depth', () => {
    const o = card.overall;
    expect(o.spreadOkPct).toBeCloseTo((100 * (5 + 8)) / (10 + 8), 10);
    expect(o.depthOkPct).toBeCloseTo((100 * (5 + 8)) / (10 + 8), 10);
    expect(o.depthAskOkPct).toBe(100);
    expect(o.arbitrage.ratio).toBeCloseTo(0.25, 12);
    expect(o.economics?.cost.toString()).toBe('5');
    const depth = (2000 * 10) / 1440 / 1e6;
    expect(o.ownDepthMDay).toBeCloseTo(depth, 15);
    expect(o.costPerMDay).toBeCloseTo(5 / depth, 3);
    expect(o.transfers.feesQuote.toString()).toBe('1.5');
    expect(o.worstEpisode).toMatchObject({ venue: 'alpha', deepestLog: 0 });
    expect(none.overall.economics).toBeNull();
    expect(none.overall.excessVolRatio).toBeNull();
  });

  it("the excess-vol floor is the fundamental's own 1-minute vol, and its ratio to the no-market-maker run", () => {
    // F alternates 1, 1.01 each minute. The no-MM mid alternates 1, 1.03 in phase: excess ln(1.03/1.01)
    // per step. A flat mid's excess is ln 1.01 per step: the floor itself.
    const oneVenue = (mid: (i: number) => number, strategy: string): ScorecardInput => {
      const grid = Array.from({ length: 11 }, (_, i) => i * M);
      return {
        strategy,
        startT: 0,
        endT: 10 * M,
        fundamental: grid.map((t, i) => ({ t, v: i % 2 === 0 ? 1 : 1.01 })),
        outages: {},
        episodes: [],
        venues: [{ venue: 'alpha', book: [], mids: grid.map((t, i) => ({ t, v: mid(i) })) }],
        arbitrageProfitQuote: '0',
      };
    };
    const noMm = buildScorecard(oneVenue((i) => (i % 2 === 0 ? 1 : 1.03), 'none'));
    const flat = buildScorecard(oneVenue(() => 1, 'flat'), noMm);
    expect(noMm.overall.excessVol.perStep).toBeCloseTo(Math.log(1.03 / 1.01), 12);
    expect(flat.overall.excessVolFloor.perStep).toBeCloseTo(Math.log(1.01), 12);
    expect(flat.overall.excessVol.perStep).toBeCloseTo(Math.log(1.01), 12);
    expect(flat.overall.excessVolFloorRatio).toBeCloseTo(Math.log(1.01) / Math.log(1.03 / 1.01), 12);
    expect(flat.overall.excessVolRatio).toBeCloseTo(flat.overall.excessVolFloorRatio!, 12);
    expect(formatScorecard(flat)).toMatch(/excess-vol floor\s+99\.50 bp\/1m/);
  });

  it('prints a table per venue and overall, the episodes and the economics', () => {
    const text = formatScorecard(card);
    expect(text).toContain('scorecard: ballast');
    expect(text).toMatch(/^alpha\s+100\.0%\s+50\.00%\s+50\.00%\s+100\.00%\s+50\.00%\s+14400\s+14\.40×/m);
    expect(text).toMatch(/^bravo\s+80\.0%\s+100\.00%/m);
    expect(text).toMatch(/^overall\s+-\s+72\.22%/m);
    expect(text).toMatch(/^alpha\s+whale\s+\+00:00–\+00:10\s+0\.00%/m);
    expect(text).toContain('arbitrage leakage   30.00 quote (0.25× the no-market-maker run)');
    expect(text).toMatch(/^transfers\s+2 \(fees 1\.50\)$/m);
    // The market maker per venue: fees, realized, inventory, own depth, max inventory deviation.
    expect(text).toMatch(/^alpha\s+1\.00\s+2\.00\s+-7\.00\s+0\.000\s+150$/m);
    expect(text).toMatch(/^bravo\s+-\s+-\s+-\s+0\.000\s+-$/m);
    expect(text).toMatch(/cost of liquidity\s+5\.00 quote over 0\.000 \$M·day/);
    expect(text).toContain('kill-switch trips   1');
    expect(formatScorecard(none)).not.toContain('cost of liquidity');
  });
});

describe('seedStats', () => {
  // Three seeds: alpha swings ±ln 1.01, ±ln 1.03, ±ln 1.02 against ±ln 1.02 without a market maker,
  // kill-switch trips 1, 4, 2; uptime the same on every seed (a tie: the first seed is the worst).
  const none = buildScorecard({ ...input(1.02), economics: undefined });
  const runs = [
    { seed: 11, swing: 1.01, trips: 1 },
    { seed: 12, swing: 1.03, trips: 4 },
    { seed: 13, swing: 1.02, trips: 2 },
  ].map((r) => ({ seed: r.seed, card: buildScorecard({ ...input(r.swing), killSwitchTrips: r.trips }, none) }));
  const stats = Object.fromEntries(seedStats(runs).map((s) => [s.key, s]));

  it('gives the mean and the worst seed per figure, in its own direction', () => {
    expect(stats.killSwitchTrips).toMatchObject({ mean: 7 / 3, worst: 4, worstSeed: 12, seeds: 3 });
    const l = Math.log(1.02);
    expect(stats.excessVolRatio!.mean).toBeCloseTo((Math.log(1.01) / l + Math.log(1.03) / l + 1) / 3, 12);
    expect(stats.excessVolRatio).toMatchObject({ worstSeed: 12 });
    expect(stats.depthOkPct).toMatchObject({ worstSeed: 11 });
    expect(stats.worstVenueDepthOkPct).toMatchObject({ worst: 50, worstSeed: 11 });
    expect(stats.deepestDrawdownPct).toMatchObject({ worst: 0 });
    expect(seedStats([{ seed: 1, card: none }]).find((s) => s.key === 'costPerMDay')).toMatchObject({ mean: null, worstSeed: null, seeds: 0 });
  });

  it('prints them', () => {
    const text = formatSeedStats('ballast', seedStats(runs));
    expect(text).toContain('ballast over 3 seeds');
    expect(text).toMatch(/^kill-switch trips\s+2\.333\s+4\.000\s+12\s+3$/m);
  });
});
