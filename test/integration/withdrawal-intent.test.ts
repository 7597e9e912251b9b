// Withdrawal idempotency on an exchange WITHOUT client ids (issue 11, item 5), on the real dev server:
// fundTransfer alpha → bravo through the real ccxt client and the Binance emulator set to ignore
// withdrawOrderId and to show a withdrawal in its history only LAG ms after applying it (config
// withdrawalClientIds: false, withdrawalHistoryLagMs: LAG), real withdrawals on a real local chain.
// (b) the venue applies the withdrawal and the answer is lost while the history lags: the activity
//     waits out the lag, finds it, no second call; a cancel meanwhile books it to suspense, never
//     releases the reservation on the empty lookup;
// (c) the call never reached the venue: after the lag the retry withdraws, once;
// (d) two concurrent same-amount transfers to one address both lose their answers: two withdrawals,
//     each attributed to exactly one transfer.
import { randomBytes } from 'node:crypto';
import { WorkflowFailedError, type WorkflowHandle } from '@temporalio/client';
import type { Worker } from '@temporalio/worker';
import { D } from '../../domain/money';
import { BinanceEmulator } from '../../sim/emulator/binance-emulator';
import { CcxtVenue } from '../../venues/ccxt/ccxt-venue';
import { fundTransfer, statusQuery } from '../../workflows/fund-transfer.workflow';
import { workerActivities } from '../../workers/temporal.worker';
import { createTestWorker, maybeExportHistory, openTestEnv, testLogger, uniqueId, type TestEnv } from './helpers';
import { ACCOUNT, startTreasuryWorld, type TreasuryWorld } from './treasury-world';

jest.setTimeout(180_000);

const LAG = 2_500;
/**
 * The emulated venue's real history lag, 500 ms under the configured one: the product counts the lag from
 * before its call (the intent), the venue from when it applied the withdrawal, so a configured lag must
 * exceed the venue's by a call's duration (README, withdrawalHistoryLagMs). Equal, the outcome raced.
 */
const VENUE_LAG = LAG - 500;
const APPLY = ['POST', '/sapi/v1/capital/withdraw/apply'] as const;

let env: TestEnv;
let world: TreasuryWorld;
let emu: BinanceEmulator;
let worker: Worker;
let running: Promise<void>;

beforeAll(async () => {
  env = await openTestEnv();
  world = await startTreasuryWorld({
    configure: (raw) => {
      const alpha = (raw.venues as Record<string, unknown>[]).find((v) => v.id === 'alpha')!;
      alpha.withdrawalClientIds = false;
      alpha.withdrawalHistoryLagMs = LAG;
    },
  });
  const apiKey = randomBytes(16).toString('hex');
  const secret = randomBytes(32).toString('hex');
  emu = new BinanceEmulator({ backend: world.alpha, accounts: [{ account: ACCOUNT, apiKey, secret }], host: '127.0.0.1', port: 0, requiredConfirmations: 2, withdrawals: { historyLagMs: VENUE_LAG, clientIds: false } });
  const addr = await emu.start();
  // alpha reached as a live exchange is: ccxt, no client withdrawal id sent (the config's setting).
  world.venues.set('alpha', new CcxtVenue({ id: 'alpha', exchangeId: 'binance', symbol: 'BLST/USDT', credentials: { apiKey, secret }, restUrl: addr.restUrl, wsUrl: addr.wsUrl, timeoutMs: 5_000, withdrawalClientIds: false }));
  worker = await createTestWorker(env, world.config, {
    activities: workerActivities({ config: world.config, logger: testLogger, now: Date.now, treasury: world.treasuryDeps() }),
  });
  running = worker.run();
});

afterAll(async () => {
  worker?.shutdown();
  await running;
  await emu?.stop();
  await world?.stop();
  await env?.close();
});

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const allWithdrawals = () => world.alpha.withdrawalRecords(ACCOUNT);
const blstFree = () => world.bravo.engine.balances(ACCOUNT).find((b) => b.asset === 'BLST')?.free ?? '0';
const applies = () => emu.requestCount(...APPLY);
const kinds = async (id: string) => (await world.ledger.entries({ workflowId: id })).map((e) => e.kind);

function start(amount: string, tag: string): { id: string; handle: Promise<WorkflowHandle> } {
  const requestId = uniqueId(tag);
  const id = `transfer:${requestId}`;
  const handle = env.client.workflow.start(fundTransfer, {
    taskQueue: world.config.temporal.taskQueue,
    workflowId: id,
    args: [{ requestId, asset: 'BLST', amount, from: { venue: 'alpha' }, to: { venue: 'bravo' }, requester: 'alice@ops' }],
  });
  return { id, handle };
}

/** The last recorded attempt of each activity type (history keeps the last attempt's start). */
async function attempts(handle: WorkflowHandle): Promise<Record<string, number>> {
  const history = await handle.fetchHistory();
  const scheduled = new Map<string, string>();
  const out: Record<string, number> = {};
  for (const e of history.events ?? []) {
    const s = e.activityTaskScheduledEventAttributes;
    if (s) scheduled.set(String(e.eventId), s.activityType?.name ?? '');
    const st = e.activityTaskStartedEventAttributes;
    if (st) out[scheduled.get(String(st.scheduledEventId)) ?? ''] = st.attempt ?? 0;
  }
  return out;
}

async function until<T>(what: string, probe: () => T | undefined | Promise<T | undefined>, timeoutMs = 30_000): Promise<T> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const v = await probe();
    if (v !== undefined) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await sleep(50);
  }
}

describe('withdrawal idempotency without client ids (history lag ' + LAG + ' ms)', () => {
  it('(b) applied, answer lost, history lagging: the activity waits out the lag, finds it by amount/address/window, never calls again', async () => {
    const before = allWithdrawals().length;
    const appliesBefore = applies();
    const bravoBefore = blstFree();
    emu.faults.inject({ kind: 'lost-answer', status: 504 }, { method: 'POST', path: APPLY[1], times: 1 });
    const t0 = Date.now();
    const { id, handle: h } = start('400', 'lost');
    const handle = await h;
    const r = await handle.result();
    const took = Date.now() - t0;

    expect(r.outcome).toBe('completed');
    const mine = allWithdrawals().slice(before);
    expect(mine).toHaveLength(1);
    expect(applies() - appliesBefore).toBe(1);
    expect(mine[0]!.idempotencyKey).toMatch(/^emu-nokey-/); // the emulator never saw our key
    expect(r.status).toMatchObject({ withdrawalId: mine[0]!.id, txHash: mine[0]!.txHash, credited: true });
    expect(new D(blstFree()).minus(bravoBefore).toFixed()).toBe('400');
    // It waited for the history: the lookup within the lag said "unknown", a later one found it.
    expect(took).toBeGreaterThanOrEqual(LAG);
    expect((await attempts(handle)).withdraw).toBeGreaterThanOrEqual(3);
    const intents = await world.ledger.withdrawalIntents(id);
    expect(intents).toHaveLength(1);
    expect(intents[0]).toMatchObject({ venue: 'alpha', asset: 'BLST', amount: '400', network: 'ERC20', attempt: 1 });
    expect((await world.ledger.withdrawalAttributions('alpha'))[mine[0]!.id]).toBe(id);
    expect(await kinds(id)).toEqual(['reservation', 'transfer', 'fee']);
    await maybeExportHistory(env.client, id, 'fundTransfer-withdrawal-intent-lost-answer');
  });

  it('(b) cancelled while the outcome is unknown: the compensation waits out the lag, finds the withdrawal and books suspense — the reservation is NOT released', async () => {
    const before = allWithdrawals().length;
    const appliesBefore = applies();
    emu.faults.inject({ kind: 'lost-answer', status: 504 }, { method: 'POST', path: APPLY[1], times: 1 });
    const { id, handle: h } = start('300', 'lostcancel');
    const handle = await h;
    // The venue applied it (answer lost); the history will not show it for LAG ms.
    await until('the apply call', () => (applies() > appliesBefore ? true : undefined));
    await until('the intent', async () => ((await world.ledger.withdrawalIntents(id)).length > 0 ? true : undefined));
    const cancelledAt = Date.now();
    await handle.cancel();
    const err = await handle.result().catch((e: unknown) => e);
    expect(err).toBeInstanceOf(WorkflowFailedError);

    const mine = allWithdrawals().slice(before);
    expect(mine).toHaveLength(1);
    expect(applies() - appliesBefore).toBe(1);
    const entries = await kinds(id);
    expect(entries).toEqual(['reservation', 'suspense']);
    expect(entries).not.toContain('release');
    const status = await handle.query(statusQuery);
    expect(status).toMatchObject({ phase: 'compensated', withdrawalId: mine[0]!.id });
    // The compensation's first lookup (within the lag) found nothing and waited: a later attempt found it.
    expect((await attempts(handle)).withdrawalOutcome).toBeGreaterThanOrEqual(2);
    expect(Date.now() - cancelledAt).toBeLessThan(60_000);
    expect((await world.ledger.withdrawalAttributions('alpha'))[mine[0]!.id]).toBe(id);
    await maybeExportHistory(env.client, id, 'fundTransfer-withdrawal-intent-cancel-unknown');
  });

  it('(c) the call never reached the venue: after the lag the retry withdraws once', async () => {
    const before = allWithdrawals().length;
    const appliesBefore = applies();
    const bravoBefore = blstFree();
    emu.faults.inject({ kind: 'http', status: 503 }, { method: 'POST', path: APPLY[1], times: 1 });
    const t0 = Date.now();
    const { id, handle: h } = start('250', 'never');
    const handle = await h;
    const r = await handle.result();

    expect(r.outcome).toBe('completed');
    expect(Date.now() - t0).toBeGreaterThanOrEqual(LAG);
    const mine = allWithdrawals().slice(before);
    expect(mine).toHaveLength(1);
    // Two calls: the first refused at the door (503, nothing applied), the second after the lag.
    expect(applies() - appliesBefore).toBe(2);
    expect(new D(blstFree()).minus(bravoBefore).toFixed()).toBe('250');
    const intents = await world.ledger.withdrawalIntents(id);
    expect(intents.map((i) => i.attempt)).toEqual([1, 2]);
    // The second request came only after the first one's lag.
    expect(intents[1]!.at - intents[0]!.at).toBeGreaterThanOrEqual(LAG);
    expect((await world.ledger.withdrawalAttributions('alpha'))[mine[0]!.id]).toBe(id);
    expect(await kinds(id)).toEqual(['reservation', 'transfer', 'fee']);
  });

  it('(d) two concurrent same-amount transfers to one address, both answers lost: two withdrawals, each attributed to one transfer', async () => {
    const before = allWithdrawals().length;
    const appliesBefore = applies();
    const bravoBefore = blstFree();
    emu.faults.inject({ kind: 'lost-answer', status: 504 }, { method: 'POST', path: APPLY[1], times: 2 });
    const a = start('350', 'twin-a');
    const b = start('350', 'twin-b');
    const [ha, hb] = await Promise.all([a.handle, b.handle]);
    const [ra, rb] = await Promise.all([ha.result(), hb.result()]);

    expect([ra.outcome, rb.outcome]).toEqual(['completed', 'completed']);
    const mine = allWithdrawals().slice(before);
    expect(mine).toHaveLength(2);
    expect(applies() - appliesBefore).toBe(2);
    expect(ra.status.withdrawalId).not.toBe(rb.status.withdrawalId);
    expect(new Set([ra.status.withdrawalId, rb.status.withdrawalId])).toEqual(new Set(mine.map((w) => w.id)));
    expect(ra.status.txHash).not.toBe(rb.status.txHash);
    const owners = await world.ledger.withdrawalAttributions('alpha');
    expect(owners[ra.status.withdrawalId!]).toBe(a.id);
    expect(owners[rb.status.withdrawalId!]).toBe(b.id);
    expect(new D(blstFree()).minus(bravoBefore).toFixed()).toBe('700');
    expect(await kinds(a.id)).toEqual(['reservation', 'transfer', 'fee']);
    expect(await kinds(b.id)).toEqual(['reservation', 'transfer', 'fee']);
  });

  it('the ledger: an intent is recorded once per id, a refusal marks it, and of two concurrent attributions of one withdrawal exactly one wins', async () => {
    const wf = `transfer:${uniqueId('ledger')}`;
    const intent = { id: `${wf}:intent:1`, workflowId: wf, attempt: 1, venue: 'zeta', asset: 'BLST', amount: '5', address: '0xabc', network: 'ERC20', idempotencyKey: `${wf}:withdraw`, at: Date.now() };
    expect((await world.ledger.recordWithdrawalIntent(intent)).created).toBe(true);
    const again = await world.ledger.recordWithdrawalIntent({ ...intent, amount: '6' });
    expect(again).toEqual({ intent, created: false });
    await world.ledger.markWithdrawalIntentRefused(intent.id, 'VENUE.INSUFFICIENT_FUNDS');
    expect(await world.ledger.withdrawalIntents(wf)).toEqual([{ ...intent, refused: 'VENUE.INSUFFICIENT_FUNDS' }]);
    await expect(world.ledger.recordWithdrawalIntent({ ...intent, id: `${wf}:intent:2`, attempt: 2, amount: '0' })).rejects.toThrow(/amount/);

    const claims = await Promise.all(['transfer:x', 'transfer:y', 'transfer:z'].map((w) => world.ledger.attributeWithdrawal('zeta', 'w-42', w, Date.now())));
    expect(claims.filter((c) => c.created)).toHaveLength(1);
    const owner = claims.find((c) => c.created)!.workflowId;
    expect(claims.map((c) => c.workflowId)).toEqual([owner, owner, owner]);
    expect(await world.ledger.withdrawalAttributions('zeta')).toEqual({ 'w-42': owner });
  });
});
