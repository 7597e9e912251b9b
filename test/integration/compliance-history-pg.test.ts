// Compliance history in the ledger's PostgreSQL (migration 003, issue 12 item 3): the same rules as the
// memory store, on the real database, and GET /api/compliance/history over it.
import { buildApi } from '../../api/server';
import { MemoryLedgerStore } from '../../activities/ledger/memory-ledger';
import type { PgLedgerStore } from '../../activities/ledger/pg-ledger';
import { bandsFor, computeBookMetrics, evaluateCompliance } from '../../domain/compliance';
import { DAY_MS, sampleFromVerdict, type ComplianceSample } from '../../domain/compliance-history';
import { testConfig, testLogger } from './helpers';
import { openTestLedger } from './ledger-db';

const T0 = Date.UTC(2026, 11, 3, 9);
const S = 10_000;
let ledger: PgLedgerStore;
beforeAll(async () => {
  ledger = await openTestLedger('compliance_history');
});
afterAll(async () => ledger?.close());

const config = () => testConfig();
let cfg: ReturnType<typeof testConfig> | undefined;
function sample(venue: string, at: number, halfSpread: number): ComplianceSample {
  const req = (cfg ??= config()).venues.find((v) => v.id === venue)!.requirements;
  const book = { bids: [{ price: String(0.5 * (1 - halfSpread)), amount: '400000' }], asks: [{ price: String(0.5 * (1 + halfSpread)), amount: '400000' }] };
  const metrics = computeBookMetrics(book, bandsFor(req));
  return sampleFromVerdict(venue, at, 'sampler', metrics, '9000000', evaluateCompliance(metrics, '9000000', req));
}

describe('compliance history in PostgreSQL', () => {
  it('samples round-trip exactly, once per (venue, at, source); the summary equals the memory store\'s', async () => {
    // alpha: maxSpreadPct 1.0 → a 0.2 % spread complies, a 4 % one does not (the spread rule).
    const series = Array.from({ length: 30 }, (_, i) => sample('alpha', T0 + i * S, i >= 10 && i < 15 ? 0.02 : 0.001));
    expect(await ledger.recordComplianceSamples(series)).toBe(30);
    expect(await ledger.recordComplianceSamples(series.slice(0, 5))).toBe(0);
    expect(await ledger.complianceSamples('alpha', T0, T0 + 30 * S)).toEqual(series);
    const memory = new MemoryLedgerStore();
    await memory.recordComplianceSamples(series);
    const pg = await ledger.complianceSummary('alpha', T0, T0 + 30 * S, S);
    expect(pg).toEqual(await memory.complianceSummary('alpha', T0, T0 + 30 * S, S));
    expect(pg).toMatchObject({ samples: 30, compliantSamples: 25, spreadUptimeRatio: 25 / 30, breaches: [{ from: T0 + 10 * S, to: T0 + 15 * S, failed: ['spread'], open: false }] });
  });

  it('with gaps and many breaches (seeded), the SQL-selected summary equals the memory store\'s over every point', async () => {
    let seed = 7;
    const rnd = () => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
    const base = T0 + DAY_MS;
    const series: ComplianceSample[] = [];
    let at = base;
    for (let i = 0; i < 2_000; i++) {
      at += rnd() < 0.03 ? S * (4 + Math.floor(rnd() * 20)) : S; // sampling gaps (unknown)
      const wide = rnd() < (series.at(-1)?.compliant === false ? 0.8 : 0.05); // breaches in runs
      series.push(sample('charlie', at, wide ? 0.05 : 0.001));
    }
    await ledger.recordComplianceSamples(series);
    const memory = new MemoryLedgerStore();
    await memory.recordComplianceSamples(series);
    for (const [from, to] of [[base, at + S], [base + 500 * S, base + 9_000 * S], [at, at + S]] as const) {
      const pg = await ledger.complianceSummary('charlie', from, to, S);
      expect(pg).toEqual(await memory.complianceSummary('charlie', from, to, S));
    }
    const whole = await ledger.complianceSummary('charlie', base, at + S, S);
    expect(whole.breaches.length).toBeGreaterThan(10);
    expect(whole.coverageRatio).toBeLessThan(1);
  });

  it('checks, daily volumes (newest read of a day wins), alerts (one of record per key), pruning', async () => {
    const check = { id: 'cc-1:run', venue: 'bravo', at: T0, compliant: false, checks: [{ name: 'spread', required: '<= 0.5%', actual: '0.9%', ok: false }], windows: { a: 1 }, windowsOk: true };
    expect(await ledger.recordComplianceCheck(check)).toEqual({ created: true });
    expect(await ledger.recordComplianceCheck({ ...check, compliant: true })).toEqual({ created: false });
    expect(await ledger.complianceChecks('bravo', T0, T0 + 1)).toEqual([check]);

    await ledger.recordDailyVolume('bravo', { day: '2026-12-02', volume24hQuote: '100.5', at: T0 - DAY_MS + 5 });
    await ledger.recordDailyVolume('bravo', { day: '2026-12-02', volume24hQuote: '90', at: T0 - DAY_MS });
    await ledger.recordDailyVolume('bravo', { day: '2026-12-02', volume24hQuote: '120.25', at: T0 - DAY_MS + 9 });
    expect(await ledger.dailyVolumes('bravo', '2026-11-01')).toEqual([{ day: '2026-12-02', volume24hQuote: '120.25', at: T0 - DAY_MS + 9 }]);

    const key = { venue: 'bravo', rule: 'spread', breachId: 'b-1', kind: 'raised' as const };
    const [a, b] = await Promise.all([ledger.claimAlert(key, T0, 'one'), ledger.claimAlert(key, T0 + 1, 'two')]);
    expect([a.created, b.created].sort()).toEqual([false, true]);
    await ledger.markAlertSent(key, T0 + 2);
    await ledger.markAlertSent(key, T0 + 3);
    expect((await ledger.alerts('bravo')).map((x) => ({ kind: x.kind, sentAt: x.sentAt }))).toEqual([{ kind: 'raised', sentAt: T0 + 2 }]);

    await ledger.recordComplianceSamples([sample('bravo', T0 - 9 * DAY_MS, 0.001), sample('bravo', T0, 0.001)]);
    expect(await ledger.pruneComplianceHistory(T0 - 8 * DAY_MS, '2026-12-01')).toBe(1);
    expect((await ledger.complianceSamples('bravo', 0, T0 + 1)).map((s) => s.at)).toEqual([T0]);
  });

  it('GET /api/compliance/history: uptime and the breach interval over 24 h; 400 on a bad query, 404 on an unknown venue', async () => {
    const now = T0 + 30 * S;
    const app = buildApi({ config: config(), logger: testLogger, compliance: ledger });
    try {
      const r = await app.inject({ method: 'GET', url: `/api/compliance/history?venue=alpha&window=24h&to=${now}` });
      expect(r.statusCode).toBe(200);
      expect(r.json()).toMatchObject({ window: '24h', venue: 'alpha', fromMs: now - DAY_MS, toMs: now, samples: 30, compliantSamples: 25, breaches: [{ from: T0 + 10 * S, to: T0 + 15 * S, failed: ['spread'] }] });
      expect(r.json().uptimeRatio).toBeLessThan(1);
      const w7 = await app.inject({ method: 'GET', url: `/api/compliance/history?venue=alpha&window=7d&to=${now}` });
      expect(w7.json()).toMatchObject({ window: '7d', fromMs: now - 7 * DAY_MS, samples: 30 });
      const bad = await app.inject({ method: 'GET', url: '/api/compliance/history?venue=alpha&window=3d' });
      expect(bad.statusCode).toBe(400);
      expect(JSON.stringify(bad.json())).toContain('window');
      expect((await app.inject({ method: 'GET', url: '/api/compliance/history?venue=zulu' })).statusCode).toBe(404);
    } finally {
      await app.close();
    }
    const noStore = buildApi({ config: config(), logger: testLogger });
    expect((await noStore.inject({ method: 'GET', url: '/api/compliance/history?venue=alpha' })).statusCode).toBe(503);
    await noStore.close();
  });
});
