// Idempotent child orders under a worker crash (issue 10, acceptance 5): a buyback runs on the
// Ballast worker PROCESS (workers/main.ts worker, ccxt → Binance emulators → SimExchanges) while
// independent sellers hit the bids; the worker is killed with SIGKILL at a risky moment and a new
// process takes over. The exchanges' own record of Ballast's account (every order, every fill, read
// from the engines here) is the ground truth: each `pa-` client id is one order at most, and the
// buy fills of this workflow's orders = the workflow's filledBase = its ledger trades (each once).
// 1. killed while a slice's passive orders rest (history: placeChildOrders completed, the rest timer
//    started); a seller fills them while no worker runs; the new process settles and books them;
// 2. killed inside placeChildOrders, right after alpha accepted a child order and before the worker
//    heard back; the order fills completely while no worker runs (so alpha would take the same client
//    id again); the retry on the new process finds it by client id instead of placing it twice.
import { readFileSync } from 'node:fs';
import type { WorkflowHandle } from '@temporalio/client';
import type { temporal } from '@temporalio/proto';
import { D } from '../../domain/money';
import { idHash } from '../../domain/price-action/executor';
import type { EngineOrder } from '../../sim/engine/engine.types';
import { buyback, priceActionStatusQuery, stopUpdate, type PriceActionResult } from '../../workflows/price-action.workflow';
import { failKilledAttempt, openTestEnv, uniqueId, type TestEnv } from './helpers';
import { ACCOUNT, startPriceActionProcessWorld, VENUES, type PriceActionProcessWorld, type VenueId } from './price-action-process-world';
import type { WorkerChild } from './treasury-process-world';

// Each wait of the second case has its own deadline that names the step and what the workflow and the
// live worker were doing (a fresh-clone CI run once hung in that case for 180 s with nothing to go on).
jest.setTimeout(300_000);

let env: TestEnv;
let pw: PriceActionProcessWorld;
let selling: ReturnType<typeof setInterval> | undefined;
const children: WorkerChild[] = [];

beforeAll(async () => {
  env = await openTestEnv();
  pw = await startPriceActionProcessWorld();
  // Independent flow on every venue: 10 BLST sold into the best bid every 250 ms.
  selling = setInterval(() => {
    for (const v of VENUES) {
      try {
        pw.sell(v, '0.450', '10', 'flow');
      } catch {
        // A refused sell is only less flow this tick.
      }
    }
  }, 250);
});

afterAll(async () => {
  if (selling) clearInterval(selling);
  await pw?.stop();
  await env?.close();
});

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const live = (w: WorkerChild) => w.child.exitCode === null && w.child.signalCode === null;
const prefixOf = (workflowId: string) => `pa-${idHash(workflowId)}-`;
/** Slice k of a child order id `pa-<hash>-<k>-<leg>`. */
const sliceOf = (clientOrderId: string) => Number(clientOrderId.split('-')[2]);

/** The worker left by the previous case, or a new one. */
async function worker(): Promise<WorkerChild> {
  const alive = children.find(live);
  if (alive) return alive;
  const w = await pw.spawnWorker(env.connection);
  children.push(w);
  return w;
}

/** What the workflow and every worker child were doing: pending activities, attempts, last failures, log tails. */
async function diagnose(handle: WorkflowHandle): Promise<string> {
  const lines: string[] = [];
  try {
    const d = await handle.describe();
    lines.push(`workflow ${handle.workflowId}: ${d.status.name}`);
    for (const a of d.raw.pendingActivities ?? []) {
      lines.push(`  pending ${a.activityType?.name ?? '?'} (id ${a.activityId}) attempt ${a.attempt} state ${String(a.state)}${a.lastFailure?.message ? `; last failure: ${a.lastFailure.message}` : ''}${a.lastWorkerIdentity ? `; last worker ${a.lastWorkerIdentity}` : ''}`);
    }
  } catch (e) {
    lines.push(`workflow ${handle.workflowId}: describe failed: ${e instanceof Error ? e.message : String(e)}`);
  }
  for (const w of children) {
    let tail = '';
    try {
      tail = readFileSync(w.logFile, 'utf8').slice(-1500);
    } catch {
      // no log
    }
    lines.push(`worker ${w.pid} (${live(w) ? 'live' : 'exited'}), log ends:\n${tail}`);
  }
  return lines.join('\n');
}

/** `p`, or after `ms` an error naming `step` with diagnose()'s account. */
async function within<T>(ms: number, step: string, handle: WorkflowHandle, p: Promise<T>): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const late = Symbol('late');
  const timeout = new Promise<typeof late>((res) => {
    timer = setTimeout(() => res(late), ms);
  });
  try {
    const r = await Promise.race([p, timeout]);
    if (r === late) throw new Error(`${step}: still waiting after ${ms} ms\n${await diagnose(handle)}`);
    return r;
  } finally {
    clearTimeout(timer);
  }
}

async function kill(w: WorkerChild): Promise<void> {
  w.child.kill('SIGKILL');
  expect(await w.exited).toEqual({ code: null, signal: 'SIGKILL' });
}

/** Ballast's orders of this workflow on every venue, from the engines' events (any status). */
function ordersOf(workflowId: string): (EngineOrder & { venue: VenueId })[] {
  const prefix = prefixOf(workflowId);
  return VENUES.flatMap((venue) => [...pw.tapes[venue].orders.values()].filter((o) => o.clientOrderId?.startsWith(prefix)).map((o) => ({ ...o, venue })));
}

function filledOnVenues(workflowId: string, slice?: number): InstanceType<typeof D> {
  const prefix = prefixOf(workflowId);
  return VENUES.flatMap((v) => pw.tapes[v].fills)
    .filter((f) => f.side === 'buy' && f.clientOrderId?.startsWith(prefix) && (slice === undefined || sliceOf(f.clientOrderId) === slice))
    .reduce((a, f) => a.plus(f.amount), new D(0));
}

/**
 * An independent seller sells into Ballast's resting bid `o` (as it is now on the venue): everything
 * ahead of it in the queue, then `share` of what is left of it (1 = all of it), straight into the engine.
 */
function sellInto(o: EngineOrder & { venue: VenueId }, share: number): void {
  const now = pw.sims[o.venue].engine.getOrder(ACCOUNT, { orderId: o.orderId })!;
  const ours = new D(now.amount).minus(now.filled);
  if (ours.lte(0)) return;
  const atOrAbove = pw.sims[o.venue].engine.book(100).bids.filter((l) => new D(l.price).gte(now.price!)).reduce((a, l) => a.plus(l.amount), new D(0));
  // Placed last at its price (sellers never bid), so everything else at or above it is ahead.
  const amount = atOrAbove.minus(ours).plus(ours.times(share).toDecimalPlaces(0, D.ROUND_UP));
  // At least the venue's minimum notional (1 USDT); an IOC limited to our price never reaches below it.
  pw.sell(o.venue, now.price!, D.max(amount, 3).toFixed(), 'sweep');
}

type HistoryEvent = temporal.api.history.v1.IHistoryEvent;

async function historyOf(handle: WorkflowHandle): Promise<HistoryEvent[]> {
  return (await handle.fetchHistory()).events ?? [];
}

const activityType = (events: HistoryEvent[], scheduledEventId: unknown) =>
  events.find((e) => String(e.eventId) === String(scheduledEventId))?.activityTaskScheduledEventAttributes?.activityType?.name;

/** True while a slice's orders rest: the last event is the rest timer, started after placeChildOrders completed. */
function resting(events: HistoryEvent[]): boolean {
  const last = events[events.length - 1];
  if (!last?.timerStartedEventAttributes) return false;
  const done = [...events].reverse().find((e) => e.activityTaskCompletedEventAttributes);
  return activityType(events, done?.activityTaskCompletedEventAttributes?.scheduledEventId) === 'placeChildOrders';
}

/** Who ran each activity (history keeps the last attempt's start, with its attempt number). */
function activityRuns(events: HistoryEvent[]): { type: string; identity: string; attempt: number }[] {
  return events.flatMap((e) => {
    const st = e.activityTaskStartedEventAttributes;
    return st ? [{ type: activityType(events, st.scheduledEventId) ?? '', identity: st.identity ?? '', attempt: st.attempt ?? 0 }] : [];
  });
}

const settledSlices = async (workflowId: string) => (await pw.ledger.entries({ workflowId, kind: 'trade' })).length;

function startBuyback(requestId: string): Promise<WorkflowHandle<typeof buyback>> {
  return env.client.workflow.start(buyback, {
    taskQueue: pw.config.temporal.taskQueue,
    workflowId: `buyback:BLST:${requestId}`,
    // 300 USD: below priceAction.approvalThresholdUsd (600), so no second identity is needed.
    args: [{ requestId, asset: 'BLST', requester: 'ops@desk', budgetUsd: '300', limitPrice: '0.5', durationMs: 60_000, sliceIntervalMs: 2_000, participationPct: 40, participationWindowMs: 30_000, measureReversion: false }],
  });
}

/** Lets the new worker settle slices until `slicesAtLeast` are done, then an operator stops the buyback. */
async function finish(handle: WorkflowHandle<typeof buyback>, slicesAtLeast: number): Promise<PriceActionResult> {
  const deadline = Date.now() + 40_000;
  for (;;) {
    const s = await handle.query(priceActionStatusQuery);
    if ((s.report?.slices ?? 0) >= slicesAtLeast || Date.now() > deadline) break;
    await sleep(250);
  }
  await handle.executeUpdate(stopUpdate, { args: [{ reason: 'test ends', requestedBy: 'ops@desk' }] });
  return handle.result();
}

/** No duplicate order, no lost fill, nothing booked twice. */
async function expectExactlyOnce(workflowId: string, result: PriceActionResult): Promise<void> {
  const orders = ordersOf(workflowId);
  expect(orders.length).toBeGreaterThan(0);
  const byClientId = new Map<string, Set<string>>();
  for (const o of orders) byClientId.set(o.clientOrderId!, (byClientId.get(o.clientOrderId!) ?? new Set()).add(`${o.venue}:${o.orderId}`));
  const duplicated = [...byClientId].filter(([, ids]) => ids.size > 1).map(([cid, ids]) => `${cid}: ${[...ids].join(', ')}`);
  expect(duplicated).toEqual([]);
  // Every slice settled: nothing of this workflow rests on a venue.
  expect(orders.filter((o) => o.status === 'open' || o.status === 'partially_filled')).toEqual([]);

  const r = result.status.report!;
  const onVenues = filledOnVenues(workflowId);
  expect(onVenues.gt(0)).toBe(true);
  expect(onVenues.toFixed()).toBe(new D(r.filledBase).toFixed());
  const ledger = pw.ledger;
  const trades = await ledger.entries({ workflowId, kind: 'trade' });
  expect(trades.reduce((a, e) => a.plus(e.amount), new D(0)).toFixed()).toBe(onVenues.toFixed());
  // Per slice as well: each slice's ledger entry holds exactly that slice's fills on the venues.
  for (const t of trades) expect(`${t.id} ${new D(t.amount).toFixed()}`).toBe(`${t.id} ${filledOnVenues(workflowId, Number(t.id.split(':s').pop())).toFixed()}`);
  expect(await ledger.entries({ workflowId, kind: 'execution' })).toHaveLength(1);
  // One row per slice id (the id is the table's primary key) and no slice booked under another id.
  const ids = trades.map((t) => t.id);
  expect(ids.length - new Set(ids).size).toBe(0);
  expect(trades.every((t) => /:s\d+$/.test(t.id))).toBe(true);
}

describe('kill -9 of the worker process mid-buyback', () => {
  afterAll(async () => {
    for (const w of children) if (live(w)) await kill(w);
  });

  it('killed while a slice rests: fills made while no worker runs are settled and booked once by the new process', async () => {
    pw.seedBooks('c1');
    const first = await worker();
    const requestId = uniqueId('crash');
    const workflowId = `buyback:BLST:${requestId}`;
    const handle = await startBuyback(requestId);

    // The deterministic moment: placeChildOrders has completed and the rest timer runs (no activity
    // in flight), with this slice's orders open on the venues.
    let atKill: ReturnType<typeof ordersOf> = [];
    for (let i = 0; i < 400 && atKill.length === 0; i++) {
      await sleep(100);
      const open = ordersOf(workflowId).filter((o) => o.status === 'open' || o.status === 'partially_filled');
      if (open.length && resting(await historyOf(handle))) atKill = open;
    }
    expect(atKill.length).toBeGreaterThan(0);
    await kill(first);
    // Dead before the rest ended: the slice's settleChildOrders was not even scheduled.
    const lastScheduled = [...(await historyOf(handle))].reverse().find((e) => e.activityTaskScheduledEventAttributes);
    expect(lastScheduled?.activityTaskScheduledEventAttributes?.activityType?.name).toBe('placeChildOrders');
    const k = sliceOf(atKill[0]!.clientOrderId!);
    expect(atKill.every((o) => sliceOf(o.clientOrderId!) === k)).toBe(true);
    expect(await pw.ledger.get(`${workflowId}:s${k}`)).toBeUndefined();
    const settledAtKill = await settledSlices(workflowId);

    // No worker: a seller fills the first resting order completely and half of any other.
    atKill.forEach((o, i) => sellInto(o, i === 0 ? 1 : 0.5));
    const filledWhileDead = filledOnVenues(workflowId, k);
    expect(filledWhileDead.gt(0)).toBe(true);

    const second = await worker();
    const result = await finish(handle, settledAtKill + 2);

    expect(result.outcome).toBe('completed');
    expect(result.status.report!.stopReason).toBe('OPERATOR');
    await expectExactlyOnce(workflowId, result);
    const slice = (await pw.ledger.get(`${workflowId}:s${k}`))!;
    expect(new D(slice.amount).gte(filledWhileDead)).toBe(true);
    // The first process placed that slice's orders; the second settled them.
    const runs = await historyOf(handle).then(activityRuns);
    expect(runs.filter((a) => a.type === 'placeChildOrders').some((a) => a.identity.startsWith(`${first.pid}@`))).toBe(true);
    expect(runs.filter((a) => a.type === 'settleChildOrders').some((a) => a.identity.startsWith(`${second.pid}@`))).toBe(true);
  });

  it('killed inside placeChildOrders after alpha accepted an order: the retry on the new process finds it by client id, one order per id', async () => {
    pw.seedBooks('c2');
    const first = await worker();
    // alpha has made the order when it builds its answer: the worker dies right there.
    let placedAtKill: ReturnType<typeof ordersOf> = [];
    const requestId = uniqueId('crash');
    const workflowId = `buyback:BLST:${requestId}`;
    pw.emulators.alpha.faults.inject(
      {
        kind: 'mutate',
        mutate: (body) => {
          placedAtKill = ordersOf(workflowId);
          first.child.kill('SIGKILL');
          return body;
        },
      },
      { method: 'POST', path: '/api/v3/order', times: 1 },
    );
    const handle = await startBuyback(requestId);
    expect(await within(60_000, 'the kill at alpha\'s answer', handle, first.exited)).toEqual({ code: null, signal: 'SIGKILL' });
    const inFlight = placedAtKill.filter((o) => o.venue === 'alpha');
    expect(inFlight).toHaveLength(1);
    const o = inFlight[0]!;
    const k = sliceOf(o.clientOrderId!);
    expect(o.status).toBe('open');
    const settledAtKill = await settledSlices(workflowId);

    // No worker: the order fills completely, so alpha would accept its client id again.
    sellInto(o, 1);
    expect(pw.tapes.alpha.orders.get(o.orderId)?.status).toBe('filled');

    // The dead attempt would time out after its 60 s start-to-close timeout; the test fails it by id
    // now instead (the same retry, sooner). The retry runs on the new process.
    const second = await within(120_000, 'the new worker polling', handle, worker());
    await failKilledAttempt(env.client, handle, 'placeChildOrders');
    const result = await within(100_000, 'the buyback finishing on the new worker', handle, finish(handle, settledAtKill + 2));

    expect(result.outcome).toBe('completed');
    await expectExactlyOnce(workflowId, result);
    expect(ordersOf(workflowId).filter((x) => x.clientOrderId === o.clientOrderId)).toHaveLength(1);
    // What filled while no worker ran is in that slice's ledger entry.
    const slice = (await pw.ledger.get(`${workflowId}:s${k}`))!;
    expect(new D(slice.amount).gte(o.amount)).toBe(true);
    const place = (await historyOf(handle).then(activityRuns)).filter((a) => a.type === 'placeChildOrders');
    expect(place.some((a) => a.identity.startsWith(`${second.pid}@`) && a.attempt >= 2)).toBe(true);
  });
});
