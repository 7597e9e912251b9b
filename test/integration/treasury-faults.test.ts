// Fault tests of fundTransfer on real Temporal dev servers (issue 5, acceptance 8), with real
// withdrawals on a real local chain:
// 1. the Ballast worker PROCESS (workers/main.ts worker, through ccxt and the Binance emulators) is
//    killed with SIGKILL after the venue accepted and broadcast the withdrawal and before the
//    destination credited it; a new worker process finishes the transfer with exactly one withdrawal;
// 2. a dev server with a SQLite file is stopped mid-transfer and started again on the same port and
//    file; the transfer completes with exactly one withdrawal.
// The kill / the stop land deterministically in the waiting phase: block production is frozen, so
// the broadcast withdrawal sits in the mempool with 0 confirmations until the test resumes the chain.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client, Connection, type WorkflowHandle } from '@temporalio/client';
import { NativeConnection, Worker } from '@temporalio/worker';
import { D } from '../../domain/money';
import { findTemporalBinary } from '../../temporal/binary';
import { freePort, startDevServer, type DevServer } from '../../temporal/dev-server';
import { fundTransfer, statusQuery, type TransferStatusView } from '../../workflows/fund-transfer.workflow';
import { workerActivities } from '../../workers/temporal.worker';
import { failKilledAttempt, openTestEnv, testLogger, uniqueId, workflowBundlePath, type TestEnv } from './helpers';
import { startProcessWorld, type ProcessWorld, type WorkerChild } from './treasury-process-world';
import { ACCOUNT } from './treasury-world';

jest.setTimeout(600_000);

let env: TestEnv;
let pw: ProcessWorld;

beforeAll(async () => {
  env = await openTestEnv();
  pw = await startProcessWorld();
});

afterAll(async () => {
  await pw?.stop();
  await env?.close();
});

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const withdrawalsAt = (key: string) => pw.world.alpha.withdrawalRecords(ACCOUNT).filter((w) => w.idempotencyKey === key);
/** Every withdrawal of Ballast's account at alpha, whatever its key: a retry under a new key would show here. */
const alphaWithdrawals = () => pw.world.alpha.withdrawalRecords(ACCOUNT).length;
const blstFree = (ex: ProcessWorld['world']['bravo']) => ex.engine.balances(ACCOUNT).find((b) => b.asset === 'BLST')?.free ?? '0';
const WITHDRAW_APPLY = ['POST', '/sapi/v1/capital/withdraw/apply'] as const;

/** Polls the `status` query until the phase is one of `phases`; fails on a terminal phase or after 120 s. */
async function untilPhase(handle: WorkflowHandle, phases: TransferStatusView['phase'][]): Promise<TransferStatusView> {
  let last: TransferStatusView | undefined;
  for (let i = 0; i < 600; i++) {
    try {
      last = await handle.query(statusQuery);
      if (phases.includes(last.phase)) return last;
      if (['completed', 'failed', 'compensated', 'rejected', 'expired'].includes(last.phase)) break;
    } catch {
      // No workflow task completed yet: the query has nothing to run on.
    }
    await sleep(200);
  }
  throw new Error(`workflow ${handle.workflowId} never reached ${phases.join('/')}; last status ${JSON.stringify(last)}`);
}

/** Identities of the workers that started activity tasks of this workflow, in history order. */
async function activityWorkers(handle: WorkflowHandle): Promise<{ type: string; identity: string; attempt: number }[]> {
  const history = await handle.fetchHistory();
  const scheduled = new Map<string, string>();
  const out: { type: string; identity: string; attempt: number }[] = [];
  for (const e of history.events ?? []) {
    const s = e.activityTaskScheduledEventAttributes;
    if (s) scheduled.set(String(e.eventId), s.activityType?.name ?? '');
    const st = e.activityTaskStartedEventAttributes;
    // History keeps the last attempt's start only (with its attempt number).
    if (st) out.push({ type: scheduled.get(String(st.scheduledEventId)) ?? '', identity: st.identity ?? '', attempt: st.attempt ?? 0 });
  }
  return out;
}

describe('kill -9 of the worker process between withdraw and deposit', () => {
  const children: WorkerChild[] = [];
  // Each case starts with no worker on the queue: the previous case's survivor must not take its work.
  afterEach(async () => {
    for (const w of children) {
      if (w && w.child.exitCode === null && w.child.signalCode === null) {
        w.child.kill('SIGKILL');
        await w.exited;
      }
    }
  });

  it('a new worker process completes the transfer: one withdrawal at the venue, one ledger transfer, bravo credited', async () => {
    const first = await pw.spawnWorker(env.connection);
    children.push(first);
    await pw.freezeChain();
    const requestId = uniqueId('kill9');
    const id = `transfer:${requestId}`;
    const key = `${id}:withdraw`;
    const bravoBefore = blstFree(pw.world.bravo);
    const appliesBefore = pw.emulators.alpha.requestCount(...WITHDRAW_APPLY);
    const allBefore = alphaWithdrawals();
    const handle = await env.client.workflow.start(fundTransfer, {
      taskQueue: pw.config.temporal.taskQueue,
      workflowId: id,
      args: [{ requestId, asset: 'BLST', amount: '1000', from: { venue: 'alpha' }, to: { venue: 'bravo' }, requester: 'alice@ops' }],
    });
    // The venue accepted and broadcast the withdrawal; the chain is frozen, so it cannot be credited.
    const before = await untilPhase(handle, ['confirming']);
    expect(before.txHash).toMatch(/^0x[0-9a-f]{64}$/i);

    first.child.kill('SIGKILL');
    expect(await first.exited).toEqual({ code: null, signal: 'SIGKILL' });

    // The moment of the kill: one withdrawal, on its way, not credited, nothing booked yet.
    const atKill = withdrawalsAt(key);
    expect(atKill).toHaveLength(1);
    expect(atKill[0]).toMatchObject({ status: 'confirming', txHash: before.txHash, amount: '1000' });
    expect(blstFree(pw.world.bravo)).toBe(bravoBefore);
    expect((await pw.ledger.entries({ workflowId: id })).map((e) => e.kind)).toEqual(['reservation']);
    expect(pw.emulators.alpha.requestCount(...WITHDRAW_APPLY) - appliesBefore).toBe(1);

    const second = await pw.spawnWorker(env.connection);
    children.push(second);
    await pw.resumeChain();
    const r = await handle.result();

    expect(r.outcome).toBe('completed');
    expect(r.status).toMatchObject({ phase: 'completed', credited: true, txHash: before.txHash, withdrawalId: before.withdrawalId });
    const after = withdrawalsAt(key);
    expect(after).toHaveLength(1);
    expect(alphaWithdrawals() - allBefore).toBe(1);
    expect(after[0]).toMatchObject({ id: atKill[0]!.id, status: 'ok', txHash: before.txHash });
    // The new worker never asked the venue for a second withdrawal.
    expect(pw.emulators.alpha.requestCount(...WITHDRAW_APPLY) - appliesBefore).toBe(1);
    expect(new D(blstFree(pw.world.bravo)).minus(bravoBefore).toFixed()).toBe('1000');
    const entries = await pw.ledger.entries({ workflowId: id });
    expect(entries.map((e) => e.kind)).toEqual(['reservation', 'transfer', 'fee']);
    expect(entries.filter((e) => e.kind === 'transfer')).toHaveLength(1);
    expect(entries[1]).toMatchObject({ amount: '1000', amountUsd: '500', txHash: before.txHash, from: 'alpha', to: 'venue:bravo' });
    // Both processes did part of the work: the first up to the confirmations, the second the rest.
    const acts = await activityWorkers(handle);
    expect(acts.find((a) => a.type === 'withdraw')?.identity).toMatch(new RegExp(`^${first.pid}@`));
    expect(acts.find((a) => a.type === 'awaitCredited')?.identity).toMatch(new RegExp(`^${second.pid}@`));
  });

  it('killed inside the withdraw activity, after the venue accepted and before the worker heard: the retry on a new process finds it, still one withdrawal', async () => {
    const first = await pw.spawnWorker(env.connection);
    children.push(first);
    await pw.freezeChain();
    const requestId = uniqueId('kill9w');
    const id = `transfer:${requestId}`;
    const key = `${id}:withdraw`;
    const bravoBefore = blstFree(pw.world.bravo);
    const allBefore = alphaWithdrawals();
    // The emulator has made the withdrawal when it builds its answer: the worker dies right there.
    let killedAt: number | undefined;
    pw.emulators.alpha.faults.inject(
      {
        kind: 'mutate',
        mutate: (body) => {
          killedAt = withdrawalsAt(key).length;
          first.child.kill('SIGKILL');
          return body;
        },
      },
      { method: 'POST', path: '/sapi/v1/capital/withdraw/apply', times: 1 },
    );
    const handle = await env.client.workflow.start(fundTransfer, {
      taskQueue: pw.config.temporal.taskQueue,
      workflowId: id,
      args: [{ requestId, asset: 'BLST', amount: '400', from: { venue: 'alpha' }, to: { venue: 'bravo' }, requester: 'alice@ops' }],
    });
    expect(await first.exited).toEqual({ code: null, signal: 'SIGKILL' });
    expect(killedAt).toBe(1);
    expect(withdrawalsAt(key)).toHaveLength(1);
    expect(blstFree(pw.world.bravo)).toBe(bravoBefore);

    // The withdraw activity's attempt dies with the process. It would time out after its 60 s
    // start-to-close timeout; it is failed by id now instead (the same retry, sooner), and Temporal
    // retries it on the new process with the same idempotency key.
    const second = await pw.spawnWorker(env.connection);
    children.push(second);
    await failKilledAttempt(env.client, handle, 'withdraw');
    await pw.resumeChain();
    const r = await handle.result();

    expect(r.outcome).toBe('completed');
    const ws = withdrawalsAt(key);
    expect(ws).toHaveLength(1);
    expect(alphaWithdrawals() - allBefore).toBe(1);
    expect(r.status).toMatchObject({ phase: 'completed', credited: true, withdrawalId: ws[0]!.id, txHash: ws[0]!.txHash });
    expect(new D(blstFree(pw.world.bravo)).minus(bravoBefore).toFixed()).toBe('400');
    expect((await pw.ledger.entries({ workflowId: id })).map((e) => e.kind)).toEqual(['reservation', 'transfer', 'fee']);
    const withdraw = (await activityWorkers(handle)).find((a) => a.type === 'withdraw');
    expect(withdraw?.identity).toMatch(new RegExp(`^${second.pid}@`));
    expect(withdraw?.attempt).toBeGreaterThanOrEqual(2);
  });
});

describe('dev server stopped and restarted mid-transfer (SQLite persisted)', () => {
  let server: DevServer | undefined;
  let dir: string;
  const cleanups: (() => Promise<void>)[] = [];
  afterAll(async () => {
    for (const c of cleanups.reverse()) await c().catch(() => undefined);
    await server?.stop();
    if (dir && !process.env.BALLAST_KEEP_TEST_FILES) rmSync(dir, { recursive: true, force: true });
  });

  it('completes after the restart with exactly one withdrawal', async () => {
    dir = mkdtempSync(join(tmpdir(), 'ballast-restart-'));
    const binary = findTemporalBinary({ log: testLogger }).path;
    const port = await freePort();
    const serverOptions = { binary, port, headless: true, dbFile: join(dir, 'temporal.sqlite'), logFile: join(dir, 'temporal.log'), log: testLogger };
    server = await startDevServer(serverOptions);
    const taskQueue = uniqueId('restart');
    const startWorker = async () => {
      const native = await NativeConnection.connect({ address: server!.address });
      const worker = await Worker.create({
        connection: native,
        taskQueue,
        workflowBundle: { codePath: workflowBundlePath() },
        activities: workerActivities({ config: pw.world.config, logger: testLogger, now: Date.now, treasury: pw.world.treasuryDeps() }),
      });
      const running = worker.run();
      const stop = async () => {
        if (worker.getState() === 'RUNNING') worker.shutdown();
        await running.catch(() => undefined);
        await native.close();
      };
      cleanups.push(stop);
      return { worker, running, stop };
    };
    const w1 = await startWorker();
    const conn1 = await Connection.connect({ address: server.address });
    cleanups.push(() => conn1.close());

    await pw.freezeChain();
    const requestId = uniqueId('restart');
    const id = `transfer:${requestId}`;
    const key = `${id}:withdraw`;
    const bravoBefore = blstFree(pw.world.bravo);
    const allBefore = alphaWithdrawals();
    const started = await new Client({ connection: conn1 }).workflow.start(fundTransfer, {
      taskQueue,
      workflowId: id,
      args: [{ requestId, asset: 'BLST', amount: '700', from: { venue: 'alpha' }, to: { venue: 'bravo' }, requester: 'alice@ops' }],
    });
    const before = await untilPhase(started, ['confirming']);
    expect(withdrawalsAt(key)).toHaveLength(1);

    // Down while the worker is mid-activity; then the server comes back from its SQLite file and
    // the same worker process reconnects by itself.
    await server.stop();
    server = await startDevServer(serverOptions);
    const conn2 = await Connection.connect({ address: server.address });
    cleanups.push(() => conn2.close());
    const handle = new Client({ connection: conn2 }).workflow.getHandle(id);
    // The restarted server knows the run and where it was.
    expect((await handle.query(statusQuery)).phase).toBe('confirming');
    await pw.resumeChain();
    const r = (await handle.result()) as Awaited<ReturnType<typeof fundTransfer>>;

    expect(r.outcome).toBe('completed');
    expect(r.status).toMatchObject({ phase: 'completed', credited: true, txHash: before.txHash });
    expect(withdrawalsAt(key)).toHaveLength(1);
    expect(alphaWithdrawals() - allBefore).toBe(1);
    expect(new D(blstFree(pw.world.bravo)).minus(bravoBefore).toFixed()).toBe('700');
    expect((await pw.world.ledger.entries({ workflowId: id })).map((e) => e.kind)).toEqual(['reservation', 'transfer', 'fee']);
    // The one worker rode out the outage (no second worker was started).
    expect(w1.worker.getState()).toBe('RUNNING');
  });
});
