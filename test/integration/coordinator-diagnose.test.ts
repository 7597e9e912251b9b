// A coordinator left running on another task queue (an earlier deployment's `temporal.taskQueue`) is
// never answered: every modes query times out and the quoting worker pulls its quotes. The quoting
// worker then asks Temporal why (CoordinatorClient.diagnose) and names the cause and the remedy. At
// start-up it starts a coordinator on its own queue unless one runs (CoordinatorClient.ensureRunning).
// Real dev server; no worker polls either task queue.
import { CoordinatorClient } from '../../temporal/coordinator-client';
import { coordinatorWorkflowId, liquidityCoordinator } from '../../workflows/liquidity-coordinator.workflow';
import { openTestEnv, testLogger, uniqueId, type TestEnv } from './helpers';

let env: TestEnv;
beforeAll(async () => {
  env = await openTestEnv();
});
afterAll(async () => env?.close());

/** A fresh asset, an earlier deployment's task queue with its coordinator started on it, and ours. */
async function earlierDeployment(prefix: string) {
  const asset = uniqueId(prefix).toUpperCase();
  const oldQueue = uniqueId('old-deployment');
  const liveQueue = uniqueId('live');
  const old = await env.client.workflow.start(liquidityCoordinator, { workflowId: coordinatorWorkflowId(asset), taskQueue: oldQueue, args: [{ asset }] });
  const client = (taskQueue: string, a = asset) => new CoordinatorClient({ client: env.client, taskQueue, asset: a, logger: testLogger });
  return { asset, oldQueue, liveQueue, old, client };
}

describe('CoordinatorClient.diagnose', () => {
  it('names a coordinator running on another task queue; finds nothing when it is ours or gone', async () => {
    const { asset, oldQueue, liveQueue, old: handle, client } = await earlierDeployment('DIAG');
    try {
      const live = client(liveQueue);
      // The symptom: its controls cannot be read.
      expect(await live.readControls()).toBeUndefined();
      const cause = await live.diagnose();
      expect(cause).toContain(`coordinator:${asset} is running on task queue "${oldQueue}"`);
      expect(cause).toContain(`polls "${liveQueue}"`);
      expect(cause).toContain(`temporal workflow terminate --workflow-id coordinator:${asset}`);

      // Same task queue (a worker that is merely slow or down): no cause to name here.
      expect(await client(oldQueue).diagnose()).toBeUndefined();
    } finally {
      await handle.terminate('test done');
    }
    // Terminated, and never started for another asset: nothing to diagnose.
    expect(await client(liveQueue).diagnose()).toBeUndefined();
    expect(await client(liveQueue, uniqueId('NONE')).diagnose()).toBeUndefined();
  });
});

describe('CoordinatorClient.ensureRunning', () => {
  it('starts a coordinator on our queue when none runs, even if a closed run lives on another queue; never a second one', async () => {
    const { asset, oldQueue, liveQueue, old, client } = await earlierDeployment('ENS');
    // The earlier deployment's coordinator, terminated: its queries would still go to its queue.
    await old.terminate('earlier deployment');
    const live = client(liveQueue);
    try {
      expect(await live.ensureRunning()).toBe(true);
      const d = await env.client.workflow.getHandle(coordinatorWorkflowId(asset)).describe();
      expect([d.status.name, d.taskQueue]).toEqual(['RUNNING', liveQueue]);
      expect(d.runId).not.toBe(old.firstExecutionRunId);
      // Running already (ours, or another deployment's): left alone.
      expect(await live.ensureRunning()).toBe(false);
      expect(await client(oldQueue).ensureRunning()).toBe(false);
      expect((await env.client.workflow.getHandle(coordinatorWorkflowId(asset)).describe()).runId).toBe(d.runId);
    } finally {
      await env.client.workflow.getHandle(coordinatorWorkflowId(asset)).terminate('test done').catch(() => undefined);
    }
  });
});
