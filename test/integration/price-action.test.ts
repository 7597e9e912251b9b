// buyback on the dev server, real parts: two SimExchanges behind the Binance emulator, reached by the
// real ccxt client (CcxtVenue), a seller hitting the bids, Ballast's own quote resting on alpha, the
// ledger file. Checks: the business-key id, a bad Web-UI input failing at once naming the field, the
// buyback buying only at never-lead prices strictly below our own ask (our quote never filled), within
// its budget, its fills booked once per slice, and an operator's stop.
import { WorkflowFailedError } from '@temporalio/client';
import type { Worker } from '@temporalio/worker';
import { Wallet } from 'ethers';
import { createActivities } from '../../activities';
import { createApprovalActivities } from '../../activities/approval.activities';
import { signApproval } from '../../scripts/approve';
import { hardhatAccountKey } from '../../sim/evm/local-chain';
import { D } from '../../domain/money';
import { buildVenueRegistry } from '../../venues/registry';
import { approveExecutionUpdate, buyback, liquidation, priceActionStatusQuery, stopUpdate } from '../../workflows/price-action.workflow';
import { createTestWorker, maybeExportHistory, openTestEnv, testLogger, uniqueId, type TestEnv } from './helpers';
import { startPriceActionWorld, type PriceActionWorld } from './price-action-world';

jest.setTimeout(120_000);

let env: TestEnv;
let world: PriceActionWorld;
let worker: Worker;
let running: Promise<void>;

beforeAll(async () => {
  env = await openTestEnv();
  world = await startPriceActionWorld();
  const activities = {
    ...createActivities({ config: world.config, venues: buildVenueRegistry(world.config, Date.now), logger: testLogger, priceAction: world.deps() }),
    ...createApprovalActivities({ config: world.config, now: Date.now }),
  };
  worker = await createTestWorker(env, world.config, { activities });
  running = worker.run();
});

afterAll(async () => {
  worker?.shutdown();
  await running;
  await world?.stop();
  await env?.close();
});

/** The message an update was refused with (its validator's error is the failure's cause). */
const refusal = (p: Promise<unknown>): Promise<string> =>
  p.then(
    () => 'accepted',
    (e: Error & { cause?: Error }) => String(e.cause?.message ?? e.message),
  );

describe('buyback on the dev server', () => {
  it('refuses a bad input at once, naming the field, and an id that is not the business key', async () => {
    const bad = env.client.workflow.execute('buyback', { taskQueue: world.config.temporal.taskQueue, workflowId: uniqueId('buyback:BLST:bad'), args: [{ requestId: 'r1', asset: 'BLST', requester: 'ops', budgetUsd: '-5' }] });
    await expect(bad).rejects.toThrow(WorkflowFailedError);
    await bad.catch((e: WorkflowFailedError) => expect(String((e.cause as Error).message)).toMatch(/budgetUsd/));
    const wrongId = env.client.workflow.execute(buyback, { taskQueue: world.config.temporal.taskQueue, workflowId: uniqueId('my-buyback'), args: [{ requestId: 'r2', asset: 'BLST', requester: 'ops', budgetUsd: '100' }] });
    await wrongId.catch((e: WorkflowFailedError) => expect(String((e.cause as Error).message)).toMatch(/workflow id: expected "buyback:BLST:r2"/));
    await expect(wrongId).rejects.toThrow(WorkflowFailedError);
  });

  it('buys only at following prices below our own ask, within budget, books each slice once, and stops on request', async () => {
    await world.seedBooks('s');
    // Ballast's own quote: an ask at 0.5010 on alpha, which the buyback must never meet.
    await world.ccxt.get('alpha')!.submitOrder({ clientOrderId: 'quote-ask-1', side: 'sell', price: '0.501', amount: '200', postOnly: true, timeInForce: 'GTC' });
    await world.startFlow('sell', '0.450');
    const requestId = uniqueId('t');
    const workflowId = `buyback:BLST:${requestId}`;
    const handle = await env.client.workflow.start(buyback, {
      taskQueue: world.config.temporal.taskQueue,
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
    world.stopFlow();
    const r = result.status.report!;
    expect(r.stopReason).toBe('OPERATOR');
    expect(new D(r.budgetUsedUsd).lte('500')).toBe(true);
    // Never above the limit, never leading: every buyback fill at or below the best bid we saw (0.499) and the limit.
    const fills = (await world.ccxt.get('alpha')!.fetchMyTrades(Date.now() - 600_000)).concat(await world.ccxt.get('bravo')!.fetchMyTrades(Date.now() - 600_000));
    const ours = fills.filter((f) => f.side === 'buy');
    expect(ours.length).toBeGreaterThan(0);
    for (const f of ours) expect(new D(f.price).lte('0.499')).toBe(true);
    // Our own ask was never met (no self-trade, not expired by STP either).
    const quote = await world.ccxt.get('alpha')!.fetchOrder({ clientOrderId: 'quote-ask-1' });
    expect(quote).toMatchObject({ status: 'open', filled: '0' });
    // Each slice is booked once, and the ledger's total equals the report's.
    const trades = await world.ledger.entries({ workflowId, kind: 'trade' });
    expect(new Set(trades.map((e) => e.id)).size).toBe(trades.length);
    expect(trades.reduce((a, e) => a.plus(e.amount), new D(0)).eq(r.filledBase)).toBe(true);
    const boughtOnVenues = ours.reduce((a, f) => a.plus(f.amount), new D(0));
    expect(boughtOnVenues.eq(r.filledBase)).toBe(true);
    expect(await world.ledger.entries({ workflowId, kind: 'execution' })).toHaveLength(1);
    await maybeExportHistory(env.client, workflowId, 'buyback-stopped-by-operator');
  });

  it('liquidation above the approval threshold waits for a second operator\'s signature (after the requester\'s signed request), then sells only at or above its limit', async () => {
    // Fresh books, then a buyer lifts the asks on every venue.
    await world.seedBooks('l');
    await world.startFlow('buy', '0.505');
    try {
      const requestId = uniqueId('l');
      const workflowId = `liquidation:BLST:${requestId}`;
      const handle = await env.client.workflow.start(liquidation, {
        taskQueue: world.config.temporal.taskQueue,
        workflowId,
        args: [{ requestId, asset: 'BLST', requester: 'alice@ops', quantity: '1500', limitPrice: '0.45', durationMs: 60_000, sliceIntervalMs: 2_000, participationPct: 40, participationWindowMs: 30_000, measureReversion: false }],
      });
      let status = await handle.query(priceActionStatusQuery);
      for (let i = 0; i < 40 && status.phase !== 'awaiting-approval'; i++) {
        await new Promise((r) => setTimeout(r, 250));
        status = await handle.query(priceActionStatusQuery);
      }
      expect(status).toMatchObject({ phase: 'awaiting-approval', needsApproval: true, signing: { workflowId, asset: 'BLST', amount: '1500', destination: 'liquidation', address: '', quorum: 1, requester: 'alice@ops' } });
      // Operators of config/demo.yaml: alice@ops, bob@ops, carol@ops = Hardhat keys #10, #11, #12.
      const [alice, bob, carol] = [10, 11, 12].map((i) => new Wallet(hardhatAccountKey(i)));
      const sign = (w: Wallet, d: 'request' | 'approve' | 'reject') => signApproval(w, status.signing!, d, Math.floor(Date.now() / 1000) + 3600);
      await handle.executeUpdate(approveExecutionUpdate, { args: [await sign(alice!, 'request')] });
      expect(await refusal(handle.executeUpdate(approveExecutionUpdate, { args: [await sign(alice!, 'approve')] }))).toMatch(/requester's key never counts/);
      await handle.executeUpdate(approveExecutionUpdate, { args: [await sign(bob!, 'approve')] });
      expect(await refusal(handle.executeUpdate(approveExecutionUpdate, { args: [await sign(carol!, 'reject')] }))).toMatch(/not awaiting approval|already approved/);
      const deadline = Date.now() + 40_000;
      while (Date.now() < deadline && !(status.report && new D(status.report.filledBase).gt(0) && status.report.slices >= 2)) {
        await new Promise((r) => setTimeout(r, 500));
        status = await handle.query(priceActionStatusQuery);
      }
      await handle.executeUpdate(stopUpdate, { args: [{ reason: 'enough', requestedBy: 'risk@desk' }] });
      const result = await handle.result();
      const r = result.status.report!;
      expect(result.status.approvals).toEqual([
        { approver: 'alice@ops', decision: 'request' },
        { approver: 'bob@ops', decision: 'approve' },
      ]);
      expect(new D(r.filledBase).gt(0)).toBe(true);
      expect(new D(r.averagePrice!).gte('0.45')).toBe(true);
      const sold = (await world.ccxt.get('alpha')!.fetchMyTrades(Date.now() - 600_000)).concat(await world.ccxt.get('bravo')!.fetchMyTrades(Date.now() - 600_000)).filter((f) => f.side === 'sell');
      for (const f of sold) expect(new D(f.price).gte('0.45')).toBe(true);
      await maybeExportHistory(env.client, workflowId, 'liquidation-signed-approved');
    } finally {
      world.stopFlow();
    }
  });
});
