// fundTransfer / withdrawal on the real dev server, with real withdrawals on a real local chain:
// policy, approval by a second operator's signature (Update with a validator), exactly one withdrawal even when
// the activity fails after the venue accepted, tx hash, confirmations, credit, ledger, search attributes.
import { WorkflowFailedError, WorkflowUpdateFailedError } from '@temporalio/client';
import type { Worker } from '@temporalio/worker';
import { D } from '../../domain/money';
import { ApplicationFailure } from '@temporalio/common';
import { tokenBalance } from '../../sim/evm/chain-bridge';
import { txConfirmations } from '../../venues/chain/evm-confirmations';
import type { VenueAdapter, WithdrawRequest } from '../../venues/venue.port';
import { Wallet } from 'ethers';
import { signApproval } from '../../scripts/approve';
import { hardhatAccountKey } from '../../sim/evm/local-chain';
import { approveUpdate, fundTransfer, statusQuery } from '../../workflows/fund-transfer.workflow';
import { withdrawal } from '../../workflows/withdrawal.workflow';
import { workerActivities } from '../../workers/temporal.worker';
import { Registry } from 'prom-client';
import { BallastMetrics } from '../../observability/metrics';
import { createTestWorker, maybeExportHistory, openTestEnv, testLogger, uniqueId, type TestEnv } from './helpers';
import { ACCOUNT, COLD_WALLET, startTreasuryWorld, type TreasuryWorld } from './treasury-world';

jest.setTimeout(240_000);

let env: TestEnv;
let world: TreasuryWorld;
let worker: Worker;
let running: Promise<void>;
/** Withdraw calls that reached the venue, and a switch to fail the activity after the venue accepted. */
const calls: WithdrawRequest[] = [];
let failAfterAcceptOnce = false;
/** A permanent failure of bravo's deposit history (the credit check), for the compensation test. */
let failCreditCheck = false;

beforeAll(async () => {
  env = await openTestEnv();
  world = await startTreasuryWorld();
  const alpha = world.venues.get('alpha')!;
  // The fault: the venue accepts the withdrawal, then the activity dies before reporting it.
  const faulty: VenueAdapter = Object.assign(Object.create(alpha) as VenueAdapter, {
    async withdraw(req: WithdrawRequest) {
      calls.push(req);
      const rec = await alpha.withdraw!(req);
      if (failAfterAcceptOnce) {
        failAfterAcceptOnce = false;
        throw new Error('worker lost the answer after the venue accepted the withdrawal');
      }
      return rec;
    },
  });
  world.venues.set('alpha', faulty);
  const bravo = world.venues.get('bravo')!;
  world.venues.set(
    'bravo',
    Object.assign(Object.create(bravo) as VenueAdapter, {
      async fetchDeposits(asset?: string, sinceMs?: number) {
        if (failCreditCheck) throw ApplicationFailure.nonRetryable('bravo: deposit history unavailable (injected)', 'TEST.FAULT');
        return bravo.fetchDeposits!(asset, sinceMs);
      },
    }),
  );
  worker = await createTestWorker(env, world.config, {
    activities: workerActivities({ config: world.config, logger: testLogger, now: Date.now, treasury: world.treasuryDeps(), metrics }),
  });
  running = worker.run();
});

afterAll(async () => {
  worker?.shutdown();
  await running;
  await world?.stop();
  await env?.close();
});

/** The worker's metrics: transfers counted as the ledger books them. */
const metrics = new BallastMetrics(new Registry());
const transfersCounted = async (outcome: string): Promise<number> =>
  Number(new RegExp(`^ballast_transfers_total\\{outcome="${outcome}"\\} (\\S+)$`, 'm').exec(await metrics.text())?.[1] ?? 0);

const withdrawalsAt = (key: string) => world.alpha.withdrawalRecords(ACCOUNT).filter((w) => w.idempotencyKey === key);

describe('fundTransfer', () => {
  it('moves BLST alpha → bravo below the approval threshold: one withdrawal, tx confirmed on chain, credited, ledger, search attributes', async () => {
    const requestId = uniqueId('transfer');
    const id = `transfer:${requestId}`;
    const bravoBefore = world.bravo.engine.balances(ACCOUNT).find((b) => b.asset === 'BLST')?.free ?? '0';
    const countedBefore = await transfersCounted('completed');
    const handle = await env.client.workflow.start(fundTransfer, {
      taskQueue: world.config.temporal.taskQueue,
      workflowId: id,
      args: [{ requestId, asset: 'BLST', amount: '1000', from: { venue: 'alpha' }, to: { venue: 'bravo' }, requester: 'alice@ops' }],
    });
    const r = await handle.result();
    expect(r.outcome).toBe('completed');
    expect(r.status).toMatchObject({ phase: 'completed', amountUsd: '500', needsApproval: false, credited: true });
    // Exactly one withdrawal at the venue under the workflow's key, with the chain's tx hash.
    const ws = withdrawalsAt(`${id}:withdraw`);
    expect(ws).toHaveLength(1);
    expect(ws[0]!.txHash).toBe(r.status.txHash);
    const c = await txConfirmations(world.rpcUrl, r.status.txHash!);
    expect(c.status).toBe('success');
    expect(c.confirmations).toBeGreaterThanOrEqual(3);
    const bravoAfter = world.bravo.engine.balances(ACCOUNT).find((b) => b.asset === 'BLST')?.free ?? '0';
    expect(new D(bravoAfter).minus(bravoBefore).toFixed()).toBe('1000');
    const entries = await world.ledger.entries({ workflowId: id });
    expect(entries.map((e) => e.kind)).toEqual(['reservation', 'transfer', 'fee']);
    expect(await transfersCounted('completed')).toBe(countedBefore + 1);
    expect(entries[1]).toMatchObject({ amount: '1000', amountUsd: '500', txHash: r.status.txHash, from: 'alpha', to: 'venue:bravo' });
    await maybeExportHistory(env.client, id, 'fundTransfer-alpha-to-bravo');
    const raw = (await handle.describe()).searchAttributes;
    expect(raw).toMatchObject({ Asset: ['BLST'], Venue: ['alpha'], Operation: ['fundTransfer'], Requester: ['alice@ops'], AmountUsd: [500] });
  });

  it('withdraws exactly once when the activity fails after the venue accepted (retried with the same key)', async () => {
    const requestId = uniqueId('retry');
    const id = `transfer:${requestId}`;
    const before = calls.length;
    failAfterAcceptOnce = true;
    const r = await env.client.workflow.execute(fundTransfer, {
      taskQueue: world.config.temporal.taskQueue,
      workflowId: id,
      args: [{ requestId, asset: 'BLST', amount: '250', from: { venue: 'alpha' }, to: { venue: 'bravo' }, requester: 'alice@ops' }],
    });
    expect(r.outcome).toBe('completed');
    // The venue was called twice (the first answer was lost) but holds one withdrawal and one tx.
    const mine = calls.slice(before).filter((c) => c.idempotencyKey === `${id}:withdraw`);
    expect(mine.length).toBe(2);
    expect(withdrawalsAt(`${id}:withdraw`)).toHaveLength(1);
    expect(await world.ledger.entries({ workflowId: id, kind: 'transfer' })).toHaveLength(1);
  });

  it('refuses a transfer over the per-transfer cap at once, before any withdrawal', async () => {
    const requestId = uniqueId('cap');
    const id = `transfer:${requestId}`;
    const err = await env.client.workflow
      .execute(fundTransfer, {
        taskQueue: world.config.temporal.taskQueue,
        workflowId: id,
        args: [{ requestId, asset: 'BLST', amount: '600000', from: { venue: 'alpha' }, to: { venue: 'bravo' }, requester: 'alice@ops' }],
      })
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(WorkflowFailedError);
    expect(String((err as WorkflowFailedError).cause?.message)).toMatch(/per-transfer cap/i);
    expect(withdrawalsAt(`${id}:withdraw`)).toHaveLength(0);
  });

  it('fails a malformed input at once with the field named, nothing reserved or moved', async () => {
    const requestId = uniqueId('bad');
    const id = `transfer:${requestId}`;
    const err = await env.client.workflow
      .execute(fundTransfer, {
        taskQueue: world.config.temporal.taskQueue,
        workflowId: id,
        args: [{ requestId, asset: 'BLST', amount: '-5', from: { venue: 'alpha' }, to: { venue: 'bravo' }, requester: 'alice@ops' }],
      })
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(WorkflowFailedError);
    expect(String((err as WorkflowFailedError).cause?.message)).toMatch(/amount/);
    expect(await world.ledger.entries({ workflowId: id })).toHaveLength(0);
  });
});

describe('withdrawal', () => {
  it('above the threshold waits for a second operator: the requester signs the request, her own approval is refused, a colleague\'s signature approves, funds reach the cold wallet on chain', async () => {
    const requestId = uniqueId('withdrawal');
    const id = `withdrawal:${requestId}`;
    const coldBefore = await tokenBalance(world.rpcUrl, world.tokens.BLST!.address, COLD_WALLET);
    const handle = await env.client.workflow.start(withdrawal, {
      taskQueue: world.config.temporal.taskQueue,
      workflowId: id,
      workflowIdReusePolicy: 'REJECT_DUPLICATE',
      args: [{ requestId, asset: 'BLST', amount: '120000', fromVenue: 'alpha', toWallet: 'cold-wallet', requester: 'alice@ops' }],
    });
    // 120000 × 0.5 = 60000 USD > 50000: approval needed.
    for (let i = 0; i < 100 && (await handle.query(statusQuery)).phase !== 'awaiting-approval'; i++) await new Promise((r) => setTimeout(r, 100));
    const status = await handle.query(statusQuery);
    expect(status).toMatchObject({ phase: 'awaiting-approval', amountUsd: '60000', needsApproval: true, signing: { quorum: 1, requester: 'alice@ops' } });
    expect(withdrawalsAt(`${id}:withdraw`)).toHaveLength(0);
    const expiresAt = Math.floor(Date.now() / 1000) + 3600;
    // Operators of config/demo.yaml: alice@ops = Hardhat key #10, bob@ops = #11.
    const aliceKey = new Wallet(hardhatAccountKey(10));
    await handle.executeUpdate(approveUpdate, { args: [await signApproval(aliceKey, status.signing!, 'request', expiresAt)] });
    const self = await handle.executeUpdate(approveUpdate, { args: [await signApproval(aliceKey, status.signing!, 'approve', expiresAt)] }).catch((e: unknown) => e);
    expect(self).toBeInstanceOf(WorkflowUpdateFailedError);
    expect(String((self as WorkflowUpdateFailedError).cause?.message)).toMatch(/requester's key never counts/);
    const after = await handle.executeUpdate(approveUpdate, { args: [await signApproval(new Wallet(hardhatAccountKey(11)), status.signing!, 'approve', expiresAt, 'checked the ticket')] });
    expect(after.approvals).toEqual([
      { approver: 'alice@ops', decision: 'request' },
      { approver: 'bob@ops', decision: 'approve', note: 'checked the ticket' },
    ]);
    const r = await handle.result();
    expect(r.outcome).toBe('completed');
    expect(withdrawalsAt(`${id}:withdraw`)).toHaveLength(1);
    const coldAfter = await tokenBalance(world.rpcUrl, world.tokens.BLST!.address, COLD_WALLET);
    expect(coldAfter - coldBefore).toBe(120_000n * 10n ** 18n);
    await maybeExportHistory(env.client, id, 'withdrawal-signed-approved');
  });

  it('expires when nobody approves in time: nothing moves and the reservation is released', async () => {
    const requestId = uniqueId('expire');
    const id = `withdrawal:${requestId}`;
    const r = await env.client.workflow.execute(withdrawal, {
      taskQueue: world.config.temporal.taskQueue,
      workflowId: id,
      args: [{ requestId, asset: 'BLST', amount: '110000', fromVenue: 'alpha', toWallet: 'cold-wallet', requester: 'alice@ops', approvalTimeoutSec: 60 }],
    });
    expect(r.outcome).toBe('expired');
    expect(withdrawalsAt(`${id}:withdraw`)).toHaveLength(0);
    expect((await world.ledger.entries({ workflowId: id })).map((e) => e.kind)).toEqual(['reservation', 'release']);
    await maybeExportHistory(env.client, id, 'withdrawal-approval-expired');
  }, 120_000);
});

describe('compensation', () => {
  it('a step that fails for good after the funds left books them to suspense, names the tx, and does not pretend they arrived', async () => {
    const requestId = uniqueId('suspense');
    const id = `transfer:${requestId}`;
    failCreditCheck = true;
    try {
      const handle = await env.client.workflow.start(fundTransfer, {
        taskQueue: world.config.temporal.taskQueue,
        workflowId: id,
        args: [{ requestId, asset: 'BLST', amount: '300', from: { venue: 'alpha' }, to: { venue: 'bravo' }, requester: 'alice@ops' }],
      });
      const err = await handle.result().catch((e: unknown) => e);
      expect(err).toBeInstanceOf(WorkflowFailedError);
      const status = await handle.query(statusQuery);
      expect(status.phase).toBe('compensated');
      expect(String((err as WorkflowFailedError).cause?.message)).toContain(`transfer failed after the withdrawal (${status.txHash!})`);
      // The money did leave alpha (one withdrawal, ok on chain): the ledger holds it in suspense, not as a transfer.
      expect(withdrawalsAt(`${id}:withdraw`).map((w) => w.status)).toEqual(['ok']);
      expect((await world.ledger.entries({ workflowId: id })).map((e) => e.kind)).toEqual(['reservation', 'suspense']);
      expect((await world.ledger.entries({ workflowId: id }))[1]).toMatchObject({ amount: '300', txHash: status.txHash });
    } finally {
      failCreditCheck = false;
    }
  });
});
