// dailyReport on the real dev server against real parts: two simulated exchanges with Ballast's
// account (our fills and balances read back through the venue), a real fundTransfer with a real
// withdrawal on the local chain, the ledger's PostgreSQL (transfers, compliance samples, the report
// itself), Temporal visibility and the API serving what was stored.
import { WorkflowFailedError } from '@temporalio/client';
import { ApplicationFailure } from '@temporalio/common';
import type { Worker } from '@temporalio/worker';
import { PgReportStore } from '../../activities/ledger/pg-report-store';
import { buildApi } from '../../api/server';
import type { ComplianceSample } from '../../domain/compliance-history';
import type { DailyReport } from '../../domain/report/daily-report';
import { SimVenue } from '../../venues/sim/sim-venue';
import { workerActivities } from '../../workers/temporal.worker';
import { dailyReport } from '../../workflows/daily-report.workflow';
import { fundTransfer } from '../../workflows/fund-transfer.workflow';
import { coordinatorWorkflowId, imbalanceSignal, killSwitchTripSignal, liquidityCoordinator, resetKillSwitchUpdate } from '../../workflows/liquidity-coordinator.workflow';
import { SA_ASSET, SA_OPERATION, SA_REQUESTER, SA_VENUE } from '../../workflows/search-attributes';
import { createTestWorker, maybeExportHistory, openTestEnv, testLogger, uniqueId, type TestEnv } from './helpers';
import { ACCOUNT, startTreasuryWorld, type TreasuryWorld } from './treasury-world';

jest.setTimeout(300_000);

let env: TestEnv;
let world: TreasuryWorld;
let worker: Worker;
let running: Promise<void>;
let reports: PgReportStore;
let riskWorkflowId: string | undefined;
const TODAY = new Date(Date.now()).toISOString().slice(0, 10);
const BUSINESS_ID = `daily-report:BLST:${TODAY}`;

function sample(at: number, compliant: boolean): ComplianceSample {
  return {
    venue: 'alpha',
    at,
    source: 'sampler',
    bookOk: true,
    spreadPct: compliant ? '0.4' : '3',
    spreadOk: compliant,
    depth: [{ pct: '2', bidQuote: '500', askQuote: '500', minSideQuote: '500' }],
    depthOk: true,
    volume24hQuote: '0',
    volumeOk: true,
    compliant,
    failed: compliant ? [] : ['spread'],
  };
}

beforeAll(async () => {
  env = await openTestEnv();
  world = await startTreasuryWorld({ funding: { BLST: '100000', USDT: '10000' } });
  reports = new PgReportStore(world.ledger.pool, () => world.ledger.ready());
  worker = await createTestWorker(env, world.config, {
    activities: workerActivities({ config: world.config, logger: testLogger, now: Date.now, treasury: world.treasuryDeps() }),
  });
  running = worker.run();

  // Some activity on the day: our account takes the maker's ask and hits its bid on alpha (taker fee
  // 0.2 %), and moves 1000 BLST alpha → bravo through a real withdrawal.
  const ours = new SimVenue(world.alpha, ACCOUNT);
  await ours.loadMarket();
  await ours.submitOrder({ clientOrderId: 'rep-buy', side: 'buy', price: '0.51', amount: '200', postOnly: false, timeInForce: 'IOC' });
  await ours.submitOrder({ clientOrderId: 'rep-sell', side: 'sell', price: '0.49', amount: '100', postOnly: false, timeInForce: 'IOC' });
  const requestId = uniqueId('rep-transfer');
  const t = await env.client.workflow.execute(fundTransfer, {
    taskQueue: world.config.temporal.taskQueue,
    workflowId: `transfer:${requestId}`,
    args: [{ requestId, asset: 'BLST', amount: '1000', from: { venue: 'alpha' }, to: { venue: 'bravo' }, requester: 'alice@ops' }],
  });
  expect(t.outcome).toBe('completed');
  // Incidents of the day: the coordinator records a compliance breach on bravo raised and cleared, and
  // an operator's kill-switch reset; a venueRisk execution for bravo is listed by visibility (started on
  // a task queue no worker polls, with its Venue search attribute, so nothing is evacuated here).
  // The suite shares one dev server: an earlier test's coordinator:BLST (another task queue, its worker
  // gone) would take these signals and never answer the update. This test's coordinator is its own.
  await env.client.workflow
    .getHandle(coordinatorWorkflowId('BLST'))
    .terminate('daily-report test: a coordinator of its own')
    .catch(() => undefined);
  const coordinator = await env.client.workflow.signalWithStart(liquidityCoordinator, {
    workflowId: coordinatorWorkflowId('BLST'),
    taskQueue: world.config.temporal.taskQueue,
    args: [{ asset: 'BLST' }],
    signal: imbalanceSignal,
    signalArgs: [{ type: 'raised', venueId: 'bravo', kind: 'COMPLIANCE_BREACH', value: 1, at: Date.now() }],
  });
  await coordinator.signal(imbalanceSignal, { type: 'cleared', venueId: 'bravo', kind: 'COMPLIANCE_BREACH', value: 0, at: Date.now() });
  // A kill-switch trip as the quoting worker reports it, and one of yesterday (not in today's report).
  await coordinator.signal(killSwitchTripSignal, { scope: 'venue', venueId: 'bravo', reason: 'stale-data', detail: 'bravo book 61 s old (report test)', at: Date.now() });
  await coordinator.signal(killSwitchTripSignal, { scope: 'venue', venueId: 'bravo', reason: 'stale-data', detail: 'yesterday (report test)', at: Date.now() - 86_400_000 });
  await coordinator.executeUpdate(resetKillSwitchUpdate, { args: [{ venueId: 'bravo', reason: 'feed restored (report test)', requestedBy: 'erin@ops' }] });
  riskWorkflowId = uniqueId('coordinator:BLST:venueRisk:BLST:bravo');
  await env.client.workflow.start('venueRisk', {
    taskQueue: uniqueId('nobody-polls'),
    workflowId: riskWorkflowId,
    args: [{ venue: 'bravo', reason: 'report test', requestedBy: 'erin@ops' }],
    typedSearchAttributes: [{ key: SA_VENUE, value: 'bravo' }],
  });
  // Visibility is written asynchronously: the report lists it only once a list query sees it.
  for (let i = 0; ; i++) {
    let seen = false;
    for await (const _ of env.client.workflow.list({ query: `WorkflowId='${riskWorkflowId}'` })) seen = true;
    if (seen) break;
    if (i >= 100) throw new Error(`${riskWorkflowId} never appeared in visibility`);
    await new Promise((r) => setTimeout(r, 200));
  }
  // The compliance time series for alpha: 10 samples 10 s apart this hour, 9 compliant.
  const hour = Math.floor(Date.now() / 3_600_000) * 3_600_000;
  await world.ledger.recordComplianceSamples(Array.from({ length: 10 }, (_, i) => sample(hour + i * 10_000, i !== 4)));
});

afterAll(async () => {
  await env?.client.workflow.getHandle(coordinatorWorkflowId('BLST')).terminate('report test done').catch(() => undefined);
  if (riskWorkflowId) await env?.client.workflow.getHandle(riskWorkflowId).terminate('report test done').catch(() => undefined);
  worker?.shutdown();
  await running;
  await world?.stop();
  await env?.close();
});

describe('dailyReport', () => {
  let report: DailyReport;

  it('reports the day per venue from the venues, the ledger and Temporal, and stores JSON + HTML under the business key', async () => {
    const r = await env.client.workflow.execute(dailyReport, { taskQueue: world.config.temporal.taskQueue, workflowId: BUSINESS_ID, args: [{ date: TODAY, requester: 'carol@ops' }] });
    expect(r).toMatchObject({ workflowId: BUSINESS_ID, asset: 'BLST', date: TODAY, replaced: false, links: { json: `/api/reports/${TODAY}.json`, html: `/reports/${TODAY}.html` } });
    await maybeExportHistory(env.client, BUSINESS_ID, 'dailyReport-alpha-bravo-day');

    const stored = await reports.get('BLST', TODAY);
    expect(stored).toBeDefined();
    report = stored!.report as unknown as DailyReport;
    expect(report.workflowId).toBe(BUSINESS_ID);

    // Trading on alpha, worked out by hand: buy 200 @ 0.51, sell 100 @ 0.49, taker fee 0.2 % of each notional.
    const alpha = report.venues.find((v) => v.venue === 'alpha')!;
    expect(alpha.trading.available).toBe(true);
    if (alpha.trading.available) {
      expect(alpha.trading.summary).toMatchObject({ trades: 2, buys: 1, sells: 1, volumeBase: '300', volumeQuote: '151', feesQuote: '0.302', realizedPnlQuote: '-2', realizedLossQuote: '2.302', positionBase: '100', averageCost: '0.51' });
    }
    expect(alpha.trading.market24hVolumeQuote).toMatch(/^\d+(\.\d+)?$/);
    // The compliance store's own summary of the 10 samples.
    expect(alpha.compliance).toMatchObject({ available: true, uptimePct: '90.00', samples: 10, compliantSamples: 9 });
    // Inventory: what the exchange holds for our account now.
    const blst = world.alpha.engine.balances(ACCOUNT).find((b) => b.asset === 'BLST')!;
    expect(alpha.inventory.available && alpha.inventory.balances.find((b) => b.asset === 'BLST')?.free).toBe(blst.free);
    // The transfer and its withdrawal fee (2 BLST) from the ledger.
    expect(report.transfers).toEqual([expect.objectContaining({ from: 'alpha', to: 'venue:bravo', asset: 'BLST', amount: '1000', fee: '2', outcome: 'completed' })]);
    expect(alpha.transfers).toMatchObject({ out: 1, sentBase: '1000' });
    expect(report.venues.find((v) => v.venue === 'bravo')!.transfers).toMatchObject({ in: 1, receivedBase: '1000' });
    // bravo: no fills of ours; uniswap: no account record, said so rather than zero.
    const bravo = report.venues.find((v) => v.venue === 'bravo')!;
    expect(bravo.trading.available && bravo.trading.summary.trades).toBe(0);
    const pool = report.venues.find((v) => v.kind === 'amm')!;
    expect(pool.trading).toMatchObject({ available: false });
    // Incidents: what this test recorded (other tests on the same server may add their own).
    expect(report.incidents.coordinator).toBe('read');
    expect(report.incidents.imbalances).toEqual(expect.arrayContaining([expect.objectContaining({ venueId: 'bravo', kind: 'COMPLIANCE_BREACH', type: 'raised' }), expect.objectContaining({ venueId: 'bravo', kind: 'COMPLIANCE_BREACH', type: 'cleared' })]));
    expect(report.incidents.killSwitchResets).toContainEqual(expect.objectContaining({ venueId: 'bravo', reason: 'feed restored (report test)', requestedBy: 'erin@ops' }));
    expect(report.incidents.venueRisk).toContainEqual(expect.objectContaining({ workflowId: riskWorkflowId, venue: 'bravo', status: 'RUNNING' }));
    expect(bravo.incidents.venueRisk).toBeGreaterThanOrEqual(1);
    expect(report.incidents.killSwitchTrips).toEqual([expect.objectContaining({ scope: 'venue', venueId: 'bravo', reason: 'stale-data', detail: 'bravo book 61 s old (report test)' })]);
    expect(bravo.incidents.killSwitchTrips).toBe(1);
    expect(report.totals.killSwitchTrips).toBe(1);
    expect(report.incidents.killSwitchResets).toContainEqual(expect.objectContaining({ at: expect.stringMatching(/^\d{4}-\d\d-\d\dT/) as string }));
    expect(bravo.incidents.raised.COMPLIANCE_BREACH).toBeGreaterThanOrEqual(1);
    expect(report.totals).toMatchObject({ transfers: 1, transferFeesBase: '2', volumeQuote: '151' });

    const desc = await env.client.workflow.getHandle(BUSINESS_ID).describe();
    expect(desc.typedSearchAttributes.get(SA_OPERATION)).toBe('dailyReport');
    expect(desc.typedSearchAttributes.get(SA_ASSET)).toBe('BLST');
    expect(desc.typedSearchAttributes.get(SA_REQUESTER)).toBe('carol@ops');
  });

  it('a rerun started under another id (the schedule, the Web UI) reports under the business key and replaces the day', async () => {
    const other = uniqueId('ui-daily-report');
    const r = await env.client.workflow.execute('dailyReport', { taskQueue: world.config.temporal.taskQueue, workflowId: other, args: [{ date: TODAY, requester: 'dave@ops' }] });
    expect(r).toMatchObject({ workflowId: BUSINESS_ID, replaced: true });
    await maybeExportHistory(env.client, other, 'dailyReport-rerun-as-child');
    const list = await reports.list('BLST');
    expect(list.filter((l) => l.date === TODAY)).toHaveLength(1);
    expect((await reports.get('BLST', TODAY))!.report).toMatchObject({ requester: 'dave@ops' });
  });

  it('the API lists the stored report and serves its JSON and HTML; bad days are 400 naming the field, missing ones 404', async () => {
    const app = buildApi({ config: world.config, logger: testLogger, reports });
    try {
      const list = await app.inject({ method: 'GET', url: '/api/reports' });
      expect(list.statusCode).toBe(200);
      const body = list.json<{ asset: string; reports: { date: string; generatedAt: string; links: Record<string, string> }[] }>();
      const row = body.reports.find((x) => x.date === TODAY)!;
      expect(row.links).toMatchObject({ json: `/api/reports/${TODAY}.json`, html: `/reports/${TODAY}.html` });
      expect(row.links.workflow).toContain(encodeURIComponent(BUSINESS_ID));

      const json = await app.inject({ method: 'GET', url: row.links.json! });
      expect(json.statusCode).toBe(200);
      expect(json.json()).toMatchObject({ date: TODAY, asset: 'BLST', workflowId: BUSINESS_ID });

      const html = await app.inject({ method: 'GET', url: row.links.html! });
      expect(html.statusCode).toBe(200);
      expect(html.headers['content-type']).toContain('text/html');
      expect(html.body).toContain(`Ballast daily report — BLST — ${TODAY}`);
      expect(html.body).toContain('90.00 % of 10 samples');
      expect(html.body).not.toMatch(/<script|src=/i);

      // The page the dashboard links to: every stored day with links to its HTML and JSON.
      const index = await app.inject({ method: 'GET', url: '/reports' });
      expect(index.headers['content-type']).toContain('text/html');
      expect(index.body).toContain(`<a href="/reports/${TODAY}.html">HTML</a>`);
      expect(index.body).toContain(`<a href="/api/reports/${TODAY}.json">JSON</a>`);

      for (const url of ['/api/reports/2026-13-01.json', '/api/reports/yesterday.json', '/reports/2026-12-01.pdf']) {
        const bad = await app.inject({ method: 'GET', url });
        expect(bad.statusCode).toBe(400);
        expect(bad.json<{ issues: { path: string }[] }>().issues.map((i) => i.path)).toContain('date');
      }
      expect((await app.inject({ method: 'GET', url: '/api/reports?limit=0' })).json<{ issues: { path: string }[] }>().issues[0]!.path).toBe('limit');
      expect((await app.inject({ method: 'GET', url: '/api/reports/1999-01-01.json' })).statusCode).toBe(404);
      expect((await app.inject({ method: 'GET', url: '/reports/1999-01-01.html' })).statusCode).toBe(404);
    } finally {
      await app.close();
    }
  });

  it('bad input from the Web UI form fails at once, naming the field', async () => {
    const err = await env.client.workflow
      .execute('dailyReport', { taskQueue: world.config.temporal.taskQueue, workflowId: uniqueId('bad-report'), args: [{ date: '2026-02-30', requester: 'ops' }] })
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(WorkflowFailedError);
    const cause = (err as WorkflowFailedError).cause as ApplicationFailure;
    expect(cause.type).toBe('VALIDATION.INVALID_INPUT');
    expect(cause.nonRetryable).toBe(true);
    expect(cause.message).toContain('date:');
  });
});
