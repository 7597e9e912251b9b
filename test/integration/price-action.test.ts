// buyback on the dev server, real parts: two SimExchanges behind the Binance emulator, reached by the
// real ccxt client (CcxtVenue), a seller hitting the bids, Ballast's own quote resting on alpha, the
// ledger file. Checks: the business-key id, a bad Web-UI input failing at once naming the field, the
// buyback buying only at never-lead prices strictly below our own ask (our quote never filled), within
// its budget, its fills booked once per slice, and an operator's stop.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { WorkflowFailedError } from '@temporalio/client';
import type { Worker } from '@temporalio/worker';
import { createActivities } from '../../activities';
import { LedgerStore } from '../../activities/ledger-store';
import { D } from '../../domain/money';
import { mulberry32 } from '../../domain/rng';
import { RealClock } from '../../hotpath/clocks';
import { BinanceEmulator } from '../../sim/emulator/binance-emulator';
import { PRESET_MARKET, presetExchangeConfig } from '../../sim/exchange/exchange-presets';
import { SimExchange } from '../../sim/exchange/sim-exchange';
import { TransferNetwork } from '../../sim/exchange/transfer-network';
import { CcxtVenue } from '../../venues/ccxt/ccxt-venue';
import { SimVenue } from '../../venues/sim/sim-venue';
import { approveExecutionUpdate, buyback, liquidation, priceActionStatusQuery, stopUpdate } from '../../workflows/price-action.workflow';
import { buildVenueRegistry } from '../../venues/registry';
import { createTestWorker, maybeExportHistory, openTestEnv, testConfig, testLogger, uniqueId, type TestEnv } from './helpers';

jest.setTimeout(120_000);

const BALLAST = { account: 'ballast', apiKey: 'ballastKey01', secret: 'ballast-secret-01' };

let env: TestEnv;
let clock: RealClock;
const emus: BinanceEmulator[] = [];
const ccxtVenues = new Map<string, CcxtVenue>();
const sims = new Map<string, SimExchange>();
let ledger: LedgerStore;
let worker: Worker;
let running: Promise<void>;
let selling: ReturnType<typeof setInterval> | undefined;
const config = testConfig((raw) => {
  raw.venues = raw.venues.filter((v: { id: string }) => v.id === 'alpha' || v.id === 'bravo');
  raw.priceAction = { dailyUsd: '2000', episodeUsd: '1000', approvalThresholdUsd: '600' };
});

beforeAll(async () => {
  env = await openTestEnv();
  clock = new RealClock();
  const network = new TransferNetwork({ delayMs: { min: 10, max: 10 } }, { clock, rng: mulberry32(3) });
  for (const [i, id] of ['alpha', 'bravo'].entries()) {
    const sim = new SimExchange(presetExchangeConfig(id, { market: { ...PRESET_MARKET, tickSize: '0.0001', lotSize: '1', minNotional: '1' }, latencyMs: { min: 1, max: 2 }, rateLimit: { capacity: 5000, refillPerSec: 5000 } }), { clock, rng: mulberry32(10 + i), network });
    sim.fund('ballast', 'USDT', '5000');
    sim.fund('ballast', 'BLST', '5000');
    sim.fund('maker', 'USDT', '100000');
    sim.fund('maker', 'BLST', '100000');
    sim.fund('seller', 'BLST', '100000');
    const emu = new BinanceEmulator({ backend: sim, accounts: [BALLAST] });
    const { restUrl, wsUrl } = await emu.start();
    emus.push(emu);
    sims.set(id, sim);
    const rules = await new SimVenue(sim, 'maker').loadMarket();
    const market = rules.symbol;
    ccxtVenues.set(id, new CcxtVenue({ id, exchangeId: 'binance', symbol: market, credentials: BALLAST, restUrl, wsUrl, timeoutMs: 5000 }));
  }
  ledger = new LedgerStore(join(mkdtempSync(join(tmpdir(), 'ballast-pa-')), 'ledger.jsonl'));
  const activities = createActivities({
    config,
    venues: buildVenueRegistry(config, Date.now),
    logger: testLogger,
    priceAction: { tradeVenue: (id) => ccxtVenues.get(id)!, ledger, now: Date.now },
  });
  worker = await createTestWorker(env, config, { activities });
  running = worker.run();
});

afterAll(async () => {
  if (selling) clearInterval(selling);
  worker?.shutdown();
  await running;
  for (const v of ccxtVenues.values()) await v.close();
  for (const e of emus) await e.stop();
  clock?.stop();
  await env?.close();
});

/** An independent two-sided book around 0.5 on every venue, and Ballast's own quote: an ask at 0.5010 on alpha. */
async function seedBooks(tag = 's'): Promise<void> {
  for (const [id, sim] of sims) {
    const maker = new SimVenue(sim, 'maker');
    await maker.loadMarket();
    for (let i = 0; i < 10; i++) {
      await maker.submitOrder({ clientOrderId: `${id}-${tag}b${i}`, side: 'buy', price: fmtPx(0.499 - i * 0.001), amount: '400', postOnly: true, timeInForce: 'GTC' });
      await maker.submitOrder({ clientOrderId: `${id}-${tag}a${i}`, side: 'sell', price: fmtPx(0.502 + i * 0.001), amount: '400', postOnly: true, timeInForce: 'GTC' });
    }
  }
  if (tag === 's') await ccxtVenues.get('alpha')!.submitOrder({ clientOrderId: 'quote-ask-1', side: 'sell', price: '0.501', amount: '200', postOnly: true, timeInForce: 'GTC' });
}
const fmtPx = (x: number) => x.toFixed(3);
/** The message an update was refused with (its validator's error is the failure's cause). */
const refusal = (p: Promise<unknown>): Promise<string> =>
  p.then(
    () => 'accepted',
    (e: Error & { cause?: Error }) => String(e.cause?.message ?? e.message),
  );

/** A seller hitting the best bid on each venue every 250 ms (the independent flow the buyback follows). */
async function startSelling(): Promise<void> {
  const venues = [...sims].map(([id, sim]) => ({ id, v: new SimVenue(sim, 'seller') }));
  for (const s of venues) await s.v.loadMarket();
  let n = 0;
  selling = setInterval(() => {
    for (const s of venues) {
      void s.v.submitOrder({ clientOrderId: `sell-${s.id}-${n++}`, side: 'sell', price: '0.450', amount: '40', postOnly: false, timeInForce: 'IOC' }).catch(() => undefined);
    }
  }, 250);
  await new Promise((r) => setTimeout(r, 1500));
}

describe('buyback on the dev server', () => {
  it('refuses a bad input at once, naming the field, and an id that is not the business key', async () => {
    const bad = env.client.workflow.execute('buyback', { taskQueue: config.temporal.taskQueue, workflowId: uniqueId('buyback:BLST:bad'), args: [{ requestId: 'r1', asset: 'BLST', requester: 'ops', budgetUsd: '-5' }] });
    await expect(bad).rejects.toThrow(WorkflowFailedError);
    await bad.catch((e: WorkflowFailedError) => expect(String((e.cause as Error).message)).toMatch(/budgetUsd/));
    const wrongId = env.client.workflow.execute(buyback, { taskQueue: config.temporal.taskQueue, workflowId: uniqueId('my-buyback'), args: [{ requestId: 'r2', asset: 'BLST', requester: 'ops', budgetUsd: '100' }] });
    await wrongId.catch((e: WorkflowFailedError) => expect(String((e.cause as Error).message)).toMatch(/workflow id: expected "buyback:BLST:r2"/));
    await expect(wrongId).rejects.toThrow(WorkflowFailedError);
  });

  it('buys only at following prices below our own ask, within budget, books each slice once, and stops on request', async () => {
    await seedBooks();
    await startSelling();
    const requestId = uniqueId('t');
    const workflowId = `buyback:BLST:${requestId}`;
    const handle = await env.client.workflow.start(buyback, {
      taskQueue: config.temporal.taskQueue,
      workflowId,
      args: [{ requestId, asset: 'BLST', requester: 'ops@desk', budgetUsd: '500', limitPrice: '0.5', durationMs: 60_000, sliceIntervalMs: 2_000, participationPct: 40, participationWindowMs: 30_000, measureReversion: false }],
    });
    // Let it work a few slices, then an operator stops it.
    const deadline = Date.now() + 40_000;
    let status = await handle.query(priceActionStatusQuery);
    while (Date.now() < deadline && !(status.report && new D(status.report.filledBase).gt(0) && status.report.slices >= 3)) {
      await new Promise((r) => setTimeout(r, 500));
      status = await handle.query(priceActionStatusQuery);
    }
    expect(status.needsApproval).toBe(false);
    expect(new D(status.report!.filledBase).gt(0)).toBe(true);
    await handle.executeUpdate(stopUpdate, { args: [{ reason: 'test ends', requestedBy: 'ops@desk' }] });
    const result = await handle.result();
    if (selling) clearInterval(selling);
    selling = undefined;
    const r = result.status.report!;
    expect(r.stopReason).toBe('OPERATOR');
    expect(new D(r.budgetUsedUsd).lte('500')).toBe(true);
    // Never above the limit, never leading: every buyback fill at or below the best bid we saw (0.499) and the limit.
    const fills = (await ccxtVenues.get('alpha')!.fetchMyTrades(Date.now() - 600_000)).concat(await ccxtVenues.get('bravo')!.fetchMyTrades(Date.now() - 600_000));
    const ours = fills.filter((f) => f.side === 'buy');
    expect(ours.length).toBeGreaterThan(0);
    for (const f of ours) expect(new D(f.price).lte('0.499')).toBe(true);
    // Our own ask was never met (no self-trade, not expired by STP either).
    const quote = await ccxtVenues.get('alpha')!.fetchOrder({ clientOrderId: 'quote-ask-1' });
    expect(quote).toMatchObject({ status: 'open', filled: '0' });
    // Each slice is booked once, and the ledger's total equals the report's.
    const trades = ledger.entries({ workflowId }).filter((e) => e.kind === 'trade');
    expect(new Set(trades.map((e) => e.id)).size).toBe(trades.length);
    expect(trades.reduce((a, e) => a.plus(e.amount), new D(0)).eq(r.filledBase)).toBe(true);
    const boughtOnVenues = ours.reduce((a, f) => a.plus(f.amount), new D(0));
    expect(boughtOnVenues.eq(r.filledBase)).toBe(true);
    expect(ledger.entries({ workflowId }).filter((e) => e.kind === 'execution')).toHaveLength(1);
    await maybeExportHistory(env.client, workflowId, 'buyback-stopped-by-operator');
  });

  it('liquidation above the approval threshold waits for a second identity, then sells only at or above its limit', async () => {
    // Fresh books, then buyers lift the asks on every venue.
    await seedBooks('l');
    const venues = [...sims].map(([id, sim]) => ({ id, v: new SimVenue(sim, 'maker') }));
    for (const b of venues) await b.v.loadMarket();
    let n = 0;
    const buying = setInterval(() => {
      for (const b of venues) void b.v.submitOrder({ clientOrderId: `buy-${b.id}-${n++}`, side: 'buy', price: '0.505', amount: '40', postOnly: false, timeInForce: 'IOC' }).catch(() => undefined);
    }, 250);
    try {
      await new Promise((r) => setTimeout(r, 1500));
      const requestId = uniqueId('l');
      const workflowId = `liquidation:BLST:${requestId}`;
      const handle = await env.client.workflow.start(liquidation, {
        taskQueue: config.temporal.taskQueue,
        workflowId,
        args: [{ requestId, asset: 'BLST', requester: 'ops@desk', quantity: '1500', limitPrice: '0.45', durationMs: 60_000, sliceIntervalMs: 2_000, participationPct: 40, participationWindowMs: 30_000, measureReversion: false }],
      });
      let status = await handle.query(priceActionStatusQuery);
      for (let i = 0; i < 40 && status.phase !== 'awaiting-approval'; i++) {
        await new Promise((r) => setTimeout(r, 250));
        status = await handle.query(priceActionStatusQuery);
      }
      expect(status).toMatchObject({ phase: 'awaiting-approval', needsApproval: true });
      expect(await refusal(handle.executeUpdate(approveExecutionUpdate, { args: [{ approver: 'OPS@desk', decision: 'approve' }] }))).toMatch(/is the requester/);
      await handle.executeUpdate(approveExecutionUpdate, { args: [{ approver: 'risk@desk', decision: 'approve' }] });
      expect(await refusal(handle.executeUpdate(approveExecutionUpdate, { args: [{ approver: 'cfo@desk', decision: 'reject' }] }))).toMatch(/not awaiting approval|already decided/);
      const deadline = Date.now() + 40_000;
      while (Date.now() < deadline && !(status.report && new D(status.report.filledBase).gt(0) && status.report.slices >= 2)) {
        await new Promise((r) => setTimeout(r, 500));
        status = await handle.query(priceActionStatusQuery);
      }
      await handle.executeUpdate(stopUpdate, { args: [{ reason: 'enough', requestedBy: 'risk@desk' }] });
      const result = await handle.result();
      const r = result.status.report!;
      expect(result.status.approvals).toEqual([{ approver: 'risk@desk', decision: 'approve' }]);
      expect(new D(r.filledBase).gt(0)).toBe(true);
      expect(new D(r.averagePrice!).gte('0.45')).toBe(true);
      const sold = (await ccxtVenues.get('alpha')!.fetchMyTrades(Date.now() - 600_000)).concat(await ccxtVenues.get('bravo')!.fetchMyTrades(Date.now() - 600_000)).filter((f) => f.side === 'sell');
      for (const f of sold) expect(new D(f.price).gte('0.45')).toBe(true);
      await maybeExportHistory(env.client, workflowId, 'liquidation-approved-by-second-identity');
    } finally {
      clearInterval(buying);
    }
  });
});
