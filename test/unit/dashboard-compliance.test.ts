// The dashboard's compliance figures are the compliance history's own summaries (24 h and 7 d uptime,
// the 7 d breach intervals), read from the store the API serves GET /api/compliance/history from.
import { complianceHistoryForDashboard } from '../../api/dashboard/compliance-source';
import { MemoryLedgerStore } from '../../activities/ledger/memory-ledger';
import { loadConfig } from '../../config/load';
import type { ComplianceSample } from '../../domain/compliance-history';

const config = loadConfig('config/demo.yaml');
const NOW = Date.parse('2026-12-03T12:00:00Z');
const sample = (at: number, compliant: boolean, failed: ComplianceSample['failed'] = []): ComplianceSample => ({
  venue: 'alpha',
  at,
  source: 'sampler',
  bookOk: true,
  spreadPct: '0.4',
  spreadOk: !failed.includes('spread'),
  depth: [],
  depthOk: !failed.includes('depth'),
  volume24hQuote: '1000',
  volumeOk: true,
  compliant,
  failed,
});

describe('complianceHistoryForDashboard', () => {
  it('per venue: the store’s 24 h and 7 d uptime and the 7 d breaches, an open breach without an end', async () => {
    const store = new MemoryLedgerStore();
    const samples: ComplianceSample[] = [];
    // Two days ago: 30 compliant samples then 10 breaching ones (closed); the last hour: 20 compliant, then 5 breaching (open).
    const old = NOW - 2 * 86_400_000;
    for (let i = 0; i < 40; i++) samples.push(sample(old + i * 10_000, i < 30, i < 30 ? [] : ['depth']));
    for (let i = 0; i < 25; i++) samples.push(sample(NOW - 250_000 + i * 10_000, i < 20, i < 20 ? [] : ['spread']));
    await store.recordComplianceSamples(samples);
    const read = complianceHistoryForDashboard(config, store);
    const out = await read(NOW);
    expect(Object.keys(out).sort()).toEqual(['alpha', 'bravo', 'charlie', 'uniswap']);
    const day = await store.complianceSummary('alpha', NOW - 86_400_000, NOW, 10_000);
    const week = await store.complianceSummary('alpha', NOW - 7 * 86_400_000, NOW, 10_000);
    expect(out.alpha!.uptime24h).toBe(day.uptimeRatio);
    expect(out.alpha!.uptime7d).toBe(week.uptimeRatio);
    expect(out.alpha!.spreadUptime24h).toBe(day.spreadUptimeRatio);
    expect(out.alpha!.depthUptime24h).toBe(day.depthUptimeRatio);
    // The last hour's 5 breaching samples failed the spread rule only.
    expect(out.alpha!.spreadUptime24h).toBeCloseTo(20 / 25, 12);
    expect(out.alpha!.depthUptime24h).toBe(1);
    expect(out.alpha!.uptime24h).toBeCloseTo(20 / 25, 12);
    expect(out.alpha!.uptime7d).toBeCloseTo(50 / 65, 12);
    expect(out.alpha!.breaches).toEqual([
      { from: new Date(old + 300_000).toISOString(), to: new Date(old + 400_000).toISOString(), failed: ['depth'] },
      { from: new Date(NOW - 50_000).toISOString(), to: null, failed: ['spread'] },
    ]);
    // No samples: unknown, not 100 %.
    expect(out.bravo).toEqual({ uptime24h: null, uptime7d: null, spreadUptime24h: null, depthUptime24h: null, breaches: [] });
  });
});
