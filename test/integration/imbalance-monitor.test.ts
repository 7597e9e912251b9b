// The quoting worker's imbalance path on the real dev server: a market where takers keep selling,
// watched by the worker's ImbalanceMonitor (tape, book, inventory, health) every second for two
// minutes, produces exactly one signal to the liquidityCoordinator — not a storm.
import { MarketState } from '../../domain/quoting/market-state';
import { ImbalanceMonitor } from '../../hotpath/imbalance-monitor';
import { CoordinatorClient } from '../../temporal/coordinator-client';
import { setVenueModeUpdate, stateQuery, type liquidityCoordinator } from '../../workflows/liquidity-coordinator.workflow';
import type { ImbalanceEvent } from '../../domain/quoting/imbalance';
import type { PublicTrade } from '../../venues/venue.port';
import { createTestWorker, openTestEnv, testConfig, testLogger, uniqueId, type TestEnv } from './helpers';

let env: TestEnv;
beforeAll(async () => {
  env = await openTestEnv();
});
afterAll(async () => env?.close());

it('a sustained sell-off seen by the worker becomes one coordinator signal', async () => {
  const config = testConfig();
  const worker = await createTestWorker(env, config);
  const asset = uniqueId('MON');
  const coordinator = new CoordinatorClient({ client: env.client, taskQueue: config.temporal.taskQueue, asset, logger: testLogger });
  const market = new MarketState();
  market.register('bravo', 'cex', '0.001');
  // A healthy, compliant book (bravo: max spread 0.5 %, ≥ 50 000 per side within ±2 %).
  market.updateBook('bravo', { venue: 'bravo', market: 'BLST/USDT', timestamp: 0, bids: [{ price: '0.499', amount: '200000' }], asks: [{ price: '0.5005', amount: '200000' }] }, 0);
  market.setObservation('bravo', { venueId: 'bravo', pnlQuote: '0', inventoryBase: '100000', healthy: true, lastBookAt: 0 });
  const sent: ImbalanceEvent[] = [];
  const monitor = new ImbalanceMonitor(market, async (e) => sent.push(e) && coordinator.signalImbalance(e), {
    venues: [{ venueId: 'bravo', targetInventory: '100000', requirements: config.venues.find((v) => v.id === 'bravo')!.requirements }],
    flowWindowMs: 60_000,
  });

  await worker.runUntil(async () => {
    const t0 = 1_000_000;
    for (let s = 0; s < 120; s++) {
      const now = t0 + s * 1000;
      // Every second a taker sells 1 000 BLST; one second in five a small buy (sell share ≈ 0.98).
      const trades: PublicTrade[] = [{ tradeId: `s${s}`, price: '0.499', amount: '1000', side: 'sell', timestamp: now }];
      if (s % 5 === 0) trades.push({ tradeId: `b${s}`, price: '0.5005', amount: '20', side: 'buy', timestamp: now });
      market.addTrades('bravo', trades);
      await monitor.tick(now);
    }
    expect(sent.map((e) => [e.type, e.kind])).toEqual([['raised', 'ONE_SIDED_SELLING']]);
    const handle = env.client.workflow.getHandle<typeof liquidityCoordinator>(coordinator.workflowId);
    // An update is ordered after every signal the server has accepted: the state below is final.
    await handle.executeUpdate(setVenueModeUpdate, { args: [{ venueId: 'bravo', mode: 'normal', reason: 'test barrier', requestedBy: 'test' }] });
    const state = await handle.query(stateQuery);
    expect(state.counters.signals).toBe(1);
    expect(state.history.map((h) => [h.event.kind, h.event.venueId])).toEqual([['ONE_SIDED_SELLING', 'bravo']]);
    await handle.terminate('test done');
  });
});
