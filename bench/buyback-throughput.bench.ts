// Benchmark: buyback workflows per second on a local Temporal dev server (its own, headless, on a free
// port; in memory unless BENCH_TEMPORAL_DB=sqlite), with the real `buyback` workflow, the real
// price-action activities (view every venue, place, settle, ledger in an embedded PostgreSQL) and two SimExchanges behind
// the Binance emulator, reached by the real ccxt client (bench/price-action-bench-world.ts: makers'
// ladders, an independent seller hitting the top bid every 250 ms, a small top bid re-posted after
// each hit).
// Each buyback: budgetUsd 300 (below the 600 USD approval threshold), limit 1 % above the arrival fair
// value (so the top bid flickering under the seller's hits does not stop it), durationMs 60 000 (the minimum),
// sliceIntervalMs 1000, participation 40 % over 30 s, no reversion measurement. It is stopped with the
// `stopExecution` update once its status query shows K slices done (BENCH_SLICES, default 3): left to
// its own stop every buyback would last its 60 s schedule and the number would measure the schedule,
// not the system. The client polls the query every BENCH_POLL_MS (default 250), so end-to-end latency
// includes up to that much polling slack, and the queries are load on the worker too.
// Run N buybacks (BENCH_N, default 100), at most C in flight (BENCH_CONCURRENCY, default 10), after
// BENCH_WARMUP (default 2). All of them trade on one Ballast account: each buyback's resting `pa-` bids
// are seen by the others' views as Ballast's own orders (left out of the independent book, never
// followed); a real desk runs one buyback at a time, but it does not change the work per slice.
// Binance's request-weight limits are OFF by default (ccxt's client-side throttle off, the emulators'
// limit out of reach), so the number is the system's; the run prints the API weight a buyback costs
// and what Binance's 6000 a minute per account would allow. BENCH_BINANCE_LIMITS=on puts both back
// (as test/integration/price-action-world.ts has them): then that budget, not Temporal, sets the pace.
// Prints buybacks/s, slices/s, end-to-end latency, mean time per activity, history length and a
// correctness check. Never asserts.
// Run: npx tsx bench/buyback-throughput.bench.ts   (or npm run bench -- buyback-throughput)
import { Worker } from '@temporalio/worker';
import { temporal as proto } from '@temporalio/proto';
import { createActivities } from '../activities';
import { D } from '../domain/money';
import { childOrderId } from '../domain/price-action/executor';
import { buildVenueRegistry } from '../venues/registry';
import { buyback, priceActionStatusQuery, stopUpdate, type PriceActionInput, type PriceActionResult } from '../workflows/price-action.workflow';
import { WORKFLOWS_PATH } from '../workers/temporal.worker';
import { BENCH_VENUES, startPriceActionBenchWorld } from './price-action-bench-world';
import { benchConfig, benchLogger, childCpuDelta, childTreesCpuMs, formatPhases, formatSummary, historyPhases, type HistoryPhases, machineContext, ms, runPool, startBenchTemporal, summarize } from './temporal-bench-env';

const N = Number(process.env.BENCH_N ?? '100');
const CONCURRENCY = Number(process.env.BENCH_CONCURRENCY ?? '10');
const SLICES = Number(process.env.BENCH_SLICES ?? '3');
const WARMUP = Number(process.env.BENCH_WARMUP ?? '2');
const POLL_MS = Number(process.env.BENCH_POLL_MS ?? '250');
const BINANCE_LIMITS = process.env.BENCH_BINANCE_LIMITS === 'on';
const SYMBOL = 'BLST';
const SELL_PER_HIT = '60';
const INPUT = { asset: SYMBOL, requester: 'bench@ops', reason: 'throughput bench', budgetUsd: '300', limitPct: 1, durationMs: 60_000, sliceIntervalMs: 1000, participationPct: 40, participationWindowMs: 30_000, measureReversion: false } as const;

/** Wall time per activity name, every attempt (as bench/fund-transfer.bench.ts). */
function timeActivities(acts: Record<string, (...a: unknown[]) => Promise<unknown>>, into: Map<string, number[]>) {
  return Object.fromEntries(
    Object.entries(acts).map(([name, fn]) => [
      name,
      async (...args: unknown[]) => {
        const t0 = performance.now();
        try {
          return await fn(...args);
        } finally {
          const list = into.get(name) ?? [];
          list.push(performance.now() - t0);
          into.set(name, list);
        }
      },
    ]),
  );
}

type HistoryEvent = proto.api.history.v1.IHistoryEvent;
const eventMs = (e: HistoryEvent): number => Number(e.eventTime?.seconds ?? 0) * 1000 + (e.eventTime?.nanos ?? 0) / 1e6;

/** How late each fired timer was: fired − started − the duration asked for (server clock), ms. */
function timerLateness(events: readonly HistoryEvent[]): number[] {
  const started = new Map<number, { at: number; wantMs: number }>();
  const out: number[] = [];
  for (const e of events) {
    const s = e.timerStartedEventAttributes;
    if (s) started.set(Number(e.eventId), { at: eventMs(e), wantMs: Number(s.startToFireTimeout?.seconds ?? 0) * 1000 + (s.startToFireTimeout?.nanos ?? 0) / 1e6 });
    const f = e.timerFiredEventAttributes;
    const st = f ? started.get(Number(f.startedEventId)) : undefined;
    if (st) out.push(eventMs(e) - st.at - st.wantMs);
  }
  return out;
}

const sleep = (msec: number) => new Promise((r) => setTimeout(r, msec));
const errorText = (e: unknown) => (e instanceof Error ? `${e.message}${e.cause instanceof Error ? `: ${e.cause.message}` : ''}` : String(e));

async function main(): Promise<void> {
  const context = machineContext();
  const temporal = await startBenchTemporal();
  const world = await startPriceActionBenchWorld({ symbol: SYMBOL, binanceLimits: BINANCE_LIMITS, sellPerHit: SELL_PER_HIT });
  const taskQueue = `bench-buyback-${process.pid}`;
  const config = benchConfig(temporal.address, taskQueue, (raw) => {
    raw.asset.symbol = SYMBOL;
    raw.venues = raw.venues
      .filter((v: { id: string }) => (BENCH_VENUES as readonly string[]).includes(v.id))
      .map((v: { market: string }) => ({ ...v, market: `${SYMBOL}/${v.market.split('/')[1]}` }));
    // The rolling 24 h limit covers every execution: high enough for the whole run.
    raw.priceAction = { dailyUsd: '10000000', episodeUsd: '1000', approvalThresholdUsd: '600' };
  });
  const activityMs = new Map<string, number[]>();
  const acts = createActivities({ config, venues: buildVenueRegistry(config, Date.now), logger: benchLogger, priceAction: world.deps() });
  const activities = timeActivities(acts as unknown as Record<string, (...a: unknown[]) => Promise<unknown>>, activityMs);
  const tb = performance.now();
  const worker = await Worker.create({ connection: temporal.native, taskQueue, workflowsPath: WORKFLOWS_PATH, activities, ...(temporal.dataConverter ? { dataConverter: temporal.dataConverter } : {}) });
  const bundleMs = performance.now() - tb;
  const running = worker.run();
  await world.startFlow(3000);

  const runOne = async (requestId: string): Promise<{ ms: number; result?: PriceActionResult; error?: string }> => {
    const t0 = performance.now();
    try {
      const input: PriceActionInput = { requestId, ...INPUT };
      const handle = await temporal.client.workflow.start(buyback, { taskQueue, workflowId: `buyback:${SYMBOL}:${requestId}`, args: [input] });
      let done = false;
      const result = handle.result().finally(() => (done = true));
      result.catch(() => undefined);
      while (!done) {
        await sleep(POLL_MS);
        if (done) break;
        const st = await handle.query(priceActionStatusQuery).catch(() => undefined);
        if (st?.report && st.report.slices >= SLICES) {
          // Refused only when it has just ended by itself: then there is nothing to stop.
          await handle.executeUpdate(stopUpdate, { args: [{ reason: `bench: ${SLICES} slices done`, requestedBy: 'bench@ops' }] }).catch(() => undefined);
          break;
        }
      }
      return { ms: performance.now() - t0, result: await result };
    } catch (e) {
      return { ms: performance.now() - t0, error: errorText(e) };
    }
  };

  const run = `r${process.pid}`;
  await runPool(WARMUP, CONCURRENCY, async (i) => void (await runOne(`${run}-warm-${i}`)));
  activityMs.clear();
  const independent0 = new D(world.independentBase());
  const api0 = world.apiRequests();
  const results: { id: string; ms: number; result: PriceActionResult }[] = [];
  const errors: string[] = [];
  const cpu0 = process.cpuUsage();
  const children0 = childTreesCpuMs();
  const t0 = performance.now();
  await runPool(N, CONCURRENCY, async (i) => {
    const id = `${run}-${i}`;
    const r = await runOne(id);
    if (r.result?.outcome === 'completed') results.push({ id: `buyback:${SYMBOL}:${id}`, ms: r.ms, result: r.result });
    else errors.push(r.error ?? `outcome ${r.result?.outcome}`);
  });
  const wallMs = performance.now() - t0;
  const cpu = process.cpuUsage(cpu0);
  const children = childCpuDelta(children0, childTreesCpuMs(), wallMs);
  const independentBase = new D(world.independentBase()).minus(independent0);
  const api = world.apiRequests().map((r, i) => ({ ...r, count: r.count - api0[i]!.count })).filter((r) => r.count > 0);

  const historyLengths: number[] = [];
  const phases: HistoryPhases[] = [];
  const lateness: number[] = [];
  for (const r of results) {
    const h = await temporal.client.workflow.getHandle(r.id).fetchHistory();
    historyLengths.push(h.events?.length ?? 0);
    phases.push(historyPhases(h.events ?? []));
    lateness.push(...timerLateness(h.events ?? []));
  }
  worker.shutdown();
  await running;

  // Correctness. 1: no `pa-` client id carried by two orders on either exchange (the engines' own view).
  let paOrders = 0;
  let reused = 0;
  for (const rec of world.records.values()) {
    for (const [cid, ids] of rec.ordersByClientId) {
      if (!cid.startsWith('pa-')) continue;
      paOrders += 1;
      if (ids.size > 1) reused += 1;
    }
  }
  // 2: the ledger's trade rows have unique ids (the primary key: a repeat would have been refused).
  const tradeLines = await world.ledger.entries({ kind: 'trade' });
  const tradeIds = new Set(tradeLines.map((l) => l.id)).size;
  // 3: each buyback's report filledBase == its ledger trade lines == what the engines filled under its client ids.
  let ledgerMismatch = 0;
  let venueMismatch = 0;
  let filledTotal = new D(0);
  let withFills = 0;
  let slicesTotal = 0;
  const stopReasons = new Map<string, number>();
  for (const r of results) {
    const rep = r.result.status.report!;
    slicesTotal += rep.slices;
    filledTotal = filledTotal.plus(rep.filledBase);
    if (new D(rep.filledBase).gt(0)) withFills += 1;
    stopReasons.set(rep.stopReason ?? '?', (stopReasons.get(rep.stopReason ?? '?') ?? 0) + 1);
    const booked = tradeLines.filter((l) => l.workflowId === r.id).reduce((a, l) => a.plus(l.amount), new D(0));
    if (!booked.eq(rep.filledBase)) ledgerMismatch += 1;
    const prefix = childOrderId(r.id, 0, 0).slice(0, -3); // `pa-<hash>-`
    let atVenues = new D(0);
    for (const rec of world.records.values()) for (const [cid, base] of rec.filledByClientId) if (cid.startsWith(prefix)) atVenues = atVenues.plus(base);
    if (!atVenues.eq(rep.filledBase)) venueMismatch += 1;
  }
  const completed = results.length;
  const verdict = completed === N && reused === 0 && tradeIds === tradeLines.length && ledgerMismatch === 0 && venueMismatch === 0 ? 'OK' : 'MISMATCH';

  const lat = summarize(results.map((r) => r.ms));
  const perActivity = [...activityMs.entries()]
    .map(([name, list]) => {
      const s = summarize(list);
      return `    ${name.padEnd(20)} ${String(list.length).padStart(5)} calls   mean ${ms(s.mean).padStart(9)}   p99 ${ms(s.p99).padStart(9)}   per buyback ${ms(list.reduce((a, b) => a + b, 0) / Math.max(1, completed)).padStart(9)}`;
    })
    .join('\n');
  const activityPerBuyback = [...activityMs.values()].reduce((a, l) => a + l.reduce((x, y) => x + y, 0), 0) / Math.max(1, completed);
  const hl = summarize(historyLengths);
  // Per venue: both emulators were summed, and each venue is its own Binance account.
  const weightPerBuyback = api.reduce((a, r) => a + r.count * r.weight, 0) / BENCH_VENUES.length / Math.max(1, completed);
  const lines = [
    `buyback throughput: ${N} buybacks (${SYMBOL}, budget ${INPUT.budgetUsd} USD, no approval; slice every ${INPUT.sliceIntervalMs} ms, participation ${INPUT.participationPct} %), each stopped by the stopExecution update after ${SLICES} slices; at most ${CONCURRENCY} in flight, after ${WARMUP} warm-up buybacks`,
    `  machine            ${context}`,
    `  Temporal           dev server ${temporal.address} headless, ${temporal.storage}, payload encryption ${temporal.dataConverter ? 'ON' : 'off'}; server up in ${(temporal.startMs / 1000).toFixed(1)} s, worker bundle ${(bundleMs / 1000).toFixed(1)} s; one worker, default slots`,
    `  venues             2 SimExchanges (latency 1–2 ms) behind the Binance emulator, real ccxt client per venue, Binance weight limits ${BINANCE_LIMITS ? 'ON (ccxt throttle, 6000 a minute at the emulator)' : 'off'}, one Ballast account; seller ${SELL_PER_HIT} base IOC at the top bid per venue every 250 ms; ledger in ${world.ledgerDescribe}`,
    `  completed          ${completed}/${N}${errors.length ? `   failures ${errors.length}, first: ${errors[0]}` : ''}; stop reasons ${[...stopReasons].map(([k, v]) => `${k} ${v}`).join(', ')}`,
    `  wall time          ${(wallMs / 1000).toFixed(2)} s`,
    `  throughput         ${(completed / (wallMs / 1000)).toFixed(2)} buybacks/s, ${(slicesTotal / (wallMs / 1000)).toFixed(2)} slices/s (${(slicesTotal / Math.max(1, completed)).toFixed(2)} slices per buyback; the schedule alone allows at most ~${(CONCURRENCY / SLICES).toFixed(2)} buybacks/s at ${CONCURRENCY} in flight, one slice per ${INPUT.sliceIntervalMs} ms)`,
    `  end-to-end         ${formatSummary(lat)}   (client start → result, incl. up to ${POLL_MS} ms query polling)`,
    `  fills              ${withFills}/${completed} buybacks filled something, ${filledTotal.toString()} base in all; independent volume (seller × makers) ${independentBase.toString()} base over the run`,
    `  CPU during run     cores busy on average: this process ${((cpu.user + cpu.system) / 1000 / wallMs).toFixed(2)} (client + worker + emulators + sim venues + flow), ${children || 'child processes n/a'}`,
    `  history            events per buyback p50 ${hl.p50}  max ${hl.max}  mean ${hl.mean.toFixed(1)}`,
    `  phases             ${formatPhases(phases)}`,
    `  timers             fired late by ${formatSummary(summarize(lateness))}   (fired − started − asked, server clock; a slice already due still waits on a 1 ms timer)`,
    `  activity time      (wall time in the activity functions, every attempt)`,
    perActivity,
    `    all activities per buyback ${ms(activityPerBuyback)} of a mean end-to-end ${ms(lat.mean)}: the rest is the schedule's waits (slice times, passive orders resting 80 % of a slice), polling and Temporal`,
    `  API weight         ${weightPerBuyback.toFixed(0)} per buyback per venue (${api.map((r) => `${r.endpoint} ${(r.count / BENCH_VENUES.length / Math.max(1, completed)).toFixed(1)}×${r.weight}`).join(', ')}); Binance's 6000 a minute allows ${(6000 / Math.max(1, weightPerBuyback)).toFixed(1)} such buybacks a minute (${(100 / Math.max(1, weightPerBuyback)).toFixed(3)}/s)`,
    `  check              ${verdict}: pa- client ids ${paOrders} on the exchanges, used twice ${reused}; ledger trade lines ${tradeLines.length}, distinct ids ${tradeIds}; buybacks whose report filledBase ≠ their ledger trade lines ${ledgerMismatch}, ≠ the engines' fills under their client ids ${venueMismatch}`,
  ];
  process.stdout.write(`${lines.join('\n')}\n`);
  await world.stop();
  await temporal.close();
}

main().catch((e: unknown) => {
  process.stderr.write(`buyback-throughput bench failed: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
  process.exit(1);
});
