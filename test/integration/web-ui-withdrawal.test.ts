// An operator's withdrawal through the Temporal Web UI, in Debian's chromium: started from the Start
// Workflow form with one JSON object, the requester's signed request and her refused self-approval
// pasted into the `approve` Update form, approved by a second operator's signature, completed — funds on chain at the cold wallet. A malformed
// input from the same form fails at once naming the field, and no funds move.
// Screenshots land in test-artifacts/browser/ (git-ignored).
import { Client, Connection, WorkflowFailedError } from '@temporalio/client';
import { NativeConnection, type Worker } from '@temporalio/worker';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { Wallet } from 'ethers';
import { signApproval } from '../../scripts/approve';
import { tokenBalance } from '../../sim/evm/chain-bridge';
import { hardhatAccountKey } from '../../sim/evm/local-chain';
import { findTemporalBinary } from '../../temporal/binary';
import { freePort, startDevServer, type DevServer } from '../../temporal/dev-server';
import { statusQuery, type TransferResult } from '../../workflows/fund-transfer.workflow';
import { workerActivities } from '../../workers/temporal.worker';
import { launchBrowser, newOperatorPage, screenshot, sendUpdateFromUi, startWorkflowFromUi, waitForStatusFromUi, type UiTarget } from '../browser-support/temporal-ui';
import { createTestWorker, testLogger, uniqueId, type TestEnv } from './helpers';
import { ACCOUNT, COLD_WALLET, startTreasuryWorld, type TreasuryWorld } from './treasury-world';

jest.setTimeout(300_000);

let server: DevServer | undefined;
let env: TestEnv;
let ui: UiTarget;
let world: TreasuryWorld;
let worker: Worker;
let workerRun: Promise<void>;
let browser: Browser;
let page: Page;

beforeAll(async () => {
  let address = process.env.TEMPORAL_ADDRESS ?? '';
  let uiUrl = process.env.TEMPORAL_UI_URL ?? '';
  if (!uiUrl) {
    server = await startDevServer({
      binary: process.env.TEMPORAL_CLI_PATH_FOR_TESTS ?? findTemporalBinary({ log: testLogger }).path,
      port: await freePort(),
      uiPort: await freePort(),
      logFile: join(tmpdir(), `ballast-web-ui-withdrawal-temporal-${process.pid}.log`),
      log: testLogger,
    });
    address = server.address;
    uiUrl = server.uiUrl ?? '';
  }
  ui = { uiUrl, namespace: 'default' };
  const connection = await Connection.connect({ address });
  const native = await NativeConnection.connect({ address });
  env = {
    connection,
    native,
    client: new Client({ connection }),
    close: async () => {
      await connection.close();
      await native.close();
    },
  };
  world = await startTreasuryWorld({ configure: (raw) => (raw.temporal.address = address) });
  worker = await createTestWorker(env, world.config, {
    activities: workerActivities({ config: world.config, logger: testLogger, now: Date.now, treasury: world.treasuryDeps() }),
  });
  workerRun = worker.run();
  browser = await launchBrowser();
  page = await newOperatorPage(browser);
});

afterAll(async () => {
  await browser?.close();
  if (worker) {
    worker.shutdown();
    await workerRun;
  }
  await world?.stop();
  await env?.close();
  await server?.stop();
});

const withdrawalsAt = (key: string) => world.alpha.withdrawalRecords(ACCOUNT).filter((w) => w.idempotencyKey === key);

describe('withdrawal from the Temporal Web UI', () => {
  it('is started from the form, refused for self-approval, approved by a second identity, and completes on chain', async () => {
    const requestId = uniqueId('ui-withdrawal');
    const workflowId = `withdrawal:${requestId}`;
    const coldBefore = await tokenBalance(world.rpcUrl, world.tokens.BLST!.address, COLD_WALLET);
    const input = { requestId, asset: 'BLST', amount: '120000', fromVenue: 'alpha', toWallet: 'cold-wallet', requester: 'alice@ops', reason: 'move to cold storage' };
    const started = await startWorkflowFromUi(page, { ...ui, workflowId, taskQueue: world.config.temporal.taskQueue, workflowType: 'withdrawal', input, shots: 'withdrawal-start' });
    expect(started.message).toMatch(/started successfully/i);
    const handle = env.client.workflow.getHandle(workflowId);
    for (let i = 0; i < 100 && (await handle.query(statusQuery)).phase !== 'awaiting-approval'; i++) await new Promise((r) => setTimeout(r, 200));
    expect(await handle.query(statusQuery)).toMatchObject({ phase: 'awaiting-approval', amountUsd: '60000', requester: 'alice@ops' });
    expect(withdrawalsAt(`${workflowId}:withdraw`)).toHaveLength(0);

    const ref = { ...ui, workflowId };
    // What `npm run approve -- <id> --key-file …` prints, pasted into the Update form (operators of
    // config/demo.yaml: alice@ops = Hardhat key #10, bob@ops = #11).
    const signing = (await handle.query(statusQuery)).signing!;
    const expiresAt = Math.floor(Date.now() / 1000) + 3600;
    const alice = new Wallet(hardhatAccountKey(10));
    const request = await sendUpdateFromUi(page, { ...ref, name: 'approve', input: await signApproval(alice, signing, 'request', expiresAt), shots: 'withdrawal-request' });
    expect(request).toMatchObject({ ok: true });
    const self = await sendUpdateFromUi(page, { ...ref, name: 'approve', input: await signApproval(alice, signing, 'approve', expiresAt), shots: 'withdrawal-self-approve' });
    expect(self).toMatchObject({ ok: false, handler: 'listed' });
    expect(self.message).toMatch(/requester's key never counts/);
    expect(withdrawalsAt(`${workflowId}:withdraw`)).toHaveLength(0);

    const ok = await sendUpdateFromUi(page, { ...ref, name: 'approve', input: await signApproval(new Wallet(hardhatAccountKey(11)), signing, 'approve', expiresAt, 'ticket OPS-42'), shots: 'withdrawal-approve' });
    expect(ok).toEqual({ ok: true, message: 'Update successful', handler: 'listed' });
    expect(await waitForStatusFromUi(page, ref, ['COMPLETED', 'FAILED'], 120_000)).toBe('COMPLETED');
    await screenshot(page, 'withdrawal-completed');

    const r = (await handle.result()) as TransferResult;
    expect(r.outcome).toBe('completed');
    expect(r.status.approvals).toEqual([
      { approver: 'alice@ops', decision: 'request' },
      { approver: 'bob@ops', decision: 'approve', note: 'ticket OPS-42' },
    ]);
    expect(withdrawalsAt(`${workflowId}:withdraw`)).toHaveLength(1);
    const coldAfter = await tokenBalance(world.rpcUrl, world.tokens.BLST!.address, COLD_WALLET);
    expect(coldAfter - coldBefore).toBe(120_000n * 10n ** 18n);
  });

  it('fails a malformed input from the same form at once, naming the field, and moves nothing', async () => {
    const requestId = uniqueId('ui-withdrawal-bad');
    const workflowId = `withdrawal:${requestId}`;
    const coldBefore = await tokenBalance(world.rpcUrl, world.tokens.BLST!.address, COLD_WALLET);
    const input = { requestId, asset: 'BLST', amount: 'all of it', fromVenue: 'alpha', toWallet: 'cold-wallet', requester: 'alice@ops' };
    const started = await startWorkflowFromUi(page, { ...ui, workflowId, taskQueue: world.config.temporal.taskQueue, workflowType: 'withdrawal', input, shots: 'withdrawal-bad' });
    expect(started.message).toMatch(/started successfully/i);
    expect(await waitForStatusFromUi(page, { ...ui, workflowId }, ['COMPLETED', 'FAILED'])).toBe('FAILED');
    await screenshot(page, 'withdrawal-bad-failed');
    const err = await env.client.workflow.getHandle(workflowId).result().catch((e: unknown) => e);
    expect(err).toBeInstanceOf(WorkflowFailedError);
    expect(String((err as WorkflowFailedError).cause?.message)).toMatch(/withdrawal input is invalid: amount: /);
    expect(withdrawalsAt(`${workflowId}:withdraw`)).toHaveLength(0);
    expect(await world.ledger.entries({ workflowId })).toHaveLength(0);
    expect(await tokenBalance(world.rpcUrl, world.tokens.BLST!.address, COLD_WALLET)).toBe(coldBefore);
  });
});
