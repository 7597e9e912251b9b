// The coordinator's price action on the dev server, end to end: a sell-off (SELL_OFF raised: selling
// with the price below its trailing anchor; plain ONE_SIDED_SELLING starts nothing) → the
// liquidityCoordinator's policy starts a `buyback` child, which buys through the real
// ccxt client (no approval: within the coordinator's configured policy) → the selling clears → the
// coordinator asks the child to stop (IMBALANCE_CLEARED) → the child reports what it bought → buy
// pressure (ONE_SIDED_BUYING) → a `liquidation` of exactly the bought-back inventory.
import type { Worker } from '@temporalio/worker';
import { createActivities } from '../../activities';
import { D } from '../../domain/money';
import { buildVenueRegistry } from '../../venues/registry';
import { coordinatorWorkflowId, imbalanceSignal, liquidityCoordinator, stateQuery } from '../../workflows/liquidity-coordinator.workflow';
import { priceActionStatusQuery } from '../../workflows/price-action.workflow';
import { createTestWorker, maybeExportHistory, openTestEnv, testLogger, type TestEnv } from './helpers';
import { startPriceActionWorld, type PriceActionWorld } from './price-action-world';

jest.setTimeout(150_000);

let env: TestEnv;
let world: PriceActionWorld;
let worker: Worker;
let running: Promise<void>;

beforeAll(async () => {
  env = await openTestEnv();
  // A fresh symbol: the coordinator id (`coordinator:<asset>`) must be new on the shared dev server.
  world = await startPriceActionWorld({ symbol: `PA${Math.floor(Math.random() * 1e6)}` });
  const activities = createActivities({ config: world.config, venues: buildVenueRegistry(world.config, Date.now), logger: testLogger, priceAction: world.deps() });
  worker = await createTestWorker(env, world.config, { activities });
  running = worker.run();
});

afterAll(async () => {
  worker?.shutdown();
  await running;
  await world?.stop();
  await env?.close();
});

async function eventually<T>(probe: () => Promise<T>, ok: (v: T) => boolean, what: string, capMs = 60_000): Promise<T> {
  const deadline = Date.now() + capMs;
  let last: T | undefined;
  while (Date.now() < deadline) {
    try {
      last = await probe();
      if (ok(last)) return last;
    } catch {
      // not started yet
    }
    await new Promise((r) => setTimeout(r, 300));
  }
  throw new Error(`never saw ${what}; last: ${JSON.stringify(last)}`);
}

describe('coordinator → buyback → stop on cleared → liquidation of the bought-back inventory', () => {
  it('runs the whole episode', async () => {
    const asset = world.symbol;
    const taskQueue = world.config.temporal.taskQueue;
    const coordinatorId = coordinatorWorkflowId(asset);
    // SELL_OFF's value is the % below the anchor; the flow kinds' the share of taker volume.
    const ev = (type: 'raised' | 'cleared', kind: 'ONE_SIDED_SELLING' | 'ONE_SIDED_BUYING' | 'SELL_OFF', venueId = 'alpha') => ({
      type,
      venueId,
      kind,
      value: kind === 'SELL_OFF' ? (type === 'raised' ? 1.2 : 0.1) : type === 'raised' ? 0.9 : 0.5,
      at: Date.now(),
    });
    const policy = {
      minRaisedMs: 1_000,
      priceAction: {
        enabled: true,
        buybackUsdPerDay: '900',
        buybackUsdPerEpisode: '400',
        // Liquidate only above the arrival fair value + 0.2 %, in slices of 2 s (short for the test).
        liquidationPremiumPct: 0.2,
        minLiquidationBase: '10',
        durationMs: 60_000,
        sliceIntervalMs: 2_000,
        participationPct: 40,
      },
    };
    await world.seedBooks('c');
    await world.startFlow('sell', '0.450');
    const coordinator = await env.client.workflow.signalWithStart(liquidityCoordinator, {
      taskQueue,
      workflowId: coordinatorId,
      args: [{ asset, policy }],
      signal: imbalanceSignal,
      signalArgs: [ev('raised', 'ONE_SIDED_SELLING')],
    });
    // One-sided flow alone is ordinary trading: no buyback until the price has moved below its anchor.
    await eventually(() => coordinator.query(stateQuery), (s) => s.policy?.raised['alpha|ONE_SIDED_SELLING'] !== undefined, 'the selling recorded');
    await new Promise((r) => setTimeout(r, 1_500));
    expect((await coordinator.query(stateQuery)).policy!.actions).toEqual([]);
    await coordinator.signal(imbalanceSignal, ev('raised', 'SELL_OFF'));
    const buybackId = `${coordinatorId}:buyback:${asset}:1`;
    const child = env.client.workflow.getHandle(buybackId);
    // The child buys (no approval: started by the coordinator within its policy).
    const bought = await eventually(
      () => child.query(priceActionStatusQuery),
      (s) => s.phase === 'executing' && s.report !== undefined && new D(s.report.filledBase).gt(0),
      'the buyback buying',
    );
    expect(bought.needsApproval).toBe(false);
    expect(bought.budgetUsd).toBe('400');
    // The selling stops and clears: the coordinator asks the buyback to stop.
    world.stopFlow();
    await coordinator.signal(imbalanceSignal, ev('cleared', 'ONE_SIDED_SELLING'));
    await coordinator.signal(imbalanceSignal, ev('cleared', 'SELL_OFF'));
    // Stopped, it reports back at once and then measures the impact's reversion for an hour.
    const stopped = await eventually(() => child.query(priceActionStatusQuery), (s) => s.phase === 'measuring', 'the buyback stopped');
    expect(stopped.report).toMatchObject({ stopReason: 'IMBALANCE_CLEARED' });
    const boughtBase = stopped.report!.filledBase;
    expect(new D(stopped.report!.budgetUsedUsd).lte('400')).toBe(true);
    // The child's report reached the policy: the bought-back inventory, the USD it spent.
    const state = await eventually(
      () => coordinator.query(stateQuery),
      (s) => s.policy?.actions.some((a) => a.id === `buyback:${asset}:1` && a.status === 'completed') === true,
      'the buyback reported',
    );
    expect(state.policy!.boughtBackBase).toBe(boughtBase);
    expect(state.policy!.actions.find((a) => a.id === `buyback:${asset}:1`)!.movedUsd).toBe(stopped.report!.budgetUsedUsd);

    // Buy pressure: a liquidation of exactly what was bought back, above fair value + premium.
    await world.seedBooks('d');
    await world.startFlow('buy', '0.505');
    await coordinator.signal(imbalanceSignal, ev('raised', 'ONE_SIDED_BUYING'));
    const liquidationId = `${coordinatorId}:liquidation:${asset}:2`;
    const liq = await eventually(
      () => env.client.workflow.getHandle(liquidationId).query(priceActionStatusQuery),
      (s) => s.phase === 'executing',
      'the liquidation running',
    );
    expect(liq.quantity).toBe(boughtBase);
    expect(new D(liq.limitPrice!).gt(0)).toBe(true);
    world.stopFlow();
    await coordinator.signal(imbalanceSignal, ev('cleared', 'ONE_SIDED_BUYING'));
    const lr = await eventually(() => env.client.workflow.getHandle(liquidationId).query(priceActionStatusQuery), (s) => s.phase === 'measuring' || s.phase === 'completed', 'the liquidation stopped');
    expect(lr.report!.stopReason).toMatch(/IMBALANCE_CLEARED|COMPLETED/);
    if (lr.report!.averagePrice !== null) expect(new D(lr.report!.averagePrice).gte(liq.limitPrice!)).toBe(true);
    const after = await eventually(
      () => coordinator.query(stateQuery),
      (s) => s.policy?.actions.some((a) => a.id === `liquidation:${asset}:2` && a.status === 'completed') === true,
      'the liquidation reported',
    );
    expect(after.policy!.boughtBackBase).toBe(new D(boughtBase).minus(lr.report!.filledBase).toString());
    for (const id of [buybackId, liquidationId, coordinatorId]) await env.client.workflow.getHandle(id).terminate('test done').catch(() => undefined);
    await maybeExportHistory(env.client, buybackId, 'buyback-from-coordinator-sell-off');
    await maybeExportHistory(env.client, coordinatorId, 'liquidityCoordinator-sell-off');
  });
});
