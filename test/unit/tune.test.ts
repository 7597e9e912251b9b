// The tuner's pure parts: the objective, the seed split, coordinate descent on a known landscape,
// and writing the chosen overrides into the config without losing its comments.
import { readFileSync } from 'node:fs';
import { DEFAULT_CONFIG_PATH, parseConfig } from '../../config/load';
import { withVenueQuoting } from '../../config/write-quoting';
import { parse } from 'yaml';
import { better, summarize, tune, worstUptime, type Evaluate } from '../../sim/backtest/tune';

describe('objective', () => {
  it('worst uptime ignores missing requirements; mean over seeds', () => {
    expect(worstUptime({ venue: 'a', spreadOkPct: 99, depthBidOkPct: 97, depthAskOkPct: null, costPerMillionDay: 1 })).toBe(97);
    const s = summarize(
      [
        [{ venue: 'a', spreadOkPct: 100, depthBidOkPct: 98, depthAskOkPct: 100, costPerMillionDay: 10 }],
        [{ venue: 'a', spreadOkPct: 96, depthBidOkPct: 100, depthAskOkPct: 100, costPerMillionDay: 30 }],
      ],
      ['a'],
    );
    expect(s.a).toEqual({ uptimePct: 97, costPerMillionDay: 20 });
  });

  it('uptime first up to the 99.9 % goal, then cost', () => {
    expect(better({ uptimePct: 99, costPerMillionDay: 100 }, { uptimePct: 98, costPerMillionDay: 1 })).toBe(true);
    expect(better({ uptimePct: 99.95, costPerMillionDay: 100 }, { uptimePct: 100, costPerMillionDay: 50 })).toBe(false);
    expect(better({ uptimePct: 100, costPerMillionDay: 50 }, { uptimePct: 99.95, costPerMillionDay: 100 })).toBe(true);
    expect(better({ uptimePct: 100, costPerMillionDay: null }, { uptimePct: 100, costPerMillionDay: 100 })).toBe(false);
  });

  it('between equal uptimes, excess vol lower by more than 2 % wins before cost; within 2 %, cost decides', () => {
    const a = { uptimePct: 100, costPerMillionDay: 500, excessVolPerStep: 0.002 };
    expect(better(a, { uptimePct: 100, costPerMillionDay: 100, excessVolPerStep: 0.0021 })).toBe(true);
    expect(better({ ...a, excessVolPerStep: 0.00209 }, { uptimePct: 100, costPerMillionDay: 100, excessVolPerStep: 0.0021 })).toBe(false);
    expect(better({ ...a, costPerMillionDay: 50, excessVolPerStep: 0.00209 }, { uptimePct: 100, costPerMillionDay: 100, excessVolPerStep: 0.0021 })).toBe(true);
    // Uptime still comes first.
    expect(better({ ...a, uptimePct: 99 }, { uptimePct: 99.5, costPerMillionDay: 100, excessVolPerStep: 0.01 })).toBe(false);
    expect(summarize([[{ venue: 'a', spreadOkPct: 100, depthBidOkPct: 100, depthAskOkPct: 100, costPerMillionDay: 1, excessVolPerStep: 0.001 }], [{ venue: 'a', spreadOkPct: 100, depthBidOkPct: 100, depthAskOkPct: 100, costPerMillionDay: 1, excessVolPerStep: 0.003 }]], ['a']).a!.excessVolPerStep).toBeCloseTo(0.002, 12);
  });
});

describe('tune', () => {
  // A landscape with a known optimum per venue: uptime peaks at depthMargin 1.5 for a, 1.25 for b;
  // cost grows with the margin and falls with the half-spread.
  const evaluate: Evaluate = async (o, seed) =>
    ['a', 'b'].map((venue) => {
      const m = Number(o[venue]?.depthMargin ?? '1.1');
      const h = Number(o[venue]?.halfSpreadPct ?? '0.2');
      const want = venue === 'a' ? 1.5 : 1.25;
      const up = m >= want ? 100 : 100 - (want - m) * 20 - (seed % 2);
      return { venue, spreadOkPct: 100, depthBidOkPct: up, depthAskOkPct: up, costPerMillionDay: 1000 * m - 100 * h };
    });

  it('finds each venue its own best and reports on held-out seeds only', async () => {
    const seen: number[] = [];
    const r = await tune(async (o, s) => (seen.push(s), evaluate(o, s)), {
      venues: ['a', 'b'],
      start: {},
      trainSeeds: [1, 2],
      testSeeds: [7],
      space: { depthMargin: ['1.1', '1.25', '1.5', '2'], halfSpreadPct: ['0.1', '0.35'] },
    });
    expect(r.chosen.a).toEqual({ depthMargin: '1.5', halfSpreadPct: '0.35' });
    expect(r.chosen.b).toEqual({ depthMargin: '1.25', halfSpreadPct: '0.35' });
    expect(r.test.a!.uptimePct).toBe(100);
    expect(r.testStart.a!.uptimePct).toBeLessThan(100);
    // Held-out seed 7 is used only after the search: the last two evaluations.
    expect(seen.slice(0, -2).every((s) => s === 1 || s === 2)).toBe(true);
    expect(seen.slice(-2)).toEqual([7, 7]);
    expect(r.runs).toBe(seen.length);
  });

  it('refuses overlapping seed sets', async () => {
    await expect(tune(evaluate, { venues: ['a'], start: {}, trainSeeds: [1, 2], testSeeds: [2] })).rejects.toThrow(/must not overlap/);
  });
});

describe('writing the chosen parameters into the config', () => {
  const text = readFileSync(DEFAULT_CONFIG_PATH, 'utf8');

  it('sets venues[].quoting, keeps comments, and the result loads', () => {
    const out = withVenueQuoting(text, { bravo: { halfSpreadPct: '0.1', depthMargin: '1.25', orderLevels: 6 } });
    expect(out).toContain('# Ballast demo: three simulated centralized exchanges');
    expect(out).toMatch(/quoting: \{ halfSpreadPct: "0\.1", depthMargin: "1\.25", orderLevels: 6 \}/);
    const cfg = parseConfig(parse(out));
    expect(cfg.venues.find((v) => v.id === 'bravo')!.quoting).toEqual({ halfSpreadPct: '0.1', depthMargin: '1.25', orderLevels: 6 });
  });

  it('refuses an unknown venue and an invalid value', () => {
    expect(() => withVenueQuoting(text, { delta: { orderLevels: 3 } })).toThrow(/no venue with id delta/);
    expect(() => withVenueQuoting(text, { alpha: { depthMargin: '9' } })).toThrow(/venues\[0\]\.quoting\.depthMargin/);
  });
});
