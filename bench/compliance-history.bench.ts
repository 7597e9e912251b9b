// npm run bench -- compliance-history: what the compliance time series costs in the ledger's
// PostgreSQL — writing 7 days of 10-second samples for one venue, then complianceSummary over 24 h
// and 7 d (what GET /api/compliance/history and the dashboard ask for) — and the same summary in
// memory (the domain function alone). Prints numbers; asserts nothing about time.
import { performance } from 'node:perf_hooks';
import { MemoryLedgerStore } from '../activities/ledger/memory-ledger';
import { DAY_MS, type ComplianceSample } from '../domain/compliance-history';
import { startBenchLedger } from './bench-ledger';

const EVERY = 10_000;
const N = (7 * DAY_MS) / EVERY; // 60 480 samples
const T_END = Date.UTC(2026, 11, 3);
const T0 = T_END - 7 * DAY_MS;

function sample(i: number): ComplianceSample {
  // A breach of 5 minutes every 6 hours: realistic interval counts.
  const bad = i % 2160 < 30;
  const depth = ['1', '2', '5'].map((pct) => ({ pct, bidQuote: '25000.5', askQuote: '26000.25', minSideQuote: bad ? '1000' : '25000.5' }));
  return { venue: 'alpha', at: T0 + i * EVERY, source: 'sampler', bookOk: true, spreadPct: '0.2', spreadOk: true, depth, depthOk: !bad, volume24hQuote: '450000', volumeOk: true, compliant: !bad, failed: bad ? ['depth'] : [] };
}

async function main(): Promise<void> {
  const all = Array.from({ length: N }, (_, i) => sample(i));
  const pg = await startBenchLedger('compliance');
  try {
    let t = performance.now();
    for (let i = 0; i < N; i += 500) await pg.ledger.recordComplianceSamples(all.slice(i, i + 500));
    const writeMs = performance.now() - t;
    t = performance.now();
    await pg.ledger.recordComplianceSamples([sample(N)]);
    const oneMs = performance.now() - t;
    const timeIt = async (fn: () => Promise<unknown>, runs = 5) => {
      await fn();
      const ms: number[] = [];
      for (let i = 0; i < runs; i++) {
        const s = performance.now();
        await fn();
        ms.push(performance.now() - s);
      }
      return ms.sort((a, b) => a - b)[Math.floor(runs / 2)]!;
    };
    const s24 = await timeIt(() => pg.ledger.complianceSummary('alpha', T_END - DAY_MS, T_END, EVERY));
    const s7 = await timeIt(() => pg.ledger.complianceSummary('alpha', T0, T_END, EVERY));
    const summary7 = await pg.ledger.complianceSummary('alpha', T0, T_END, EVERY);
    const mem = new MemoryLedgerStore();
    await mem.recordComplianceSamples(all);
    const m7 = await timeIt(() => mem.complianceSummary('alpha', T0, T_END, EVERY));
    const line = (k: string, v: string) => process.stdout.write(`${k.padEnd(52)} ${v}\n`);
    process.stdout.write(`compliance history (${pg.describe}), one venue, ${N} samples = 7 d at 10 s\n`);
    line('write 7 d in batches of 500', `${(writeMs / 1000).toFixed(2)} s (${Math.round(N / (writeMs / 1000))} samples/s)`);
    line('write one sample (the sampler\'s per-tick insert)', `${oneMs.toFixed(2)} ms`);
    line('complianceSummary 24 h (8 640 rows), median of 5', `${s24.toFixed(1)} ms`);
    line('complianceSummary 7 d (60 480 rows), median of 5', `${s7.toFixed(1)} ms`);
    line('  in memory (domain summary alone), 7 d', `${m7.toFixed(1)} ms`);
    line('7 d result', `uptime ${summary7.uptimeRatio?.toFixed(4)}, ${summary7.breaches.length} breach intervals, coverage ${summary7.coverageRatio.toFixed(3)}`);
  } finally {
    await pg.stop();
  }
}

main().catch((e: unknown) => {
  process.stderr.write(`${(e as Error).stack ?? String(e)}\n`);
  process.exit(1);
});
