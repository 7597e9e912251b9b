// liquidityCoordinator on the real dev server: signalWithStart from the quoting side, debounced imbalance
// signals, durable venue modes polled by the quoting worker, bad payloads, continueAsNew.
import { WorkflowUpdateFailedError, type WorkflowHandle } from '@temporalio/client';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { DEFAULT_IMBALANCE_CONFIG, ImbalanceDetector, type ImbalanceConfig, type ImbalanceEvent } from '../../domain/quoting/imbalance';
import { exportHistory } from '../../temporal/history';
import { CoordinatorClient, ModePoller, modeOf, type VenueModes } from '../../temporal/coordinator-client';
import { liquidityCoordinator } from '../../workflows';
import {
  coordinatorWorkflowId,
  imbalanceSignal,
  killSwitchTripSignal,
  setVenueModeUpdate,
  stateQuery,
  type CoordinatorState,
} from '../../workflows/liquidity-coordinator.workflow';
import { SA_ASSET, SA_OPERATION } from '../../workflows/search-attributes';
import { createTestWorker, openTestEnv, testConfig, testLogger, uniqueId, type TestEnv } from './helpers';

let env: TestEnv;
beforeAll(async () => {
  env = await openTestEnv();
});
afterAll(async () => env?.close());

/** Polls `probe` until `ok` holds (no timing assertion: the cap only keeps a broken run from hanging). */
async function eventually<T>(probe: () => Promise<T>, ok: (v: T) => boolean, what: string, capMs = 30_000): Promise<T> {
  const deadline = Date.now() + capMs;
  let last: T | undefined;
  while (Date.now() < deadline) {
    try {
      last = await probe();
      if (ok(last)) return last;
    } catch {
      // the workflow may be between runs (continueAsNew) or not started yet
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`never saw ${what}; last: ${JSON.stringify(last)}`);
}

/** An update is ordered after every signal the server accepted before it: a barrier for asserting counts. */
const barrier = (handle: WorkflowHandle<typeof liquidityCoordinator>, venueId = 'barrier') =>
  handle.executeUpdate(setVenueModeUpdate, { args: [{ venueId, mode: 'normal', reason: 'test barrier', requestedBy: 'test' }] });

const event = (type: 'raised' | 'cleared', at: number) => ({ type, venueId: 'alpha', kind: 'INVENTORY_DRIFT' as const, value: 25, at });

describe('liquidityCoordinator', () => {
  it('is started once by signalWithStart; later signals reach the same run (and its history is exported)', async () => {
    const config = testConfig();
    const worker = await createTestWorker(env, config);
    const asset = uniqueId('T1');
    const coordinator = new CoordinatorClient({ client: env.client, taskQueue: config.temporal.taskQueue, asset, logger: testLogger });
    const handle = env.client.workflow.getHandle<typeof liquidityCoordinator>(coordinatorWorkflowId(asset));

    await worker.runUntil(async () => {
      expect(await coordinator.signalImbalance(event('raised', 1000))).toBe(true);
      const firstRun = (await handle.describe()).runId;
      expect(await coordinator.signalImbalance(event('cleared', 2000))).toBe(true);
      expect(await coordinator.signalImbalance(event('raised', 3000))).toBe(true);
      await barrier(handle);
      const desc = await handle.describe();
      expect(desc.runId).toBe(firstRun);
      expect(desc.typedSearchAttributes.get(SA_OPERATION)).toBe('liquidityCoordinator');
      expect(desc.typedSearchAttributes.get(SA_ASSET)).toBe(asset);
      const state = await handle.query(stateQuery);
      expect(state.counters).toMatchObject({ signals: 3, raised: 2, cleared: 1, runs: 1 });
      expect(state.history.map((h) => [h.event.type, h.event.at])).toEqual([
        ['raised', 1000],
        ['cleared', 2000],
        ['raised', 3000],
      ]);
      expect(state.active).toEqual({ alpha: { INVENTORY_DRIFT: event('raised', 3000) } });
      await handle.terminate('test done');
    });

    const json = await exportHistory(env.client, handle.workflowId);
    expect(JSON.parse(json)).toHaveProperty('events');
    if (process.env.BALLAST_RECORD_HISTORIES === '1') {
      writeFileSync(join(__dirname, '..', 'histories', 'liquidityCoordinator-basic.json'), json);
    }
  });

  it('turns one sustained, flapping imbalance into exactly one recorded signal', async () => {
    const config = testConfig();
    const worker = await createTestWorker(env, config);
    const asset = uniqueId('T2');
    const coordinator = new CoordinatorClient({ client: env.client, taskQueue: config.temporal.taskQueue, asset, logger: testLogger });
    const thresholds: ImbalanceConfig = { ...DEFAULT_IMBALANCE_CONFIG, ONE_SIDED_SELLING: { enter: 0.8, exit: 0.6, minDurationMs: 2000, cooldownMs: 60_000 } };
    const detector = new ImbalanceDetector(thresholds);

    await worker.runUntil(async () => {
      let sent = 0;
      // 300 observations 100 ms apart (30 s of simulated selling), flapping between 0.85 and 0.7.
      for (let i = 0; i < 300; i++) {
        for (const e of detector.observe({ now: 10_000 + i * 100, venueId: 'bravo', kind: 'ONE_SIDED_SELLING', value: i % 3 === 0 ? 0.7 : 0.85 })) {
          await coordinator.signalImbalance(e);
          sent += 1;
        }
      }
      expect(sent).toBe(1);
      const handle = env.client.workflow.getHandle<typeof liquidityCoordinator>(coordinator.workflowId);
      await barrier(handle);
      const state = await handle.query(stateQuery);
      expect(state.counters.signals).toBe(1);
      // t=10 000 ms reads 0.7 (below enter); the breach starts at 10 100 and is 2 s old at 12 100 (i=21,
      // which reads 0.7: inside the hysteresis band, so the breach still counts as sustained).
      expect(state.history.map((h) => h.event)).toEqual([{ type: 'raised', venueId: 'bravo', kind: 'ONE_SIDED_SELLING', value: 0.7, at: 12_100 }]);
      await handle.terminate('test done');
    });
  });

  it('serves venue modes set by update to the quoting worker, which sees the change', async () => {
    const config = testConfig();
    const worker = await createTestWorker(env, config);
    const asset = uniqueId('T3');
    const coordinator = new CoordinatorClient({ client: env.client, taskQueue: config.temporal.taskQueue, asset, logger: testLogger, queryTimeoutMs: 2000 });
    const seen: VenueModes[] = [];
    const poller = new ModePoller(coordinator, (m) => seen.push(m));

    await worker.runUntil(async () => {
      // No coordinator yet: the query fails quietly and the known modes are empty.
      expect(await coordinator.fetchModes()).toEqual({});
      await env.client.workflow.start(liquidityCoordinator, { workflowId: coordinator.workflowId, taskQueue: config.temporal.taskQueue, args: [{ asset }] });
      const handle = env.client.workflow.getHandle<typeof liquidityCoordinator>(coordinator.workflowId);
      poller.start();
      try {
        const modes = await handle.executeUpdate(setVenueModeUpdate, { args: [{ venueId: 'alpha', mode: 'paused', reason: 'venue maintenance', requestedBy: 'ops@test' }] });
        expect(modes.alpha).toMatchObject({ mode: 'paused', reason: 'venue maintenance', requestedBy: 'ops@test' });
        await eventually(async () => seen.at(-1), (m) => m?.alpha?.mode === 'paused', 'the poller seeing alpha paused');
        const fetched = await coordinator.fetchModes();
        expect([modeOf(fetched, 'alpha'), modeOf(fetched, 'bravo')]).toEqual(['paused', 'normal']);

        await handle.executeUpdate(setVenueModeUpdate, { args: [{ venueId: 'alpha', mode: 'withdraw-only', reason: 'inventory too high', requestedBy: 'ops@test' }] });
        await eventually(async () => seen.at(-1), (m) => m?.alpha?.mode === 'withdraw-only', 'the poller seeing alpha withdraw-only');
        expect(seen.map((m) => m.alpha?.mode ?? 'none')).toEqual(['paused', 'withdraw-only']);
      } finally {
        poller.stop();
      }
      await handle.terminate('test done');
    });
  });

  it('records a bad imbalance payload with the field named, and rejects a bad mode update', async () => {
    const config = testConfig();
    const worker = await createTestWorker(env, config);
    const asset = uniqueId('T4');
    await worker.runUntil(async () => {
      const handle = await env.client.workflow.start(liquidityCoordinator, { workflowId: coordinatorWorkflowId(asset), taskQueue: config.temporal.taskQueue, args: [{ asset }] });
      const bad = { type: 'raised', venueId: 'alpha', kind: 'MOON', value: 1, at: 5 } as unknown as ImbalanceEvent;
      await handle.signal(imbalanceSignal, bad);
      const err = await barrier(handle, 'alpha')
        .then(() => handle.executeUpdate(setVenueModeUpdate, { args: [{ venueId: 'alpha', mode: 'sideways' as 'paused', reason: 'x', requestedBy: 'y' }] }))
        .catch((e: unknown) => e);
      expect(err).toBeInstanceOf(WorkflowUpdateFailedError);
      expect(String((err as WorkflowUpdateFailedError).cause?.message)).toContain('mode:');

      const state: CoordinatorState = await handle.query(stateQuery);
      expect(state.counters).toMatchObject({ signals: 0, rejected: 1, modeChanges: 1 });
      expect(state.rejected).toHaveLength(1);
      expect(state.rejected[0]?.issues.map((i) => i.path)).toEqual(['kind']);
      expect(state.modes.alpha?.mode).toBe('normal'); // the bad update never applied

      // A kill-switch trip report: a good one is kept; a bad one is recorded with its field named, never applied.
      await handle.signal(killSwitchTripSignal, { scope: 'venue', venueId: 'alpha', reason: 'stale-data', detail: 'book 61 s old', at: 1_000 });
      await handle.signal(killSwitchTripSignal, { scope: 'galaxy', reason: 'x', detail: '', at: 2_000 } as never);
      await barrier(handle, 'alpha');
      const after: CoordinatorState = await handle.query(stateQuery);
      expect(after.killSwitchTrips).toEqual([{ seq: expect.any(Number) as number, scope: 'venue', venueId: 'alpha', reason: 'stale-data', detail: 'book 61 s old', at: 1_000 }]);
      expect(after.rejected.at(-1)).toMatchObject({ signal: 'killSwitchTrip', issues: [expect.objectContaining({ path: 'scope' })] });
      expect((await handle.describe()).status.name).toBe('RUNNING');
      await handle.terminate('test done');
    });
  });

  it('continues as new after N events and keeps its state', async () => {
    const config = testConfig();
    const worker = await createTestWorker(env, config);
    const asset = uniqueId('T5');
    await worker.runUntil(async () => {
      const first = await env.client.workflow.start(liquidityCoordinator, {
        workflowId: coordinatorWorkflowId(asset),
        taskQueue: config.temporal.taskQueue,
        args: [{ asset, continueAsNewAfter: 3 }],
      });
      for (let i = 1; i <= 4; i++) await first.signal(imbalanceSignal, event(i % 2 ? 'raised' : 'cleared', i * 1000));
      const latest = env.client.workflow.getHandle<typeof liquidityCoordinator>(first.workflowId);
      const state = await eventually(() => latest.query(stateQuery), (s) => s.counters.signals === 4 && s.counters.runs >= 2, 'four signals over two runs');
      expect((await latest.describe()).runId).not.toBe(first.firstExecutionRunId);
      expect(state.history.map((h) => h.event.at)).toEqual([1000, 2000, 3000, 4000]);
      expect(state.counters).toMatchObject({ raised: 2, cleared: 2 });
      expect(state.active).toEqual({});
      await latest.terminate('test done');
    });
  });
});
