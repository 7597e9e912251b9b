// The quoting worker (workers/quoting.worker.ts runQuotingWorker, as `main.ts quoting` runs it) on the
// dev server, real parts: a SimExchange behind the Binance emulator reached with ccxt, the
// liquidityCoordinator on a test worker. Start-up sweep of an earlier run's orders (pa-, manual and
// another user's left alone), quoting only while the coordinator can be read (every quote pulled when
// it cannot, for longer than quoting.modesMaxAgeMs), a latched kill-switch trip cleared by an
// operator's audited `resetKillSwitch` update on the coordinator, and a stop that leaves nothing.
import { WorkflowUpdateFailedError } from '@temporalio/client';
import { Worker } from '@temporalio/worker';
import { randomBytes } from 'node:crypto';
import { mulberry32 } from '../../domain/rng';
import { RealClock } from '../../hotpath/clocks';
import { quoterClientIdPrefix } from '../../hotpath/order-sweep';
import { BinanceEmulator } from '../../sim/emulator/binance-emulator';
import { PRESET_MARKET, presetExchangeConfig } from '../../sim/exchange/exchange-presets';
import { SimExchange } from '../../sim/exchange/sim-exchange';
import { TransferNetwork } from '../../sim/exchange/transfer-network';
import { CcxtVenue } from '../../venues/ccxt/ccxt-venue';
import { ManagedVenue } from '../../venues/managed-venue';
import { runQuotingWorker } from '../../workers/quoting.worker';
import { liquidityCoordinator } from '../../workflows';
import { coordinatorWorkflowId, resetKillSwitchUpdate, stateQuery } from '../../workflows/liquidity-coordinator.workflow';
import { maybeExportHistory, openTestEnv, testConfig, testLogger, workflowBundlePath, type TestEnv } from './helpers';

jest.setTimeout(150_000);

let env: TestEnv;
beforeAll(async () => {
  env = await openTestEnv();
});
afterAll(async () => env?.close());

/** A Temporal worker for the coordinator (it calls no activity; the venues' keys stay out of it). */
const coordinatorWorker = (taskQueue: string) => Worker.create({ connection: env.native, taskQueue, workflowBundle: { codePath: workflowBundlePath() } });

const until = async (ok: () => boolean, what: string, capMs = 20_000) => {
  const deadline = Date.now() + capMs;
  while (!ok()) {
    if (Date.now() > deadline) throw new Error(`never saw ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
};

describe('quoting worker', () => {
  it('sweeps an earlier run, quotes only while the coordinator answers, and takes an operator’s kill-switch reset from it', async () => {
    const symbol = `Q${[...randomBytes(5)].map((b) => String.fromCharCode(65 + (b % 26))).join('')}`;
    const creds = { apiKey: randomBytes(16).toString('hex'), secret: randomBytes(32).toString('hex') };
    const clock = new RealClock();
    const network = new TransferNetwork({ delayMs: { min: 10, max: 10 } }, { clock, rng: mulberry32(3) });
    const market = { ...PRESET_MARKET, symbol: `${symbol}/USDT`, base: symbol, tickSize: '0.0001', lotSize: '1', minNotional: '1' };
    const ex = new SimExchange(presetExchangeConfig('alpha', { market, latencyMs: { min: 1, max: 2 }, rateLimit: { capacity: 5000, refillPerSec: 5000 } }), { clock, rng: mulberry32(4), network });
    ex.fund('ballast', symbol, '200000');
    ex.fund('ballast', 'USDT', '100000');
    ex.fund('bg', symbol, '1000000');
    ex.fund('bg', 'USDT', '1000000');
    ex.engine.placeOrder({ account: 'bg', clientOrderId: 'bg-bid', side: 'buy', type: 'limit', price: '0.49', amount: '5000', postOnly: true });
    ex.engine.placeOrder({ account: 'bg', clientOrderId: 'bg-ask', side: 'sell', type: 'limit', price: '0.51', amount: '5000', postOnly: true });
    const emu = new BinanceEmulator({ backend: ex, accounts: [{ account: 'ballast', ...creds }], host: '127.0.0.1', port: 0 });
    const { port, restUrl, wsUrl } = await emu.start();
    const config = testConfig((raw) => {
      raw.asset.symbol = symbol;
      raw.venues = (raw.venues as Record<string, any>[]).filter((v) => v.id === 'alpha').map((v) => ({ ...v, market: `${symbol}/USDT`, emulatorPort: port }));
      raw.simulation = { scenario: 'demo', host: '127.0.0.1', port: 1, chainPort: 1, ballast: { account: 'ballast', base: '0', quote: '0' } };
      raw.quoting = { modesMaxAgeMs: 2_000 };
    });
    const ours = () => ex.engine.openOrders('ballast').map((o) => o.clientOrderId ?? '');
    const quoting = () => ours().filter((id) => id.startsWith('bq'));

    // An earlier quoting run's orders, a running buyback's child order and one placed by hand.
    const earlierAdapter = new CcxtVenue({ id: 'alpha', exchangeId: 'binance', symbol: `${symbol}/USDT`, credentials: creds, restUrl, wsUrl });
    const earlier = new ManagedVenue(earlierAdapter, { now: () => clock.now(), clientIdPrefix: quoterClientIdPrefix('old1', 'alpha') });
    await earlier.placeOrder({ side: 'buy', price: '0.495', amount: '100', postOnly: true });
    await earlier.placeOrder({ side: 'sell', price: '0.505', amount: '100', postOnly: true });
    await earlier.placeOrder({ side: 'buy', price: '0.48', amount: '100', postOnly: true, clientOrderId: 'pa-77aa01-3-alpha' });
    await earlier.placeOrder({ side: 'sell', price: '0.52', amount: '100', postOnly: true, clientOrderId: 'manual-desk-1' });
    await earlierAdapter.close();

    const workflowId = coordinatorWorkflowId(symbol);
    let worker: Worker = await coordinatorWorker(config.temporal.taskQueue);
    let q: Awaited<ReturnType<typeof runQuotingWorker>> | undefined;
    try {
      await worker.runUntil(async () => {
        const handle = await env.client.workflow.start(liquidityCoordinator, { workflowId, taskQueue: config.temporal.taskQueue, args: [{ asset: symbol }] });
        q = await runQuotingWorker({ config, env: { BALLAST_SIM_API_KEY: creds.apiKey, BALLAST_SIM_API_SECRET: creds.secret }, logger: testLogger });
        expect(q.sweeps).toEqual([{ venueId: 'alpha', found: ['bqold1alp-1', 'bqold1alp-2'], canceled: ['bqold1alp-1', 'bqold1alp-2'], left: [], untouched: 2 }]);
        await until(() => quoting().length >= 4, 'the new run quoting');
        expect(quoting().every((id) => !id.startsWith('bqold1'))).toBe(true);
        expect(ours()).toEqual(expect.arrayContaining(['pa-77aa01-3-alpha', 'manual-desk-1']));

        // A stream outage trips the kill switch (venue unhealthy) and it stays latched after the stream is back.
        emu.disconnectStreams();
        await until(() => q!.engine.market.killSwitch.trips.length > 0, 'a kill-switch trip');
        expect(q.engine.market.killSwitch.trips[0]).toMatchObject({ venueId: 'alpha', reason: 'venue-unhealthy' });
        // The worker's /metrics shows the latch and the trip.
        const scraped = await (await fetch(q.metricsUrl)).text();
        expect(scraped).toContain('ballast_kill_switch_tripped{venue="alpha"} 1');
        expect(scraped).toContain('ballast_kill_switch_trips_total{venue="alpha",reason="venue-unhealthy"} 1');
        await until(() => quoting().length === 0, 'the trip pulling the quotes');
        await new Promise((r) => setTimeout(r, 3_000));
        expect(quoting()).toEqual([]);
        expect(q.engine.market.venue('alpha')?.healthy).toBe(true);

        // A reset without a reason is refused, naming the field; a proper one is recorded and clears the latch.
        const bad = await handle.executeUpdate(resetKillSwitchUpdate, { args: [{ venueId: 'alpha', requestedBy: 'ops@desk' } as never] }).catch((e: unknown) => e);
        expect(bad).toBeInstanceOf(WorkflowUpdateFailedError);
        expect(String((bad as WorkflowUpdateFailedError).cause?.message)).toContain('reason:');
        const reset = await handle.executeUpdate(resetKillSwitchUpdate, { args: [{ venueId: 'alpha', reason: 'stream outage over, books checked', requestedBy: 'ops@desk' }] });
        expect(reset).toMatchObject({ venueId: 'alpha', reason: 'stream outage over, books checked', requestedBy: 'ops@desk' });
        await until(() => q!.engine.market.killSwitch.trips.length === 0 && quoting().length >= 4, 'quoting again after the reset');
        const state = await handle.query(stateQuery);
        expect(state.killSwitchResets).toEqual([reset]);
        // The trip itself is on the durable record: the worker reported it to the coordinator (state and history).
        expect(state.killSwitchTrips).toEqual([expect.objectContaining({ scope: 'venue', venueId: 'alpha', reason: 'venue-unhealthy' })]);
        expect(state.killSwitchTrips![0]!.seq).toBeLessThan(reset.seq);
      });

      // The Temporal worker is gone: the coordinator cannot answer; after 2 s every quote is pulled.
      await until(() => quoting().length === 0, 'quotes pulled while the modes are unreadable', 15_000);
      expect(q!.modes.blocked(Date.now())).toMatch(/unreadable/);
      expect(await (await fetch(q!.metricsUrl)).text()).toContain('ballast_quoting_modes_known 0');
      expect(ours()).toEqual(expect.arrayContaining(['pa-77aa01-3-alpha', 'manual-desk-1']));

      worker = await coordinatorWorker(config.temporal.taskQueue);
      await worker.runUntil(async () => {
        await until(() => quoting().length >= 4, 'quoting once the coordinator answers again');
        // The reset was applied once: nothing tripped since, nothing re-applied.
        expect(q!.engine.market.killSwitch.trips).toEqual([]);
        const stopped = await q!.stop();
        q = undefined;
        expect(stopped.cancels[0]?.left).toEqual([]);
        expect(stopped.sweeps[0]?.left).toEqual([]);
        expect(quoting()).toEqual([]);
        expect(ours().sort()).toEqual(['manual-desk-1', 'pa-77aa01-3-alpha']);
        expect(ex.engine.openOrders('bg').map((o) => o.clientOrderId).sort()).toEqual(['bg-ask', 'bg-bid']);
        await env.client.workflow.getHandle(workflowId).terminate('test done');
      });
      await maybeExportHistory(env.client, workflowId, 'liquidityCoordinator-kill-switch-reset');
    } finally {
      await q?.stop();
      await emu.stop();
      clock.stop();
    }
  });
});
