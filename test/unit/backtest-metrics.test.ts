import { decomposePnl, impliedPoolBook, realizedVolAnnual, timeFraction, timeWeightedMean, type MmFill } from '../../sim/backtest/metrics';
import { summarizeSeeds, type MetricRow } from '../../sim/backtest/aggregate';
import { constantProductImpliedBook } from '../../domain/amm-depth';
import { computeBookMetrics } from '../../domain/compliance';
import { withinBand } from '../../hotpath/book-band';
import { decisionTimeline, escapeHtml, fmtCell, lineChart } from '../../sim/backtest/report-html';
import { progressBar } from '../../sim/backtest/run-backtest';
import { SECONDS_PER_YEAR } from '../../domain/signals/volatility';

describe('timeWeightedMean', () => {
  it('weights each sample by how long it holds, the last until the end', () => {
    // 1 for 10 s, 3 for 30 s, 2 for 60 s → (10 + 90 + 120) / 100 = 2.2
    const xs = [
      { t: 0, v: 1 },
      { t: 10, v: 3 },
      { t: 40, v: 2 },
    ];
    expect(timeWeightedMean(xs, 100)).toBeCloseTo(2.2, 12);
  });

  it('leaves out null samples (one-sided books) and their time', () => {
    // 1 for 10 s, null for 30 s, 4 for 10 s → (10 + 40) / 20 = 2.5
    expect(
      timeWeightedMean(
        [
          { t: 0, v: 1 },
          { t: 10, v: null },
          { t: 40, v: 4 },
        ],
        50,
      ),
    ).toBeCloseTo(2.5, 12);
  });

  it('is null without any weighted sample', () => {
    expect(timeWeightedMean([], 10)).toBeNull();
    expect(timeWeightedMean([{ t: 0, v: null }], 10)).toBeNull();
  });
});

describe('timeFraction', () => {
  it('is the share of time the condition held', () => {
    // ok for [0,10) and [40,100): 70 of 100
    const xs = [
      { t: 0, ok: true },
      { t: 10, ok: false },
      { t: 40, ok: true },
    ];
    expect(timeFraction(xs, 100)).toBeCloseTo(0.7, 12);
  });

  it('counts from the first sample, not from zero', () => {
    expect(
      timeFraction(
        [
          { t: 50, ok: false },
          { t: 75, ok: true },
        ],
        100,
      ),
    ).toBeCloseTo(0.5, 12);
    expect(timeFraction([], 100)).toBeNull();
  });

  it('leaves outage samples out of both the ok time and the counted time', () => {
    // ok [0,10), outage [10,60) (not ok, not counted), not ok [60,100): 10 of 50 counted.
    const xs = [
      { t: 0, ok: true },
      { t: 10, ok: false, counted: false },
      { t: 60, ok: false },
    ];
    expect(timeFraction(xs, 100)).toBeCloseTo(0.2, 12);
    expect(timeFraction([{ t: 0, ok: true, counted: false }], 100)).toBeNull();
  });
});

describe('recorder books', () => {
  it("the pool's implied book in floats is domain/amm-depth's to 10 significant digits", () => {
    const exact = constantProductImpliedBook({ reserveBase: '4000000', reserveQuote: '2000000', fee: '0.003', levels: 40, stepPct: '0.05' });
    const fast = impliedPoolBook(4_000_000, 2_000_000, 0.003, 40, 0.0005);
    for (const side of ['bids', 'asks'] as const) {
      expect(fast[side]).toHaveLength(exact[side].length);
      fast[side].forEach((l, i) => {
        expect(Number(l.price) / Number(exact[side][i]!.price)).toBeCloseTo(1, 10);
        expect(Number(l.amount) / Number(exact[side][i]!.amount)).toBeCloseTo(1, 8);
      });
    }
  });

  it('cutting a book to the band changes no compliance figure of that band', () => {
    const lv = (p: number, a: number) => ({ price: p.toFixed(4), amount: String(a) });
    const book = {
      bids: [lv(0.499, 100), lv(0.495, 300), lv(0.49, 500), lv(0.4891, 700), lv(0.489, 900), lv(0.45, 5000)],
      asks: [lv(0.501, 100), lv(0.505, 300), lv(0.51, 500), lv(0.5109, 700), lv(0.511, 900), lv(0.55, 5000)],
    };
    // mid 0.5: ±2 % is [0.49, 0.51]; 0.4891 / 0.5109 are just beyond it and must still not count.
    expect(computeBookMetrics(withinBand(book, 0.02), ['2'])).toEqual(computeBookMetrics(book, ['2']));
    expect(withinBand(book, 0.02).bids).toHaveLength(3);
  });
});

describe('summarizeSeeds', () => {
  const row = (venue: string, depthOkPct: number, volRatio: number): MetricRow => ({ venue, depthOkPct, volRatio }) as unknown as MetricRow;
  it('gives the mean and the worst seed per metric, in the right direction', () => {
    const runs = [
      { seed: 1, rows: [row('a', 90, 0.5)], overall: row('overall', 90, 0.5) },
      { seed: 2, rows: [row('a', 80, 0.7)], overall: row('overall', 80, 0.7) },
      { seed: 3, rows: [row('a', 100, 0.3)], overall: row('overall', 100, 0.3) },
    ];
    const [a] = summarizeSeeds(runs);
    expect(a!.mean['depthOkPct']).toBeCloseTo(90, 12);
    expect(a!.worst['depthOkPct']).toEqual({ value: 80, seed: 2 });
    expect(a!.worst['volRatio']).toEqual({ value: 0.7, seed: 2 });
    expect(a!.mean['volRatio']).toBeCloseTo(0.5, 12);
  });
});

describe('realizedVolAnnual', () => {
  it('is sqrt(Σ r² / elapsed s × seconds per year)', () => {
    // returns ln(1.01) and ln(1/1.01) over 2 s: variance per s = 2·ln(1.01)² / 2 = ln(1.01)²
    const pts = [
      { t: 0, price: 100 },
      { t: 1000, price: 101 },
      { t: 2000, price: 100 },
    ];
    expect(realizedVolAnnual(pts)).toBeCloseTo(Math.log(1.01) * Math.sqrt(SECONDS_PER_YEAR), 9);
  });

  it('is null with fewer than two points', () => {
    expect(realizedVolAnnual([{ t: 0, price: 1 }])).toBeNull();
  });
});

describe('decomposePnl', () => {
  const fill = (side: 'buy' | 'sell', price: string, amount: string, feeQuote: string, mark: string): MmFill => ({ t: 0, side, price, amount, feeQuote, mark });

  it('splits total PnL into spread capture net of fees and inventory PnL', () => {
    // Start 100 base + 1000 quote at F=10. Buy 10 @ 9.9 (F=10, fee 0.1), sell 10 @ 10.6 (F=10.5, fee 0.2).
    // End: base 100, quote 1000 − 99 − 0.1 + 106 − 0.2 = 1006.7; F_end = 11.
    // total = 6.7 + 100·11 − 100·10 = 106.7
    // realized = 10·(10 − 9.9) − 0.1 + 10·(10.6 − 10.5) − 0.2 = 1 − 0.1 + 1 − 0.2 = 1.7
    // inventory = Σ base × ΔF: 110 base while F 10 → 10.5 (+55), then 100 while 10.5 → 11 (+50) = 105 = total − realized.
    const p = decomposePnl({
      base0: '100',
      quote0: '1000',
      base1: '100',
      quote1: '1006.7',
      mark0: '10',
      mark1: '11',
      fills: [fill('buy', '9.9', '10', '0.1', '10'), fill('sell', '10.6', '10', '0.2', '10.5')],
    });
    expect(p.total.toString()).toBe('106.7');
    expect(p.realized.toString()).toBe('1.7');
    expect(p.inventory.toString()).toBe('105');
    expect(p.fees.toString()).toBe('0.3');
    expect(p.volumeQuote.toString()).toBe('205');
  });

  it('is all zero without a market maker', () => {
    const p = decomposePnl({ base0: 0, quote0: 0, base1: 0, quote1: 0, mark0: '1', mark1: '2', fills: [] });
    expect([p.total, p.realized, p.inventory, p.fees].map((x) => x.toString())).toEqual(['0', '0', '0', '0']);
  });
});

describe('report pieces', () => {
  it('draws a polyline per series and escapes names', () => {
    const svg = lineChart('a<b', [
      { name: 'x&y', points: [[0, 1], [3_600_000, 2]] },
      { name: 'z', points: [[0, 2], [3_600_000, 1]] },
    ]);
    expect(svg.startsWith('<svg')).toBe(true);
    expect(svg.match(/<polyline/g)).toHaveLength(2);
    expect(svg).toContain('a&lt;b');
    expect(svg).toContain('x&amp;y');
    expect(escapeHtml('"<&>')).toBe('&quot;&lt;&amp;&gt;');
  });

  it('formats cells', () => {
    expect(fmtCell(null)).toBe('—');
    expect(fmtCell(12345.6)).toBe('12346');
    expect(fmtCell(2.345)).toBe('2.35');
    expect(fmtCell(0.012345)).toBe('0.0123');
  });

  it('prints a progress line every 10 % when not on a TTY', () => {
    const lines: string[] = [];
    const bar = progressBar({ write: (s) => lines.push(s) > 0 });
    for (let i = 0; i <= 100; i++) bar(i / 100, 'none');
    expect(lines).toHaveLength(11);
    expect(lines[10]).toContain('100% none');
  });
});

describe('decision timeline', () => {
  const start = 1_000_000;
  const summary = { simulatedMs: 3_600_000 } as any;
  it('draws each imbalance episode and each decision, and tabulates trigger → action → outcome', () => {
    const html = decisionTimeline(
      {
        summary,
        imbalances: [
          { type: 'raised', venueId: 'bravo', kind: 'VENUE_UNHEALTHY', value: 1, at: start + 60_000 },
          { type: 'cleared', venueId: 'bravo', kind: 'VENUE_UNHEALTHY', value: 0, at: start + 1_260_000 },
          { type: 'raised', venueId: 'alpha', kind: 'INVENTORY_DRIFT', value: 30, at: start + 600_000 },
        ],
        decisions: [
          {
            id: 'venueRisk:BLST:1',
            kind: 'venueRisk',
            venue: 'bravo',
            reason: 'VENUE_UNHEALTHY on bravo',
            triggers: [{ venueId: 'bravo', kind: 'VENUE_UNHEALTHY', value: 1, raisedAt: start + 60_000, clearedAt: start + 1_260_000 }],
            startedAt: start + 120_000,
            finishedAt: start + 1_800_000,
            clearedAt: start + 1_260_000,
            status: 'completed',
            phase: 'resumed',
            transfers: [],
            summary: 'paused, 3 orders cancelled, evacuated',
          },
        ],
      },
      start,
    );
    // Two imbalance rows (the alpha episode never cleared: drawn to the end), one decision row.
    expect(html.match(/<rect /g)).toHaveLength(3);
    expect(html).toContain('bravo VENUE_UNHEALTHY');
    expect(html).toContain('alpha INVENTORY_DRIFT');
    expect(html).toMatch(/<td>2\.0<\/td><td class="l">bravo VENUE_UNHEALTHY 1 \(raised 1\.0\)<\/td><td>venueRisk bravo<\/td><td>completed<\/td><td>30\.0<\/td><td>21\.0<\/td><td class="l">paused, 3 orders cancelled, evacuated<\/td>/);
  });

  it('says so when nothing happened', () => {
    expect(decisionTimeline({ summary, imbalances: [], decisions: [] }, start)).toContain('No imbalance was raised');
  });
});
