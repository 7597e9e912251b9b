// rebalance, venueRisk and the liquidityCoordinator's policy on the real dev server, with real
// withdrawals on a real local chain (test/integration/treasury-world.ts).
import type { Worker } from '@temporalio/worker';
import { D } from '../../domain/money';
import { tokenBalance } from '../../sim/evm/chain-bridge';
import { SimVenue } from '../../venues/sim/sim-venue';
import { coordinatorWorkflowId, imbalanceSignal, liquidityCoordinator, modesQuery, stateQuery } from '../../workflows/liquidity-coordinator.workflow';
import { rebalance } from '../../workflows/rebalance.workflow';
import { resumeSignal, venueRiskStatusQuery } from '../../workflows/venue-risk.workflow';
import { workerActivities } from '../../workers/temporal.worker';
import { createTestWorker, maybeExportHistory, openTestEnv, testLogger, uniqueId, type TestEnv } from './helpers';
import { ACCOUNT, COLD_WALLET, startTreasuryWorld, type TreasuryWorld } from './treasury-world';

jest.setTimeout(300_000);

let env: TestEnv;
let world: TreasuryWorld;
let worker: Worker;
let running: Promise<void>;
const ASSET = 'BLST';

beforeAll(async () => {
  env = await openTestEnv();
  // 100 000 BLST × 0.5 = 50 000 USD: every move below stays at or under the approval threshold.
  world = await startTreasuryWorld({ funding: { BLST: '100000', USDT: '10000' } });
  worker = await createTestWorker(env, world.config, {
    activities: workerActivities({ config: world.config, logger: testLogger, now: Date.now, treasury: world.treasuryDeps() }),
  });
  running = worker.run();
});

afterAll(async () => {
  // The coordinator's id is fixed and the dev server is shared: a failed case must not leave it running.
  await env?.client.workflow.getHandle(coordinatorWorkflowId(ASSET)).terminate('treasury-flows done').catch(() => undefined);
  worker?.shutdown();
  await running;
  await world?.stop();
  await env?.close();
});

const total = (ex: TreasuryWorld['alpha'], asset: string) => {
  const b = ex.engine.balances(ACCOUNT).find((x) => x.asset === asset);
  return new D(b?.free ?? '0').plus(b?.locked ?? '0');
};

async function until<T>(what: string, probe: () => Promise<T | undefined>, ms = 120_000): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const v = await probe();
    if (v !== undefined) return v;
    if (Date.now() > end) throw new Error(`gave up waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

describe('rebalance', () => {
  it('plans without moving anything on dryRun', async () => {
    const id = uniqueId('rebalance-dry');
    const r = await env.client.workflow.execute(rebalance, {
      taskQueue: world.config.temporal.taskQueue,
      workflowId: id,
      args: [{ requestId: id, asset: ASSET, target: { alpha: '0.5', bravo: '0.5' }, requester: 'carol@ops', dryRun: true }],
    });
    // 100 000 on alpha, 0 on bravo: bravo's deficit of 50 000 is filled, alpha's 2 BLST fee paid on top.
    expect(r.plan.transfers).toEqual([{ from: 'alpha', to: 'bravo', amount: '50000', fee: '2' }]);
    expect(r.transfers).toEqual([]);
    expect(total(world.alpha, ASSET).toFixed()).toBe('100000');
  });

  it('moves the planned amount as a child fundTransfer and lands on target', async () => {
    const id = uniqueId('rebalance');
    const r = await env.client.workflow.execute(rebalance, {
      taskQueue: world.config.temporal.taskQueue,
      workflowId: id,
      args: [{ requestId: id, asset: ASSET, target: { alpha: '0.5', bravo: '0.5' }, requester: 'carol@ops' }],
    });
    expect(r.transfers).toEqual([{ workflowId: `${id}:t0`, from: 'alpha', to: 'bravo', amount: '50000', amountUsd: '25000', outcome: 'completed' }]);
    // alpha paid the venue's 2 BLST withdrawal fee on top.
    expect(total(world.alpha, ASSET).toFixed()).toBe('49998');
    expect(total(world.bravo, ASSET).toFixed()).toBe('50000');
    expect((await world.ledger.entries({ workflowId: `${id}:t0` })).map((e) => e.kind)).toEqual(['reservation', 'transfer', 'fee']);
    await maybeExportHistory(env.client, id, 'rebalance-alpha-bravo');
  });
});

describe('liquidityCoordinator policy → venueRisk', () => {
  it('on a sustained VENUE_UNHEALTHY starts venueRisk: quoting paused, orders cancelled, funds to the safe wallet, resumed by an operator', async () => {
    // One of our resting orders on alpha: venueRisk must cancel it.
    const ours = new SimVenue(world.alpha, ACCOUNT);
    await ours.loadMarket();
    await ours.submitOrder({ clientOrderId: 'ballast-bid-1', side: 'buy', price: '0.4', amount: '100', postOnly: true, timeInForce: 'GTC' });
    expect(world.alpha.engine.balances(ACCOUNT).find((b) => b.asset === 'USDT')?.locked).toBe('40');
    const coldBlst = await tokenBalance(world.rpcUrl, world.tokens.BLST!.address, COLD_WALLET);

    const coordinatorId = coordinatorWorkflowId(ASSET);
    // The suite shares one dev server: a coordinator an earlier test left (its worker gone) would take the
    // signal and never answer. This case's coordinator is its own.
    await env.client.workflow.getHandle(coordinatorId).terminate('treasury-flows: a coordinator of its own').catch(() => undefined);
    const handle = await env.client.workflow.signalWithStart(liquidityCoordinator, {
      taskQueue: world.config.temporal.taskQueue,
      workflowId: coordinatorId,
      args: [{ asset: ASSET, policy: { minRaisedMs: 1_000 } }],
      signal: imbalanceSignal,
      signalArgs: [{ type: 'raised', kind: 'VENUE_UNHEALTHY', venueId: 'alpha', value: 1, at: Date.now() }],
    });
    // The hysteresis holds it for 1 s, then a timer wakes the policy and the child starts.
    const state = await until('the venueRisk decision', async () => {
      const s = await handle.query(stateQuery);
      return s.policy?.actions.some((a) => a.kind === 'venueRisk') ? s : undefined;
    });
    const action = state.policy!.actions.find((a) => a.kind === 'venueRisk')!;
    const risk = env.client.workflow.getHandle(`${coordinatorId}:${action.id}`);
    const waiting = await until('the evacuation', async () => {
      const s = await risk.query(venueRiskStatusQuery);
      return s.phase === 'awaiting-resume' ? s : undefined;
    });
    expect((await handle.query(modesQuery)).alpha).toMatchObject({ mode: 'paused', requestedBy: 'venueRisk:liquidityCoordinator' });
    expect(waiting.canceledOrders).toBe(1);
    expect(waiting.blocked).toEqual([]);
    expect(waiting.evacuations.map((e) => e.error ?? '')).toEqual(['', '']);
    expect(waiting.evacuations.map((e) => [e.asset, e.amount, e.outcome]).sort()).toEqual([
      ['BLST', '49996', 'completed'],
      ['USDT', '9999', 'completed'],
    ]);
    expect(total(world.alpha, 'BLST').toFixed()).toBe('0');
    expect((await tokenBalance(world.rpcUrl, world.tokens.BLST!.address, COLD_WALLET)) - coldBlst).toBe(49_996n * 10n ** 18n);

    // A second raise of the same imbalance does nothing while the first action runs.
    await handle.signal(imbalanceSignal, { type: 'raised', kind: 'VENUE_UNHEALTHY', venueId: 'alpha', value: 1, at: Date.now() });
    await risk.signal(resumeSignal, { requestedBy: 'dave@ops', note: 'exchange back up' });
    const done = await risk.result();
    expect(done).toMatchObject({ phase: 'resumed', resumedBy: 'dave@ops' });
    const after = await until('the child report', async () => {
      const s = await handle.query(stateQuery);
      return s.policy?.outcomes.some((o) => o.id === action.id) ? s : undefined;
    });
    expect((await handle.query(modesQuery)).alpha).toMatchObject({ mode: 'normal', requestedBy: 'dave@ops' });
    expect(after.policy!.actions.filter((a) => a.kind === 'venueRisk')).toHaveLength(1);
    expect(after.policy!.outcomes.find((o) => o.id === action.id)).toMatchObject({ status: 'completed' });
    await maybeExportHistory(env.client, `${coordinatorId}:${action.id}`, 'venueRisk-from-coordinator-policy');
    // The coordinator's run so far (terminated below: it never ends by itself), with the policy's timer and child.
    await handle.terminate('test done');
    await maybeExportHistory(env.client, coordinatorId, 'liquidityCoordinator-policy-venueRisk');
  });
});
