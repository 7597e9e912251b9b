// Compliance over time, end to end (issue 12, item 3), real parts: a SimExchange behind the Binance
// emulator reached with ccxt, the ledger's PostgreSQL, the dev server, the real worker activities and
// workflows, the 10-second sampler (at 1 s here), the quoting worker's ImbalanceMonitor on the venue's
// book, the coordinator's remediation and a local webhook receiver.
// The venue's resting depth is pulled (depth rule breached) → samples recorded as breaching →
// COMPLIANCE_BREACH (rules: depth) → the coordinator sets `deepen` on that venue → depth comes back →
// the breach clears → mode back to `normal`; the webhook got exactly one alert and one resolved
// message (a repeated raise sends nothing); GET /api/compliance/history shows uptime < 1 and the
// breach interval; a complianceCheck records its rolling windows.
import { Worker } from '@temporalio/worker';
import { randomBytes } from 'node:crypto';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { buildApi } from '../../api/server';
import { ComplianceSampler } from '../../activities/compliance-sampler';
import type { PgLedgerStore } from '../../activities/ledger/pg-ledger';
import type { ComplianceSample } from '../../domain/compliance-history';
import { DEFAULT_IMBALANCE_CONFIG, type ImbalanceEvent } from '../../domain/quoting/imbalance';
import { MarketState } from '../../domain/quoting/market-state';
import { mulberry32 } from '../../domain/rng';
import { RealClock } from '../../hotpath/clocks';
import { ImbalanceMonitor } from '../../hotpath/imbalance-monitor';
import { BinanceEmulator } from '../../sim/emulator/binance-emulator';
import { PRESET_MARKET, presetExchangeConfig } from '../../sim/exchange/exchange-presets';
import { SimExchange } from '../../sim/exchange/sim-exchange';
import { TransferNetwork } from '../../sim/exchange/transfer-network';
import { CoordinatorClient } from '../../temporal/coordinator-client';
import { buildVenueRegistry } from '../../venues/registry';
import { workerActivities } from '../../workers/temporal.worker';
import { complianceCheck } from '../../workflows';
import { coordinatorWorkflowId, setVenueModeUpdate, stateQuery, type liquidityCoordinator } from '../../workflows/liquidity-coordinator.workflow';
import { maybeExportHistory, openTestEnv, testConfig, testLogger, workflowBundlePath, type TestEnv } from './helpers';
import { openTestLedger } from './ledger-db';

jest.setTimeout(150_000);

let env: TestEnv;
let ledger: PgLedgerStore;
beforeAll(async () => {
  env = await openTestEnv();
  ledger = await openTestLedger('compliance_e2e');
});
afterAll(async () => {
  await ledger?.close();
  await env?.close();
});

const until = async (ok: () => boolean | Promise<boolean>, what: string, capMs = 30_000) => {
  const deadline = Date.now() + capMs;
  while (!(await ok())) {
    if (Date.now() > deadline) throw new Error(`never saw ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
};

it('a depth breach is sampled, deepened on that venue, cleared back to normal, alerted once and resolved once, and shown by the history API', async () => {
  const symbol = `C${[...randomBytes(5)].map((b) => String.fromCharCode(65 + (b % 26))).join('')}`;
  const creds = { apiKey: randomBytes(16).toString('hex'), secret: randomBytes(32).toString('hex') };
  const clock = new RealClock();
  const network = new TransferNetwork({ delayMs: { min: 10, max: 10 } }, { clock, rng: mulberry32(3) });
  const market = { ...PRESET_MARKET, symbol: `${symbol}/USDT`, base: symbol, tickSize: '0.0001', lotSize: '1', minNotional: '1' };
  const ex = new SimExchange(presetExchangeConfig('alpha', { market, latencyMs: { min: 1, max: 2 }, rateLimit: { capacity: 5000, refillPerSec: 5000 } }), { clock, rng: mulberry32(4), network });
  ex.fund('mm', symbol, '10000000');
  ex.fund('mm', 'USDT', '10000000');
  // The venue's resting liquidity: 0.2 % spread, 49 900 / 50 100 USDT a side within ±2 % (alpha needs 20 000).
  const bid = (id: string, amount: string) => ex.engine.placeOrder({ account: 'mm', clientOrderId: id, side: 'buy', type: 'limit', price: '0.499', amount, postOnly: true });
  bid('mm-bid', '100000');
  ex.engine.placeOrder({ account: 'mm', clientOrderId: 'mm-ask', side: 'sell', type: 'limit', price: '0.501', amount: '100000', postOnly: true });
  const emu = new BinanceEmulator({ backend: ex, accounts: [{ account: 'ballast', ...creds }], host: '127.0.0.1', port: 0 });
  const { port } = await emu.start();

  const webhook: { text: string; blocks: unknown[] }[] = [];
  const receiver = createServer((req, res) => {
    let body = '';
    req.on('data', (c: Buffer) => (body += c.toString()));
    req.on('end', () => {
      webhook.push(JSON.parse(body));
      res.writeHead(200).end('ok');
    });
  });
  await new Promise<void>((r) => receiver.listen(0, '127.0.0.1', r));
  const hookUrl = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/services/T000/B000/hook-secret`;

  const config = testConfig((raw) => {
    raw.asset.symbol = symbol;
    raw.venues = (raw.venues as Record<string, any>[])
      .filter((v) => v.id === 'alpha')
      .map((v) => ({ ...v, market: `${symbol}/USDT`, emulatorPort: port, requirements: { ...v.requirements, minVolume24hQuote: '0' }, compliance: { every: '5m', sampleEvery: '1s' } }));
    raw.simulation = { scenario: 'demo', host: '127.0.0.1', port: 1, chainPort: 1, ballast: { account: 'ballast', base: '0', quote: '0' } };
  });
  const alpha = config.venues[0]!;
  const workerEnv = { BALLAST_SIM_API_KEY: creds.apiKey, BALLAST_SIM_API_SECRET: creds.secret, BALLAST_ALERT_WEBHOOK_URL: hookUrl };
  const venues = buildVenueRegistry(config, Date.now, workerEnv);

  // The sampler, as the Temporal worker runs it (here every second).
  const samples: ComplianceSample[] = [];
  const sampler = new ComplianceSampler({ config, venues, store: ledger, logger: testLogger, onSample: (s) => samples.push(s) });
  // The quoting worker's monitor, fed the venue's book; a breach must hold 2 s before it is raised.
  const state = new MarketState();
  state.register('alpha', 'cex', '0.001');
  const coordinator = new CoordinatorClient({ client: env.client, taskQueue: config.temporal.taskQueue, asset: symbol, logger: testLogger, complianceVerifyWithinMs: 600_000, complianceHoldAfterClearMs: 8_000 });
  const sent: ImbalanceEvent[] = [];
  const monitor = new ImbalanceMonitor(state, async (e) => e.kind === 'COMPLIANCE_BREACH' && sent.push(e) && coordinator.signalImbalance(e), {
    venues: [{ venueId: 'alpha', targetInventory: '0', requirements: alpha.requirements }],
    config: { ...DEFAULT_IMBALANCE_CONFIG, COMPLIANCE_BREACH: { enter: 1, exit: 0.5, minDurationMs: 2_000, cooldownMs: 0 } },
  });
  let watching = true;
  const watch = (async () => {
    while (watching) {
      const book = await venues.get('alpha')!.fetchOrderBook(100);
      state.updateBook('alpha', book, Date.now());
      state.setObservation('alpha', { venueId: 'alpha', pnlQuote: '0', inventoryBase: '0', healthy: true, lastBookAt: Date.now() });
      await monitor.tick(Date.now());
      await new Promise((r) => setTimeout(r, 250));
    }
  })();

  const worker = await Worker.create({
    connection: env.native,
    taskQueue: config.temporal.taskQueue,
    workflowBundle: { codePath: workflowBundlePath() },
    activities: workerActivities({ config, logger: testLogger, ledger, env: workerEnv }),
  });
  const workflowId = coordinatorWorkflowId(symbol);
  const handle = env.client.workflow.getHandle<typeof liquidityCoordinator>(workflowId);
  const mode = async () => (await handle.query(stateQuery).catch(() => undefined))?.modes.alpha?.mode;
  const t0 = Date.now();
  try {
    await worker.runUntil(async () => {
      sampler.start();
      await until(() => samples.length >= 3, 'compliant samples');
      expect(samples.every((s) => s.compliant)).toBe(true);

      // The venue's depth is pulled: one thin bid left (two-sided book, spread unchanged).
      ex.engine.cancelOrder('mm', { clientOrderId: 'mm-bid' });
      bid('mm-bid-thin', '1000');
      await until(() => sent.some((e) => e.type === 'raised'), 'COMPLIANCE_BREACH raised');
      expect(sent[0]).toMatchObject({ type: 'raised', venueId: 'alpha', kind: 'COMPLIANCE_BREACH', rules: ['depth'] });
      await until(async () => (await mode()) === 'deepen', 'the coordinator setting deepen on alpha');
      const open = await handle.query(stateQuery);
      expect(open.modes.alpha).toMatchObject({ mode: 'deepen', requestedBy: 'liquidityCoordinator' });
      expect(open.remediation?.open.alpha).toMatchObject({ rules: ['depth'], mode: 'deepen', escalated: false });
      await until(() => samples.some((s) => !s.compliant), 'a breaching sample');
      expect(samples.find((s) => !s.compliant)).toMatchObject({ depthOk: false, spreadOk: true, failed: ['depth'] });
      // A second raise of the open breach (a resend): nothing new is sent.
      await coordinator.signalImbalance(sent[0]!);

      // Depth comes back (deepen's job on a venue we quote): the breach clears; deepen is held 8 s
      // (compliance.holdAfterClear), then the mode returns to normal.
      ex.engine.cancelOrder('mm', { clientOrderId: 'mm-bid-thin' });
      bid('mm-bid-2', '100000');
      await until(() => sent.some((e) => e.type === 'cleared'), 'COMPLIANCE_BREACH cleared');
      await until(async () => (await handle.query(stateQuery)).remediation?.held?.alpha !== undefined, 'deepen held after the clear');
      const holding = await handle.query(stateQuery);
      expect(holding.remediation?.open).toEqual({});
      expect(holding.modes.alpha?.mode).toBe('deepen');
      expect(holding.remediation?.held?.alpha).toMatchObject({ mode: 'deepen', rules: ['depth'] });
      await until(async () => (await mode()) === 'normal', 'alpha back to normal after the hold');
      await until(() => webhook.length >= 2, 'the alert and the resolved message');
      const after = samples.length;
      await until(() => samples.length >= after + 2, 'compliant samples after the breach');
      await sampler.stop();

      // Barrier: an update is ordered after every signal the server accepted; then the state is final.
      await handle.executeUpdate(setVenueModeUpdate, { args: [{ venueId: 'alpha', mode: 'normal', reason: 'test barrier', requestedBy: 'test' }] });
      const final = await handle.query(stateQuery);
      expect(final.remediation?.open).toEqual({});
      expect(final.remediation?.log.map((l) => [l.action, l.mode])).toEqual([
        ['set-mode', 'deepen'],
        ['keep-mode', 'deepen'],
        ['restore-normal', 'normal'],
      ]);
      expect(final.remediation?.held).toEqual({});
      await new Promise((r) => setTimeout(r, 1_500)); // any late duplicate would have arrived by now
      expect(webhook.map((w) => w.text.split(':')[1])).toEqual(['rotating_light', 'white_check_mark']);
      expect(webhook[0]!.text).toContain('alpha');
      expect(webhook[0]!.text).toContain('deepen');
      expect(webhook[1]!.text).toMatch(/^:white_check_mark: Resolved/);
      expect(webhook[1]!.text).toContain('deepen held');
      const alerts = await ledger.alerts('alpha');
      expect(alerts.map((a) => [a.kind, a.rule, a.sentAt !== undefined])).toEqual([
        ['raised', 'depth', true],
        ['resolved', 'depth', true],
      ]);
      expect(alerts[0]!.breachId).toBe(alerts[1]!.breachId);

      // A complianceCheck now: its verdict and rolling windows are recorded.
      const check = await env.client.workflow.execute(complianceCheck, { taskQueue: config.temporal.taskQueue, workflowId: `compliance-${symbol}`, args: [{ venue: 'alpha', requester: 'test' }] });
      expect(check.compliant).toBe(true);
      expect(check.windows?.last24h.samples).toBe(samples.length);
      expect(check.windows?.last24h.uptimeRatio).toBeLessThan(1);
      expect(check.windows?.checks.map((c) => c.name)).toEqual(['spreadUptime24h', 'depthUptime24h', 'adv15d']);
      const rows = await ledger.complianceChecks('alpha', t0, Date.now() + 1);
      expect(rows).toHaveLength(1);
      expect(rows[0]).toMatchObject({ compliant: true, windowsOk: check.windows!.compliant });
      await maybeExportHistory(env.client, `compliance-${symbol}`, 'complianceCheck-windows');
      await handle.terminate('test done');
    });
    await maybeExportHistory(env.client, workflowId, 'liquidityCoordinator-compliance-remediation');

    // The history API over the same database: uptime < 1 and the one breach interval, closed.
    const api = buildApi({ config, logger: testLogger, compliance: ledger });
    try {
      const r = await api.inject({ method: 'GET', url: '/api/compliance/history?venue=alpha&window=24h' });
      expect(r.statusCode).toBe(200);
      const body = r.json();
      expect(body.samples).toBe(samples.length);
      expect(body.compliantSamples).toBe(samples.filter((s) => s.compliant).length);
      expect(body.uptimeRatio).toBeLessThan(1);
      expect(body.uptimeRatio).toBeGreaterThan(0);
      expect(body.breaches).toHaveLength(1);
      const firstBad = samples.find((s) => !s.compliant)!;
      expect(body.breaches[0]).toMatchObject({ from: firstBad.at, failed: ['depth'], open: false });
      expect(JSON.stringify(body)).not.toContain('hook-secret');
    } finally {
      await api.close();
    }
  } finally {
    watching = false;
    await watch.catch(() => undefined);
    await sampler.stop();
    await emu.stop();
    await new Promise((r) => receiver.close(r));
    clock.stop();
  }
});

it('verification: a breach still open after verifyWithin is escalated once on the workflow timer (decision + alert), the mode kept', async () => {
  const config = testConfig();
  // The real activities on this test's ledger, without a webhook (alerts logged only, still recorded).
  const worker = await Worker.create({
    connection: env.native,
    taskQueue: config.temporal.taskQueue,
    workflowBundle: { codePath: workflowBundlePath() },
    activities: workerActivities({ config, logger: testLogger, ledger, env: {} }),
  });
  const asset = `E${randomBytes(4).toString('hex').toUpperCase()}`;
  const coordinator = new CoordinatorClient({ client: env.client, taskQueue: config.temporal.taskQueue, asset, logger: testLogger, complianceVerifyWithinMs: 1_000 });
  const handle = env.client.workflow.getHandle<typeof liquidityCoordinator>(coordinatorWorkflowId(asset));
  const at = Date.now();
  await worker.runUntil(async () => {
    await coordinator.signalImbalance({ type: 'raised', venueId: 'charlie', kind: 'COMPLIANCE_BREACH', value: 1, at, rules: ['spread'] });
    await until(async () => (await handle.query(stateQuery)).remediation?.open.charlie?.escalated === true, 'the escalation');
    const s = await handle.query(stateQuery);
    expect(s.modes.charlie?.mode).toBe('tighten');
    expect(s.remediation?.log.map((l) => l.action)).toEqual(['set-mode', 'escalate']);
    // Alerts are recorded durably (no webhook configured: logged only, still de-duplicated).
    await until(async () => (await ledger.alerts('charlie')).filter((a) => a.sentAt !== undefined).length === 2, 'two alerts recorded');
    expect((await ledger.alerts('charlie')).map((a) => [a.kind, a.rule, a.breachId])).toEqual([
      ['raised', 'spread', `charlie:${at}`],
      ['escalated', 'spread', `charlie:${at}`],
    ]);
    await handle.terminate('test done');
  });
});

