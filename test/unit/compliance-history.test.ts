// Compliance over time (issue 12, item 3): breach intervals, rolling windows like exchanges' rules,
// ADV 15 d, and the memory store's summary (the same domain function the PostgreSQL store uses).
import { MemoryLedgerStore } from '../../activities/ledger/memory-ledger';
import { computeBookMetrics, evaluateCompliance, bandsFor, type VenueRequirements } from '../../domain/compliance';
import {
  averageDailyVolume,
  breachIntervals,
  DAY_MS,
  depthUptimeByBand,
  durationMs,
  evaluateWindows,
  sampleFromVerdict,
  summarizeCompliance,
  type ComplianceSample,
  type SamplePoint,
} from '../../domain/compliance-history';

const T0 = Date.UTC(2026, 11, 3, 0, 0, 0);
const S = 10_000;
const ok = (at: number): SamplePoint => ({ at, compliant: true, spreadOk: true, depthOk: true, failed: [] });
const bad = (at: number, failed: SamplePoint['failed'] = ['spread']): SamplePoint => ({ at, compliant: false, spreadOk: !failed.includes('spread'), depthOk: !failed.includes('depth'), failed });

const req: VenueRequirements = { maxSpreadPct: '1', minDepthQuote: '1000', depthBandPct: '2', minVolume24hQuote: '5000' };
const book = (halfSpread: number, amount: string) => ({
  bids: [{ price: String(1 - halfSpread), amount }],
  asks: [{ price: String(1 + halfSpread), amount }],
});
function sample(at: number, halfSpread: number, amount: string, volume = '6000'): ComplianceSample {
  const metrics = computeBookMetrics(book(halfSpread, amount), bandsFor(req));
  return sampleFromVerdict('alpha', at, 'sampler', metrics, volume, evaluateCompliance(metrics, volume, req));
}

describe('durationMs', () => {
  it('reads the config durations', () => {
    expect([durationMs('10s'), durationMs('5m'), durationMs('8d'), durationMs('250ms')]).toEqual([10_000, 300_000, 8 * DAY_MS, 250]);
    expect(() => durationMs('ten')).toThrow('not a duration');
  });
});

describe('sampleFromVerdict: the check\'s own verdict, as a sample', () => {
  it('names the failed rule: a wide spread fails spread only, a thin book fails depth only', () => {
    const wide = sample(T0, 0.02, '2000');
    expect(wide).toMatchObject({ compliant: false, spreadOk: false, depthOk: true, volumeOk: true, failed: ['spread'], spreadPct: '4' });
    const thin = sample(T0, 0.001, '10');
    expect(thin).toMatchObject({ compliant: false, spreadOk: true, depthOk: false, failed: ['depth'] });
    expect(sample(T0, 0.001, '2000')).toMatchObject({ compliant: true, failed: [] });
    expect(sample(T0, 0.001, '2000', '10')).toMatchObject({ compliant: false, volumeOk: false, failed: ['volume24h'] });
  });
  it('an empty book is a book failure, not compliant', () => {
    const metrics = computeBookMetrics({ bids: [], asks: [] }, bandsFor(req));
    const s = sampleFromVerdict('alpha', T0, 'sampler', metrics, '6000', evaluateCompliance(metrics, '6000', req));
    expect(s).toMatchObject({ bookOk: false, spreadOk: false, depthOk: false, compliant: false, failed: ['book'], depth: [] });
    expect(s.spreadPct).toBeUndefined();
  });
});

describe('breachIntervals', () => {
  it('merges consecutive non-compliant samples and unions their failed rules', () => {
    const pts = [ok(T0), bad(T0 + S), bad(T0 + 2 * S, ['depth']), ok(T0 + 3 * S), bad(T0 + 4 * S)];
    expect(breachIntervals(pts, { sampleEveryMs: S, toMs: T0 + 10 * S })).toEqual([
      { from: T0 + S, to: T0 + 3 * S, failed: ['spread', 'depth'], open: false },
      { from: T0 + 4 * S, to: T0 + 5 * S, failed: ['spread'], open: true },
    ]);
  });
  it('a gap in sampling (unknown) ends a breach: it never spans time nobody measured', () => {
    const pts = [bad(T0), bad(T0 + S), bad(T0 + 100 * S), ok(T0 + 101 * S)];
    expect(breachIntervals(pts, { sampleEveryMs: S, toMs: T0 + 200 * S })).toEqual([
      { from: T0, to: T0 + 2 * S, failed: ['spread'], open: false },
      { from: T0 + 100 * S, to: T0 + 101 * S, failed: ['spread'], open: false },
    ]);
  });
  it('the non-compliant samples with the sample after each give the same intervals as every sample (what the PostgreSQL store selects)', () => {
    let seed = 3;
    const rnd = () => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
    for (let run = 0; run < 50; run++) {
      const pts: SamplePoint[] = [];
      let at = T0;
      for (let i = 0; i < 300; i++) {
        at += rnd() < 0.05 ? S * (2 + Math.floor(rnd() * 8)) : S;
        pts.push(rnd() < (pts.at(-1)?.compliant === false ? 0.7 : 0.1) ? bad(at, rnd() < 0.5 ? ['spread'] : ['depth']) : ok(at));
      }
      const reduced = pts.filter((p, i) => !p.compliant || pts[i - 1]?.compliant === false);
      const o = { sampleEveryMs: S, toMs: at + S };
      expect(breachIntervals(reduced, o)).toEqual(breachIntervals(pts, o));
    }
  });
  it('the last slot is cut at the window end', () => {
    expect(breachIntervals([bad(T0)], { sampleEveryMs: S, toMs: T0 + 1_000 })).toEqual([{ from: T0, to: T0 + 1_000, failed: ['spread'], open: true }]);
  });
});

describe('summarizeCompliance', () => {
  it('uptime over samples; gaps are unknown (coverage), never compliant', () => {
    // A 100-slot window with 10 samples, 8 compliant: uptime 0.8, coverage 0.1.
    const pts = [...Array.from({ length: 8 }, (_, i) => ok(T0 + i * S)), bad(T0 + 8 * S, ['depth']), bad(T0 + 9 * S, ['depth'])];
    const s = summarizeCompliance('alpha', pts, { fromMs: T0, toMs: T0 + 100 * S, sampleEveryMs: S });
    expect(s).toMatchObject({ samples: 10, compliantSamples: 8, uptimeRatio: 0.8, spreadUptimeRatio: 1, depthUptimeRatio: 0.8, coverageRatio: 0.1 });
    expect(s.breaches).toEqual([{ from: T0 + 8 * S, to: T0 + 10 * S, failed: ['depth'], open: true }]);
  });
  it('no samples: ratios are null, not 0 or 1', () => {
    expect(summarizeCompliance('alpha', [], { fromMs: T0, toMs: T0 + DAY_MS, sampleEveryMs: S })).toMatchObject({ samples: 0, uptimeRatio: null, spreadUptimeRatio: null, coverageRatio: 0, breaches: [] });
  });
});

describe('rolling windows like exchanges\' rules', () => {
  it('average daily volume over the 15 complete UTC days before now (today excluded, missing days not zero)', () => {
    const now = T0 + 12 * 3_600_000;
    const daily = [
      { day: '2026-12-03', volume24hQuote: '1000000', at: now }, // today: not over
      { day: '2026-12-02', volume24hQuote: '100', at: T0 - 1 },
      { day: '2026-12-01', volume24hQuote: '300', at: T0 - DAY_MS - 1 },
      { day: '2026-11-10', volume24hQuote: '999999', at: T0 - 23 * DAY_MS }, // outside 15 d
    ];
    expect(averageDailyVolume(daily, now)).toEqual({ advQuote: '200', daysCovered: 2, daysMissing: 13 });
    expect(averageDailyVolume([], now)).toEqual({ advQuote: null, daysCovered: 0, daysMissing: 15 });
  });
  it('depth uptime per band: share of samples whose thinner side met the requirement in that band', () => {
    // Levels at ±1.5 %: outside the ±1 % band, inside ±2 % and ±5 %.
    const s1 = sample(T0, 0.015, '2000');
    const s2 = sample(T0 + S, 0.015, '10');
    expect(depthUptimeByBand([s1, s2], req.minDepthQuote)).toEqual([
      { pct: '1', ratio: 0 },
      { pct: '2', ratio: 0.5 },
      { pct: '5', ratio: 0.5 },
    ]);
  });
  it('evaluateWindows: % of 10-second samples within the spread vs minSpreadUptimePct, depth uptime, ADV 15 d', () => {
    const pts = [...Array.from({ length: 94 }, (_, i) => ok(T0 + i * S)), ...Array.from({ length: 6 }, (_, i) => bad(T0 + (94 + i) * S))];
    const last24h = summarizeCompliance('alpha', pts, { fromMs: T0, toMs: T0 + DAY_MS, sampleEveryMs: S });
    const w = evaluateWindows(
      { venue: 'alpha', asOf: T0 + DAY_MS, last24h, last7d: last24h, depthUptimeByBand24h: [], adv15d: { advQuote: '4000', daysCovered: 3, daysMissing: 12 } },
      { ...req, minSpreadUptimePct: '95' },
    );
    expect(w.checks).toEqual([
      { name: 'spreadUptime24h', required: '>= 95%', actual: '94.00%', ok: false },
      { name: 'depthUptime24h', required: '>= 95% within ±2%', actual: '100.00%', ok: true },
      { name: 'adv15d', required: '>= 5000', actual: '4000 over 3 d', ok: false },
    ]);
    expect(w.compliant).toBe(false);
    const pass = evaluateWindows({ ...w, adv15d: { advQuote: '5000', daysCovered: 15, daysMissing: 0 } }, { ...req, minSpreadUptimePct: '94', minAdv15dQuote: '5000' });
    expect(pass.compliant).toBe(true);
  });
});

describe('MemoryLedgerStore as a compliance history store', () => {
  it('records samples once per (venue, at, source), summarizes the sampler series only, prunes', async () => {
    const store = new MemoryLedgerStore();
    const samples = [sample(T0, 0.001, '2000'), sample(T0 + S, 0.02, '2000'), sample(T0 + 2 * S, 0.001, '2000')];
    expect(await store.recordComplianceSamples(samples)).toBe(3);
    expect(await store.recordComplianceSamples(samples)).toBe(0);
    await store.recordComplianceSamples([{ ...sample(T0 + S, 0.001, '2000'), source: 'check' }]);
    const sum = await store.complianceSummary('alpha', T0, T0 + 3 * S, S);
    expect(sum).toMatchObject({ samples: 3, compliantSamples: 2, uptimeRatio: 2 / 3, breaches: [{ from: T0 + S, to: T0 + 2 * S, failed: ['spread'], open: false }] });
    expect(await store.pruneComplianceHistory(T0 + S, '2026-01-01')).toBe(1);
    expect((await store.complianceSamples('alpha', 0, T0 + DAY_MS)).map((s) => s.at)).toEqual([T0 + S, T0 + S, T0 + 2 * S]);
  });
  it('claimAlert: one alert of record per (venue, rule, breach, kind)', async () => {
    const store = new MemoryLedgerStore();
    const key = { venue: 'alpha', rule: 'spread', breachId: 'b1', kind: 'raised' as const };
    expect((await store.claimAlert(key, T0, 'x')).created).toBe(true);
    await store.markAlertSent(key, T0 + 1);
    const again = await store.claimAlert(key, T0 + 5, 'y');
    expect(again).toEqual({ created: false, alert: { ...key, at: T0, text: 'x', sentAt: T0 + 1 } });
    expect((await store.claimAlert({ ...key, kind: 'resolved' }, T0 + 9, 'z')).created).toBe(true);
  });
});
