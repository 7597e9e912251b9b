// Signed approvals and cancellation on the real dev server (issue 11, acceptance 1 and 6), with real
// withdrawals on a real local chain: operators are Hardhat test keys #10-#12 (config/demo.yaml:
// alice, bob, carol), mallory (#14) is no operator. Each refusal has its test: forged, self, expired,
// replayed (twice; made for another workflow), wrong workflow, reject-then-approve; a 2-of-3 tier
// success; a system-started transfer within policy needing nobody and one above the threshold needing
// an operator who is not behind it; business-key ids; Web UI cancel mid-transfer keeps the ledger balanced.
import { WorkflowExecutionAlreadyStartedError, WorkflowFailedError, WorkflowUpdateFailedError, type WorkflowHandle } from '@temporalio/client';
import type { Worker } from '@temporalio/worker';
import { Wallet } from 'ethers';
import { spawn } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { D } from '../../domain/money';
import type { SignedApproval, SignedDecision } from '../../domain/treasury/approval';
import { signApproval } from '../../scripts/approve';
import { tokenBalance } from '../../sim/evm/chain-bridge';
import { hardhatAccountKey } from '../../sim/evm/local-chain';
import { approveSignal, approveUpdate, fundTransfer, statusQuery, type TransferStatusView } from '../../workflows/fund-transfer.workflow';
import { rebalance } from '../../workflows/rebalance.workflow';
import type { VenueAdapter, WithdrawRequest } from '../../venues/venue.port';
import { withdrawal } from '../../workflows/withdrawal.workflow';
import { failureMessage } from '../../workflows/workflow-util';
import { workerActivities } from '../../workers/temporal.worker';
import { createTestWorker, maybeExportHistory, openTestEnv, temporalAddress, testLogger, uniqueId, type TestEnv } from './helpers';
import { ACCOUNT, COLD_WALLET, startTreasuryWorld, type TreasuryWorld } from './treasury-world';

jest.setTimeout(180_000);

let env: TestEnv;
let world: TreasuryWorld;
let worker: Worker;
let running: Promise<void>;

let slowWithdrawMs = 0;
let withdrawEntered = false;
const alice = new Wallet(hardhatAccountKey(10));
const bob = new Wallet(hardhatAccountKey(11));
const carol = new Wallet(hardhatAccountKey(12));
const mallory = new Wallet(hardhatAccountKey(14));

async function startWorker(): Promise<void> {
  worker = await createTestWorker(env, world.config, {
    activities: workerActivities({ config: world.config, logger: testLogger, now: Date.now, treasury: world.treasuryDeps() }),
  });
  running = worker.run();
}

beforeAll(async () => {
  env = await openTestEnv();
  world = await startTreasuryWorld({
    configure: (raw) => {
      // Room for every test's reservation on one day; BLST is 0.5 USD, 50 000 USD threshold, above 200 000 USD two approvers.
      raw.treasury.caps = { perTransferUsd: '250000', dailyUsd: '5000000' };
    },
  });
  // A venue whose withdraw answers slowly when asked: a cancel lands while the call is in flight.
  const alphaVenue = world.venues.get('alpha')!;
  world.venues.set(
    'alpha',
    Object.assign(Object.create(alphaVenue) as VenueAdapter, {
      async withdraw(req: WithdrawRequest) {
        if (slowWithdrawMs > 0) {
          withdrawEntered = true;
          await new Promise((r) => setTimeout(r, slowWithdrawMs));
        }
        return alphaVenue.withdraw!(req);
      },
    }),
  );
  await startWorker();
});

afterAll(async () => {
  worker?.shutdown();
  await running;
  await world?.stop();
  await env?.close();
});

const inAnHour = () => Math.floor(Date.now() / 1000) + 3600;
const kinds = async (workflowId: string) => (await world.ledger.entries({ workflowId })).map((e) => e.kind);

async function until<T>(what: string, probe: () => Promise<T | undefined>, ms = 60_000): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const v = await probe().catch(() => undefined);
    if (v !== undefined) return v;
    if (Date.now() > end) throw new Error(`gave up waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

const phase = (h: WorkflowHandle, want: TransferStatusView['phase']) =>
  until(`phase ${want}`, async () => {
    const s = await h.query(statusQuery);
    return s.phase === want ? s : undefined;
  });

/** Starts a withdrawal of `amount` BLST to the cold wallet under its business key and waits for approval. */
async function awaitingWithdrawal(amount: string, requester = 'alice@ops'): Promise<{ id: string; handle: WorkflowHandle<typeof withdrawal>; status: TransferStatusView }> {
  const requestId = uniqueId('w');
  const id = `withdrawal:${requestId}`;
  const handle = await env.client.workflow.start(withdrawal, {
    taskQueue: world.config.temporal.taskQueue,
    workflowId: id,
    workflowIdReusePolicy: 'REJECT_DUPLICATE',
    args: [{ requestId, asset: 'BLST', amount, fromVenue: 'alpha', toWallet: 'cold-wallet', requester }],
  });
  return { id, handle, status: await phase(handle, 'awaiting-approval') };
}

const sign = (w: Wallet, s: TransferStatusView, decision: SignedDecision, expiresAt = inAnHour()) => signApproval(w, s.signing!, decision, expiresAt);

async function refusal(p: Promise<unknown>): Promise<string> {
  const e = await p.then(
    () => undefined,
    (err: unknown) => err,
  );
  expect(e).toBeInstanceOf(WorkflowUpdateFailedError);
  return String((e as WorkflowUpdateFailedError).cause?.message);
}

const send = (h: WorkflowHandle, a: SignedApproval) => h.executeUpdate(approveUpdate, { args: [a] });

describe('signed approvals', () => {
  it('shows what to sign: the canonical subject, the quorum of the amount, the requester who must sign the request', async () => {
    const { id, handle, status } = await awaitingWithdrawal('110000');
    expect(status.signing).toEqual({
      workflowId: id,
      asset: 'BLST',
      amount: '110000',
      destination: 'wallet:cold-wallet',
      address: COLD_WALLET.toLowerCase(),
      network: 'ERC20',
      quorum: 1,
      requester: 'alice@ops',
      approvedBy: [],
    });
    // An approval before the requester signed the request does not count.
    expect(await refusal(send(handle, await sign(bob, status, 'approve')))).toMatch(/requester alice@ops has not signed the request/);
    await handle.cancel();
  });

  it('refuses a forged signature (a key that is no operator)', async () => {
    const { handle, status } = await awaitingWithdrawal('110000');
    await send(handle, await sign(alice, status, 'request'));
    expect(await refusal(send(handle, await sign(mallory, status, 'approve')))).toMatch(new RegExp(`signed by ${mallory.address.toLowerCase()}, which is not a configured operator`));
    expect((await handle.query(statusQuery)).phase).toBe('awaiting-approval');
    await handle.cancel();
  });

  it("refuses the requester's own key as an approver (self), and a request signed by anyone else", async () => {
    const { handle, status } = await awaitingWithdrawal('110000');
    expect(await refusal(send(handle, await sign(bob, status, 'request')))).toMatch(/"request" must be signed by the requester \(alice@ops\)/);
    await send(handle, await sign(alice, status, 'request'));
    expect(await refusal(send(handle, await sign(alice, status, 'approve')))).toMatch(/requester's key never counts/);
    expect((await handle.query(statusQuery)).phase).toBe('awaiting-approval');
    await handle.cancel();
  });

  it('requires the requester to be an operator above the threshold (a typed name cannot stand in for a key)', async () => {
    const requestId = uniqueId('w');
    const err = await env.client.workflow
      .execute(withdrawal, {
        taskQueue: world.config.temporal.taskQueue,
        workflowId: `withdrawal:${requestId}`,
        args: [{ requestId, asset: 'BLST', amount: '110000', fromVenue: 'alpha', toWallet: 'cold-wallet', requester: 'dave@ops' }],
      })
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(WorkflowFailedError);
    expect(failureMessage(err)).toMatch(/requester: "dave@ops" is not an operator/);
    expect(await kinds(`withdrawal:${requestId}`)).toEqual([]);
  });

  it('refuses an expired signature', async () => {
    const { handle, status } = await awaitingWithdrawal('110000');
    await send(handle, await sign(alice, status, 'request'));
    expect(await refusal(send(handle, await sign(bob, status, 'approve', Math.floor(Date.now() / 1000) - 5)))).toMatch(/expiresAt: the signature expired/);
    await handle.cancel();
  });

  it('refuses a replayed signature: the same one twice, and one made for another workflow', async () => {
    const a = await awaitingWithdrawal('110000');
    const b = await awaitingWithdrawal('110000');
    const request = await sign(alice, a.status, 'request');
    await send(a.handle, request);
    expect(await refusal(send(a.handle, request))).toMatch(/already used \(replayed\)/);
    // a's request replayed on b (same amount, asset, destination): made for another workflow id.
    expect(await refusal(send(b.handle, request))).toMatch(/workflowId: signed for "withdrawal:w-[^"]+", this is "withdrawal:w-/);
    await a.handle.cancel();
    await b.handle.cancel();
  });

  it('refuses a signature made for another workflow with its workflowId rewritten (wrong workflow): the signer no longer recovers', async () => {
    const a = await awaitingWithdrawal('110000');
    const b = await awaitingWithdrawal('110000');
    await send(b.handle, await sign(alice, b.status, 'request'));
    const forA = await sign(bob, a.status, 'approve');
    const rewritten = { ...forA, workflowId: b.id };
    expect(await refusal(send(b.handle, rewritten))).toMatch(/which is not a configured operator \(or the message was altered after signing\)/);
    expect((await b.handle.query(statusQuery)).approvals.map((x) => x.decision)).toEqual(['request']);
    await a.handle.cancel();
    await b.handle.cancel();
  });

  it('reject then approve sent together ends rejected: the first decision is final, nothing moves, the reservation is released', async () => {
    const { id, handle, status } = await awaitingWithdrawal('110000');
    await send(handle, await sign(alice, status, 'request'));
    const reject = await sign(bob, status, 'reject');
    const approve = await sign(carol, status, 'approve');
    // Both arrive while no worker runs (as signals, as the Web UI sends them), so one workflow task
    // delivers the reject and the approval together.
    worker.shutdown();
    await running;
    await handle.signal(approveSignal, reject);
    await handle.signal(approveSignal, approve);
    await startWorker();
    const r = await handle.result();
    expect(r.outcome).toBe('rejected');
    expect(r.status.approvals.map((x) => `${x.approver}:${x.decision}`)).toEqual(['alice@ops:request', 'bob@ops:reject']);
    expect(world.alpha.withdrawalRecords(ACCOUNT).filter((w) => w.idempotencyKey === `${id}:withdraw`)).toHaveLength(0);
    expect(await kinds(id)).toEqual(['reservation', 'release']);
    // One workflow task took both signals.
    const events = (await handle.fetchHistory()).events ?? [];
    const signalled = events.flatMap((e, i) => (e.workflowExecutionSignaledEventAttributes ? [i] : []));
    expect(signalled).toHaveLength(2);
    // No workflow task started between them: the next task saw both.
    expect(events.slice(signalled[0], signalled[1]).some((e) => e.workflowTaskStartedEventAttributes)).toBe(false);
    await maybeExportHistory(env.client, id, 'withdrawal-signed-reject-then-approve');
  });

  it('2-of-3 above 200 000 USD: the request, one approval is not enough, the same operator twice counts once, a second operator completes it on chain', async () => {
    const coldBefore = await tokenBalance(world.rpcUrl, world.tokens.BLST!.address, COLD_WALLET);
    // 420 000 BLST × 0.5 = 210 000 USD: the 2-approver tier.
    const { id, handle, status } = await awaitingWithdrawal('420000');
    expect(status.signing?.quorum).toBe(2);
    await send(handle, await sign(alice, status, 'request'));
    const one = await send(handle, await sign(bob, status, 'approve'));
    expect(one).toMatchObject({ phase: 'awaiting-approval', signing: { approvedBy: ['bob@ops'], requestSignedBy: 'alice@ops' } });
    expect(await refusal(send(handle, await sign(bob, status, 'approve', inAnHour() + 1)))).toMatch(/bob@ops has already approved/);
    await send(handle, await sign(carol, status, 'approve'));
    const r = await handle.result();
    expect(r.outcome).toBe('completed');
    expect(r.status.approvals.map((x) => `${x.approver}:${x.decision}`)).toEqual(['alice@ops:request', 'bob@ops:approve', 'carol@ops:approve']);
    const coldAfter = await tokenBalance(world.rpcUrl, world.tokens.BLST!.address, COLD_WALLET);
    expect(coldAfter - coldBefore).toBe(420_000n * 10n ** 18n);
    expect(await kinds(id)).toEqual(['reservation', 'transfer', 'fee']);
    await maybeExportHistory(env.client, id, 'withdrawal-signed-2-of-3');
  });
});

describe('npm run approve', () => {
  const run = (args: string[]) =>
    new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve, reject) => {
      const child = spawn(process.execPath, [require.resolve('tsx/cli'), join(__dirname, '..', '..', 'scripts', 'approve.ts'), ...args], {
        env: { ...process.env, TEMPORAL_ADDRESS: temporalAddress(), TEMPORAL_NAMESPACE: 'default' },
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      let stdout = '';
      let stderr = '';
      child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
      child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
      child.on('error', reject);
      child.on('close', (code) => resolve({ code, stdout, stderr }));
    });
  const keyFile = (w: Wallet) => {
    const f = join(mkdtempSync(join(tmpdir(), 'ballast-key-')), 'operator.key');
    writeFileSync(f, `${w.privateKey}\n`, { mode: 0o600 });
    return f;
  };

  it('reads status, signs and prints the JSON to paste; --send sends it; the key never appears in the output', async () => {
    const { id, handle } = await awaitingWithdrawal('110000');
    const request = await run([id, '--key-file', keyFile(alice), '--request', '--send']);
    expect(request.code).toBe(0);
    const bobFile = keyFile(bob);
    const printed = await run([id, '--key-file', bobFile, '--expires', '30m', '--note', 'ticket OPS-7']);
    expect(printed.code).toBe(0);
    const payload = JSON.parse(printed.stdout) as SignedApproval;
    expect(payload).toMatchObject({ workflowId: id, decision: 'approve', asset: 'BLST', amount: '110000', destination: 'wallet:cold-wallet', network: 'ERC20', note: 'ticket OPS-7' });
    expect(payload.expiresAt - Date.now() / 1000).toBeGreaterThan(29 * 60);
    for (const out of [request, printed]) {
      for (const k of [alice.privateKey, bob.privateKey]) {
        expect(out.stdout + out.stderr).not.toContain(k.slice(2));
      }
    }
    // Not sent yet: pasting it (here through the client, as the Web UI's Update form does) approves.
    expect((await handle.query(statusQuery)).signing?.approvedBy).toEqual([]);
    await send(handle, payload);
    expect((await handle.result()).outcome).toBe('completed');
    // Once decided, the command says why it cannot approve.
    const late = await run([id, '--key-file', keyFile(carol), '--send']);
    expect(late.code).toBe(1);
    expect(late.stderr).toMatch(/^approve: (refused: approve is invalid: .*not awaiting approval|.*already completed)/m);
  });
});

describe('system-started transfers', () => {
  const total = (ex: TreasuryWorld['alpha']) => {
    const b = ex.engine.balances(ACCOUNT).find((x) => x.asset === 'BLST');
    return new D(b?.free ?? '0').plus(b?.locked ?? '0');
  };

  it('a rebalance child within policy needs no human; one above the threshold needs an operator who is not behind the rebalance', async () => {
    // Within policy: 1 % of the total to bravo is far below 50 000 USD.
    const small = uniqueId('rebalance');
    const sum = total(world.alpha).plus(total(world.bravo));
    const bravoShare = total(world.bravo).plus(20_000).div(sum).toDecimalPlaces(6, D.ROUND_DOWN);
    const r1 = await env.client.workflow.execute(rebalance, {
      taskQueue: world.config.temporal.taskQueue,
      workflowId: small,
      workflowIdReusePolicy: 'REJECT_DUPLICATE',
      args: [{ requestId: small, asset: 'BLST', target: { alpha: new D(1).minus(bravoShare).toFixed(), bravo: bravoShare.toFixed() }, requester: 'alice@ops' }],
    });
    expect(r1.transfers).toHaveLength(1);
    expect(r1.transfers[0]).toMatchObject({ outcome: 'completed' });
    expect(new D(r1.transfers[0]!.amountUsd!).lte(50_000)).toBe(true);

    // Above the threshold: the child waits for signatures; alice started the rebalance, so her key never counts.
    const big = uniqueId('rebalance');
    const sum2 = total(world.alpha).plus(total(world.bravo));
    const share2 = total(world.bravo).plus(150_000).div(sum2).toDecimalPlaces(6, D.ROUND_DOWN);
    const parent = await env.client.workflow.start(rebalance, {
      taskQueue: world.config.temporal.taskQueue,
      workflowId: big,
      workflowIdReusePolicy: 'REJECT_DUPLICATE',
      args: [{ requestId: big, asset: 'BLST', target: { alpha: new D(1).minus(share2).toFixed(), bravo: share2.toFixed() }, requester: 'alice@ops' }],
    });
    const child = env.client.workflow.getHandle(`${big}:t0`);
    const status = await phase(child, 'awaiting-approval');
    expect(new D(status.amountUsd!).gt(50_000)).toBe(true);
    expect(status.signing).toMatchObject({ quorum: 1, approvedBy: [] });
    expect(status.signing?.requester).toBeUndefined();
    expect(await refusal(send(child, await sign(alice, status, 'approve')))).toMatch(/alice@ops requested this transfer/);
    await send(child, await sign(bob, status, 'approve'));
    const r2 = await parent.result();
    expect(r2.transfers).toEqual([expect.objectContaining({ workflowId: `${big}:t0`, outcome: 'completed' })]);
    expect(await kinds(`${big}:t0`)).toEqual(['reservation', 'transfer', 'fee']);
  });
});

describe('business-key ids and cancellation', () => {
  it('refuses an id that is not transfer:<requestId>, and a second run of the same request', async () => {
    const requestId = uniqueId('t');
    const input = { requestId, asset: 'BLST', amount: '100', from: { venue: 'alpha' }, to: { venue: 'bravo' }, requester: 'alice@ops' };
    const wrong = await env.client.workflow.execute(fundTransfer, { taskQueue: world.config.temporal.taskQueue, workflowId: `other-${requestId}`, args: [input] }).catch((e: unknown) => e);
    expect(wrong).toBeInstanceOf(WorkflowFailedError);
    expect(String((wrong as WorkflowFailedError).cause?.message)).toBe(`workflow id: expected "transfer:${requestId}" (the business key from requestId), got "other-${requestId}"`);
    const id = `transfer:${requestId}`;
    const opts = { taskQueue: world.config.temporal.taskQueue, workflowId: id, workflowIdReusePolicy: 'REJECT_DUPLICATE' as const, args: [input] as [typeof input] };
    expect((await env.client.workflow.execute(fundTransfer, opts)).outcome).toBe('completed');
    await expect(env.client.workflow.start(fundTransfer, opts)).rejects.toBeInstanceOf(WorkflowExecutionAlreadyStartedError);
    expect(await kinds(id)).toEqual(['reservation', 'transfer', 'fee']);
  });

  it('a cancel while awaiting approval (Web UI → Cancel) releases the reservation', async () => {
    const { id, handle } = await awaitingWithdrawal('110000');
    expect(await kinds(id)).toEqual(['reservation']);
    await handle.cancel();
    const err = await handle.result().catch((e: unknown) => e);
    expect(err).toBeInstanceOf(WorkflowFailedError);
    expect((await handle.describe()).status.name).toBe('CANCELLED');
    expect(await kinds(id)).toEqual(['reservation', 'release']);
    expect((await handle.query(statusQuery)).phase).toBe('cancelled');
  });

  it('a cancel while the withdraw call is in flight waits for its outcome: the venue accepted, so suspense, never a release', async () => {
    const requestId = uniqueId('t');
    const id = `transfer:${requestId}`;
    slowWithdrawMs = 3_000;
    withdrawEntered = false;
    try {
      const handle = await env.client.workflow.start(fundTransfer, {
        taskQueue: world.config.temporal.taskQueue,
        workflowId: id,
        args: [{ requestId, asset: 'BLST', amount: '500', from: { venue: 'alpha' }, to: { venue: 'bravo' }, requester: 'alice@ops' }],
      });
      await until('the withdraw call', async () => (withdrawEntered ? true : undefined));
      await handle.cancel();
      await handle.result().catch((e: unknown) => e);
      // The venue accepted after the cancel: one withdrawal, booked to suspense (not released).
      expect(world.alpha.withdrawalRecords(ACCOUNT).filter((w) => w.idempotencyKey === `${id}:withdraw`)).toHaveLength(1);
      expect(await kinds(id)).toEqual(['reservation', 'suspense']);
    } finally {
      slowWithdrawMs = 0;
    }
  });

  it('a cancel while waiting for confirmations books the amount to suspense: no dangling reservation, the money in motion accounted for', async () => {
    const requestId = uniqueId('t');
    const id = `transfer:${requestId}`;
    const handle = await env.client.workflow.start(fundTransfer, {
      taskQueue: world.config.temporal.taskQueue,
      workflowId: id,
      workflowIdReusePolicy: 'REJECT_DUPLICATE',
      // 40 confirmations at a block per 250 ms: ~10 s to cancel in.
      args: [{ requestId, asset: 'BLST', amount: '1000', from: { venue: 'alpha' }, to: { venue: 'bravo' }, requester: 'alice@ops', confirmations: 40 }],
    });
    await until('awaiting-tx or confirming', async () => (['awaiting-tx', 'confirming'].includes((await handle.query(statusQuery)).phase) ? true : undefined));
    await handle.cancel();
    const err = await handle.result().catch((e: unknown) => e);
    expect(err).toBeInstanceOf(WorkflowFailedError);
    const s = await handle.query(statusQuery);
    expect(s.phase).toBe('compensated');
    expect(await kinds(id)).toEqual(['reservation', 'suspense']);
    expect((await world.ledger.entries({ workflowId: id }))[1]).toMatchObject({ amount: '1000', from: 'alpha', to: 'venue:bravo' });
    // The venue did accept it: exactly one withdrawal under the key.
    expect(world.alpha.withdrawalRecords(ACCOUNT).filter((w) => w.idempotencyKey === `${id}:withdraw`)).toHaveLength(1);
    await maybeExportHistory(env.client, id, 'fundTransfer-cancelled-while-confirming');
  });
});
