import { loadConfig, parseConfig } from '../../config/load';
import { ValidationError, parseOrThrow } from '../../domain/errors';
import { renderDailyReportHtml, renderReportIndexHtml } from '../../domain/report/daily-report-html';
import { buildDailyReport, complianceUptime, dailyReportWorkflowId, dayWindow, previousUtcDay, type ReportParts } from '../../domain/report/daily-report';
import { summarizeLedgerDay, type ReportLedgerEntry } from '../../domain/report/ledger-day';
import { summarizeFills } from '../../domain/report/realized-pnl';
import { DailyReportInputSchema } from '../../workflows/daily-report.workflow';
import { MemoryReportStore } from '../../activities/report-store';

const DATE = '2026-12-02';
const { fromMs, toMs } = dayWindow(DATE);
const at = (h: number) => fromMs + h * 3_600_000;

const entry = (e: Partial<ReportLedgerEntry> & Pick<ReportLedgerEntry, 'id' | 'kind' | 'workflowId'>): ReportLedgerEntry => ({ at: at(1), asset: 'BLST', amount: '0', amountUsd: '0', ...e });

const LEDGER: ReportLedgerEntry[] = [
  entry({ id: 't1:reservation', kind: 'reservation', workflowId: 'transfer:t1', amount: '1000', amountUsd: '500', from: 'alpha', to: 'venue:bravo', at: at(1) }),
  entry({ id: 't1:transfer', kind: 'transfer', workflowId: 'transfer:t1', amount: '1000', amountUsd: '500', from: 'alpha', to: 'venue:bravo', txHash: '0xabc', at: at(2) }),
  entry({ id: 't1:fee', kind: 'fee', workflowId: 'transfer:t1', amount: '2', amountUsd: '1', from: 'alpha', to: 'venue:bravo', at: at(2) }),
  entry({ id: 'w1:transfer', kind: 'transfer', workflowId: 'withdrawal:w1', amount: '300', amountUsd: '150', from: 'bravo', to: 'wallet:cold-wallet', at: at(3) }),
  entry({ id: 'r1:reversal', kind: 'reversal', workflowId: 'transfer:r1', amount: '0', amountUsd: '0', from: 'alpha', to: 'venue:bravo', at: at(4) }),
  entry({
    id: 'bb:execution',
    kind: 'execution',
    workflowId: 'buyback:BLST:x',
    amount: '5000',
    amountUsd: '2500',
    at: at(5),
    note: JSON.stringify({ kind: 'buyback', quote: '2505', averagePrice: '0.501', arrivalPrice: '0.5', shortfallQuote: '7.5', shortfallBps: 30, feesQuote: '2.5', stopReason: 'CLEARED', participation: { alpha: { base: '3000', pct: 12 }, bravo: { base: '2000', pct: 9 } } }),
  }),
  entry({ id: 'late:transfer', kind: 'transfer', workflowId: 'transfer:late', amount: '7', from: 'alpha', to: 'wallet:cold-wallet', at: toMs }),
];
// The reversed transfer's reservation was made the day before.
const RELATED = [entry({ id: 'r1:reservation', kind: 'reservation', workflowId: 'transfer:r1', amount: '40', amountUsd: '20', from: 'alpha', to: 'venue:bravo', at: fromMs - 60_000 })];
const EARLIER_WALLET = entry({ id: 'w0:transfer', kind: 'transfer', workflowId: 'withdrawal:w0', amount: '100', from: 'alpha', to: 'wallet:cold-wallet', at: fromMs - 86_400_000 });

describe('report dates and ids', () => {
  it('defaults to the UTC day before, and windows a day as [00:00, 24:00) UTC', () => {
    expect(previousUtcDay(Date.parse('2026-12-03T00:10:00Z'))).toBe('2026-12-02');
    expect(previousUtcDay(Date.parse('2026-01-01T23:59:59Z'))).toBe('2025-12-31');
    expect(dayWindow(DATE)).toEqual({ fromMs: Date.parse('2026-12-02T00:00:00Z'), toMs: Date.parse('2026-12-03T00:00:00Z') });
    expect(dailyReportWorkflowId('BLST', DATE)).toBe('daily-report:BLST:2026-12-02');
  });

  it('validates the workflow input and names the bad field', () => {
    expect(parseOrThrow(DailyReportInputSchema, {}, 'dailyReport input')).toEqual({ requester: 'schedule' });
    expect(parseOrThrow(DailyReportInputSchema, { date: DATE, requester: 'ops@desk' }, 'dailyReport input')).toEqual({ date: DATE, requester: 'ops@desk' });
    for (const [bad, field] of [
      [{ date: '2026-12-2' }, 'date'],
      [{ date: '2026-02-30' }, 'date'],
      [{ date: 20261202 }, 'date'],
      [{ requester: '' }, 'requester'],
      [{ asset: 'BLST' }, '(root)'],
    ] as const) {
      let err: unknown;
      try {
        parseOrThrow(DailyReportInputSchema, bad, 'dailyReport input');
      } catch (e) {
        err = e;
      }
      expect(err).toBeInstanceOf(ValidationError);
      expect((err as ValidationError).issues.map((i) => i.path)).toContain(field);
    }
  });
});

describe('reports config', () => {
  const demo = () => JSON.parse(JSON.stringify(loadConfig())) as Record<string, any>;

  it('schedules the demo at 00:10 UTC, and refuses a bad time naming the field', () => {
    expect(parseConfig(demo(), 'demo').reports).toEqual({ dailyAt: '00:10', paused: false });
    for (const dailyAt of ['24:00', '0:10', '00:60', 10]) {
      const raw = demo();
      raw.reports = { dailyAt };
      expect(() => parseConfig(raw, 'demo')).toThrow(/reports\.dailyAt/);
    }
    const unknown = demo();
    unknown.reports = { dailyAt: '01:00', every: '1d' };
    expect(() => parseConfig(unknown, 'demo')).toThrow(/reports/);
  });
});

describe('summarizeLedgerDay', () => {
  const day = summarizeLedgerDay({ fromMs, toMs }, LEDGER, RELATED, [EARLIER_WALLET, ...LEDGER]);

  it('lists the day\'s transfers with their outcome, fee, and the reservation amount of a reversed one', () => {
    expect(day.transfers).toEqual([
      { workflowId: 'transfer:t1', from: 'alpha', to: 'venue:bravo', asset: 'BLST', amount: '1000', amountUsd: '500', fee: '2', outcome: 'completed', at: new Date(at(2)).toISOString(), txHash: '0xabc' },
      { workflowId: 'withdrawal:w1', from: 'bravo', to: 'wallet:cold-wallet', asset: 'BLST', amount: '300', amountUsd: '150', fee: '0', outcome: 'completed', at: new Date(at(3)).toISOString() },
      { workflowId: 'transfer:r1', from: 'alpha', to: 'venue:bravo', asset: 'BLST', amount: '40', amountUsd: '20', fee: '0', outcome: 'reversed', at: new Date(at(4)).toISOString() },
    ]);
  });

  it('reads buybacks from their execution report, and books wallets up to the day\'s end only', () => {
    expect(day.executions).toEqual([
      expect.objectContaining({ workflowId: 'buyback:BLST:x', kind: 'buyback', filledBase: '5000', averagePrice: '0.501', shortfallQuote: '7.5', shortfallBps: 30, budgetUsedUsd: '2500', stopReason: 'CLEARED', perVenue: { alpha: '3000', bravo: '2000' } }),
    ]);
    expect(day.wallets).toEqual([{ wallet: 'cold-wallet', asset: 'BLST', netBooked: '400' }]);
  });

  it('keeps an execution whose note was cut (unparsable) with its amounts of record', () => {
    const cut = summarizeLedgerDay({ fromMs, toMs }, [entry({ id: 'l:execution', kind: 'execution', workflowId: 'liquidation:BLST:l', amount: '9', amountUsd: '4', note: '{"kind":"liquid' })]);
    expect(cut.executions[0]).toMatchObject({ kind: 'liquidation', filledBase: '9', budgetUsedUsd: '4', averagePrice: null, perVenue: {} });
  });
});

function parts(): ReportParts {
  const alphaFills = summarizeFills(
    [
      { tradeId: 'a1', side: 'buy', price: '0.5', amount: '100', fee: '0.05', feeAsset: 'USDT', timestamp: at(1) },
      { tradeId: 'a2', side: 'sell', price: '0.4', amount: '100', fee: '0.04', feeAsset: 'USDT', timestamp: at(2) },
    ],
    { base: 'BLST', quote: 'USDT' },
  );
  return {
    asset: 'BLST',
    quote: 'USDT',
    date: DATE,
    requester: 'ops<script>',
    workflowId: dailyReportWorkflowId('BLST', DATE),
    runId: 'run-1',
    generatedAtMs: toMs + 600_000,
    venues: [
      {
        id: 'alpha',
        kind: 'sim',
        market: 'BLST/USDT',
        compliance: complianceUptime({ samples: 8640, compliantSamples: 8208, uptimeRatio: 0.95, spreadUptimeRatio: 0.97, depthUptimeRatio: 0.96, coverageRatio: 1, breaches: [{ from: at(3), to: at(4), failed: ['depth'], open: false }] }),
        trading: { available: true, summary: alphaFills, market24hVolumeQuote: '123456.5' },
        inventory: { available: true, asOf: new Date(toMs).toISOString(), balances: [{ asset: 'BLST', free: '10', locked: '0', total: '10' }] },
      },
      {
        id: 'uniswap',
        kind: 'amm',
        market: 'BLST/USDC',
        compliance: { available: false, reason: 'no compliance sample recorded in the day' },
        trading: { available: false, reason: 'venue "uniswap" has no record of our trades <pool>', market24hVolumeQuote: null },
        inventory: { available: false, reason: 'no account adapter' },
      },
    ],
    ledger: summarizeLedgerDay({ fromMs, toMs }, LEDGER, RELATED, LEDGER),
    incidents: {
      venueRisk: [{ workflowId: 'coordinator:BLST:venueRisk:BLST:alpha:1', venue: 'alpha', status: 'COMPLETED', startTime: new Date(at(6)).toISOString(), closeTime: null }],
      imbalances: [{ venueId: 'alpha', kind: 'VENUE_UNHEALTHY', type: 'raised', at: new Date(at(6)).toISOString(), value: 40 }],
      killSwitchResets: [{ seq: 3, venueId: 'alpha', reason: 'feed back', requestedBy: 'ops@desk', at: null }],
      killSwitchTrips: [
        { seq: 1, scope: 'venue', venueId: 'alpha', reason: 'stale-data', detail: 'alpha book 61 s old', at: new Date(at(6)).toISOString() },
        { seq: 2, scope: 'all', venueId: null, reason: 'total-drawdown', detail: 'summed PnL -5001 < -5000', at: new Date(at(7)).toISOString() },
      ],
      modes: { alpha: { mode: 'paused', reason: 'venueRisk' } },
      coordinator: 'read',
    },
  };
}

describe('buildDailyReport', () => {
  it('puts each figure under its venue and totals the available ones', () => {
    const r = buildDailyReport(parts());
    expect(r.window).toEqual({ from: '2026-12-02T00:00:00.000Z', to: '2026-12-03T00:00:00.000Z' });
    expect(r.generatedAt).toBe('2026-12-03T00:10:00.000Z');
    const alpha = r.venues[0]!;
    expect(alpha.compliance).toMatchObject({ available: true, uptimePct: '95.00', coveragePct: '100.00', samples: 8640, breaches: [{ failed: ['depth'], open: false }] });
    expect(alpha.trading.available && alpha.trading.summary).toMatchObject({ realizedPnlQuote: '-10', feesQuote: '0.09', realizedLossQuote: '10.09', volumeQuote: '90' });
    expect(alpha.transfers).toEqual({ out: 1, in: 0, sentBase: '1000', receivedBase: '0' });
    expect(alpha.priceAction).toEqual({ executions: 1, filledBase: '3000' });
    // alpha's own trip and the global one; a venue without its own trip counts the global one only.
    expect(alpha.incidents).toEqual({ venueRisk: 1, raised: { VENUE_UNHEALTHY: 1 }, killSwitchTrips: 2 });
    expect(r.venues.filter((v) => v.venue !== 'alpha').map((v) => v.incidents.killSwitchTrips)).toEqual(r.venues.filter((v) => v.venue !== 'alpha').map(() => 1));
    expect(r.totals).toEqual({
      volumeQuote: '90',
      feesQuote: '0.09',
      realizedPnlQuote: '-10',
      realizedLossQuote: '10.09',
      transfers: 3,
      transferFeesBase: '2',
      priceActionExecutions: 1,
      priceActionBudgetUsd: '2500',
      venueRiskIncidents: 1,
      killSwitchTrips: 2,
    });
    expect(r.coverage.join(' ')).toMatch(/kill-switch trips of the day as the quoting worker reported them/);
  });

  it('is a pure function of its parts (the workflow replays it)', () => {
    expect(buildDailyReport(parts())).toEqual(buildDailyReport(parts()));
  });
});

describe('renderDailyReportHtml', () => {
  const html = renderDailyReportHtml(buildDailyReport(parts()));

  it('is one self-contained document: no scripts, no external assets', () => {
    expect(html.startsWith('<!doctype html>')).toBe(true);
    expect(html).not.toMatch(/<script|<link|src=|href=|@import|url\(/i);
  });

  it('escapes every value from the model', () => {
    expect(html).not.toContain('ops<script>');
    expect(html).toContain('ops&lt;script&gt;');
    expect(html).toContain('our trades &lt;pool&gt;');
  });

  it('shows the per-venue figures, the day\'s transfers, buybacks and incidents', () => {
    for (const s of ['95.00 % of 8640 samples', '10.09', '123456.5', '1000 BLST', 'reversed', '0.501', 'VENUE_UNHEALTHY', 'paused (venueRisk)', 'cold-wallet', 'feed back', 'alpha book 61 s old', 'total-drawdown', 'time not recorded']) expect(html).toContain(s);
  });
});

describe('renderReportIndexHtml', () => {
  it('lists each day with escaped links, and says so when there is none', () => {
    const html = renderReportIndexHtml('BLST', [{ date: DATE, generatedAt: '2026-12-03T00:10:00.000Z', html: `/reports/${DATE}.html`, json: `/api/reports/${DATE}.json` }]);
    expect(html).toContain(`<a href="/reports/${DATE}.html">HTML</a>`);
    expect(renderReportIndexHtml('<b>', [])).toContain('No daily report stored yet');
    expect(renderReportIndexHtml('<b>', [])).not.toContain('<b>');
  });
});

describe('MemoryReportStore', () => {
  it('replaces the (asset, day) report on a rerun, never adds a second, and lists newest first', async () => {
    const store = new MemoryReportStore();
    const row = { asset: 'BLST', date: DATE, report: { a: 1 }, html: '<p>1</p>', generatedAtMs: 1, workflowId: 'w', runId: 'r1' };
    expect(await store.upsert(row)).toEqual({ replaced: false });
    expect(await store.upsert({ ...row, runId: 'r2', html: '<p>2</p>' })).toEqual({ replaced: true });
    await store.upsert({ ...row, date: '2026-12-03' });
    expect((await store.list('BLST')).map((l) => [l.date, l.runId])).toEqual([
      ['2026-12-03', 'r1'],
      [DATE, 'r2'],
    ]);
    expect((await store.get('BLST', DATE))?.html).toBe('<p>2</p>');
    expect(await store.list('OTHER')).toEqual([]);
  });
});
