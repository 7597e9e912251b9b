// Benchmark: signal-to-handler latency from the quoting worker to the liquidity coordinator. The
// quoting worker's CoordinatorClient sends imbalance events (signalWithStart of `imbalance` to
// `coordinator:<asset>`) to a liquidityCoordinator run by a worker on a local dev server of this
// bench's own (headless, free port; in memory unless BENCH_TEMPORAL_DB=sqlite).
// How it is measured. Each event carries its send time in its own `at` field (epoch ms, stamped just
// before signalWithStart). The coordinator's history then says when each signal was persisted
// (WorkflowExecutionSignaled) and which workflow task delivered it to the handler: the first task
// started after it; the handler has run when that task's WorkflowTaskCompleted is recorded. So per
// signal: send → persisted, and send → handled (server clock; same machine, 1 ms resolution).
// As a cross-check for the sequential phase, the `state` query: the first query after the ack
// that shows counters.signals grown (it includes one query round trip, printed too).
//   sequential — K signals one after another: send, then query until it is handled, then the next.
//   burst      — K signals sent at once, at most BENCH_BURST_CONCURRENCY in flight.
// Prints p50/p99 and the machine context. Never asserts.
// Run: npx tsx bench/coordinator-signal.bench.ts   (or npm run bench -- coordinator)
import { writeFileSync } from 'node:fs';
import { temporal } from '@temporalio/proto';
import { Worker } from '@temporalio/worker';
import { ImbalanceEventSchema, type ImbalanceEvent } from '../domain/quoting/imbalance';
import { CoordinatorClient } from '../temporal/coordinator-client';
import { WORKFLOWS_PATH } from '../workers/temporal.worker';
import { stateQuery } from '../workflows/liquidity-coordinator.workflow';
import { benchLogger, childCpuDelta, childTreesCpuMs, formatSummary, machineContext, ms, runPool, startBenchTemporal, summarize } from './temporal-bench-env';

const K = Number(process.env.BENCH_SIGNALS ?? '500');
const BURST_CONCURRENCY = Number(process.env.BENCH_BURST_CONCURRENCY ?? '50');
const QUERY_PROBES = 100;
const WARMUP = 20;
const ASSET = 'BLST';
/** BENCH_KIND=ONE_SIDED_SELLING etc. measures a kind the policy acts on (its hysteresis timer runs too). */
const KIND = ImbalanceEventSchema.shape.kind.parse(process.env.BENCH_KIND ?? 'COMPLIANCE_BREACH');
const E = temporal.api.enums.v1.EventType;
type HistoryEvent = temporal.api.history.v1.IHistoryEvent;

interface SignalTiming {
  /** The event's `at`: when the bench sent it (epoch ms); undefined when the payload is encrypted. */
  sentAt?: number;
  persistedAt: number;
  handledAt?: number;
}

const eventMs = (e: HistoryEvent): number => Number(e.eventTime?.seconds ?? 0) * 1000 + (e.eventTime?.nanos ?? 0) / 1e6;

/** Reads the signals' send stamps and the workflow task that handled each, in history order. */
function signalTimings(events: readonly HistoryEvent[]): SignalTiming[] {
  const out: SignalTiming[] = [];
  let pending: SignalTiming[] = [];
  let inTask: SignalTiming[] = [];
  for (const e of events) {
    if (e.eventType === E.EVENT_TYPE_WORKFLOW_EXECUTION_SIGNALED) {
      let sentAt: number | undefined;
      try {
        const data = e.workflowExecutionSignaledEventAttributes?.input?.payloads?.[0]?.data;
        const at = data ? (JSON.parse(Buffer.from(data).toString('utf8')) as { at?: unknown }).at : undefined;
        sentAt = typeof at === 'number' ? at : undefined;
      } catch {
        sentAt = undefined; // an encrypted payload: no stamp to read
      }
      const s: SignalTiming = { persistedAt: eventMs(e), ...(sentAt !== undefined ? { sentAt } : {}) };
      out.push(s);
      pending.push(s);
    } else if (e.eventType === E.EVENT_TYPE_WORKFLOW_TASK_STARTED) {
      inTask = [...inTask, ...pending];
      pending = [];
    } else if (e.eventType === E.EVENT_TYPE_WORKFLOW_TASK_COMPLETED) {
      for (const s of inTask) s.handledAt = eventMs(e);
      inTask = [];
    } else if (e.eventType === E.EVENT_TYPE_WORKFLOW_TASK_FAILED || e.eventType === E.EVENT_TYPE_WORKFLOW_TASK_TIMED_OUT) {
      // Not handled: the next task delivers them again.
      pending = [...inTask, ...pending];
      inTask = [];
    }
  }
  return out;
}

function describe(list: SignalTiming[]): string[] {
  const stamped = list.filter((s) => s.sentAt !== undefined);
  const handled = list.filter((s) => s.handledAt !== undefined);
  const lines = [`    persisted → handled   ${formatSummary(summarize(handled.map((s) => s.handledAt! - s.persistedAt)))}   (server: signal in history → its workflow task completed)`];
  if (stamped.length) {
    lines.unshift(
      `    send → persisted      ${formatSummary(summarize(stamped.map((s) => s.persistedAt - s.sentAt!)))}`,
      `    send → handled        ${formatSummary(summarize(stamped.filter((s) => s.handledAt !== undefined).map((s) => s.handledAt! - s.sentAt!)))}   (the event's \`at\` → its workflow task completed)`,
    );
  } else lines.push('    (payloads encrypted: no send stamps to read; only the server-side part)');
  return lines;
}

async function main(): Promise<void> {
  const context = machineContext();
  const bench = await startBenchTemporal();
  const taskQueue = `bench-coordinator-${process.pid}`;
  const tb = performance.now();
  // The coordinator calls no activities: a worker with workflows only.
  const worker = await Worker.create({
    connection: bench.native,
    taskQueue,
    workflowsPath: WORKFLOWS_PATH,
    ...(bench.dataConverter ? { dataConverter: bench.dataConverter } : {}),
  });
  const bundleMs = performance.now() - tb;
  const running = worker.run();
  const coordinator = new CoordinatorClient({ client: bench.client, taskQueue, asset: ASSET, logger: benchLogger });
  const handle = bench.client.workflow.getHandle(coordinator.workflowId);
  const handled = async (): Promise<number> => (await handle.query(stateQuery)).counters.signals;

  // Raised/cleared pairs on a venue nobody trades. COMPLIANCE_BREACH: the coordinator records it and its
  // policy decides on it (no child: remediation is out of the treasury's scope), so no timer or child
  // workflow runs meanwhile; the kinds that lead to a rebalance would arm the policy's hysteresis timer.
  let n = 0;
  const event = (): ImbalanceEvent => {
    n += 1;
    return { type: n % 2 === 1 ? 'raised' : 'cleared', venueId: 'bench-venue', kind: KIND, value: n % 2 === 1 ? 0.9 : 0.1, at: Date.now() };
  };
  let refused = 0;
  const send = async (): Promise<void> => {
    if (!(await coordinator.signalImbalance(event()))) refused += 1;
  };
  let queries = 0;
  const waitFor = async (count: number): Promise<number> => {
    for (;;) {
      queries += 1;
      const c = await handled();
      if (c >= count) return performance.now();
    }
  };

  // Start the coordinator and warm the path (the first signalWithStart starts the workflow).
  for (let i = 0; i < WARMUP; i++) {
    await send();
    await waitFor(n);
  }
  const queryRtt: number[] = [];
  for (let i = 0; i < QUERY_PROBES; i++) {
    const t0 = performance.now();
    await handled();
    queryRtt.push(performance.now() - t0);
  }

  // Sequential.
  const seqAck: number[] = [];
  const seqSeen: number[] = [];
  const queriesBefore = queries;
  const cpu0 = process.cpuUsage();
  const children0 = childTreesCpuMs();
  const seqStart = performance.now();
  for (let i = 0; i < K; i++) {
    const t0 = performance.now();
    await send();
    seqAck.push(performance.now() - t0);
    seqSeen.push((await waitFor(n)) - t0);
  }
  const seqWall = performance.now() - seqStart;
  const queriesPerSignal = (queries - queriesBefore) / K;

  // Burst.
  const burstStart = performance.now();
  await runPool(K, BURST_CONCURRENCY, send);
  const sentAllMs = performance.now() - burstStart;
  await waitFor(n - refused);
  const measuredWall = performance.now() - seqStart;
  const cpu = process.cpuUsage(cpu0);
  const children = childCpuDelta(children0, childTreesCpuMs(), measuredWall);
  const final = await handle.query(stateQuery);
  const history = await handle.fetchHistory();
  worker.shutdown();
  await running;

  const timings = signalTimings(history.events ?? []);
  // BENCH_DUMP=<file>: the history's event types and times, to see where a slow burst spent its time.
  if (process.env.BENCH_DUMP) {
    const t0 = eventMs(history.events?.[0] ?? {});
    const failed = (e: HistoryEvent) => {
      const a = e.workflowTaskFailedEventAttributes;
      return a ? `\t${temporal.api.enums.v1.WorkflowTaskFailedCause[a.cause ?? 0] ?? String(a.cause)} ${a.failure?.message ?? ''}` : '';
    };
    const rows = (history.events ?? []).map((e) => `${Number(e.eventId)}\t${(eventMs(e) - t0).toFixed(1)}\t${E[e.eventType ?? 0] ?? String(e.eventType)}${failed(e)}`);
    writeFileSync(process.env.BENCH_DUMP, `${rows.join('\n')}\n`);
  }
  const seq = timings.slice(WARMUP, WARMUP + K);
  const burst = timings.slice(WARMUP + K);
  const failedTasks = (history.events ?? [])
    .map((e) => e.workflowTaskFailedEventAttributes)
    .filter((a): a is NonNullable<typeof a> => !!a)
    .map((a) => temporal.api.enums.v1.WorkflowTaskFailedCause[a.cause ?? 0] ?? String(a.cause));
  const burstTasks = new Set(burst.map((s) => s.handledAt)).size;
  const burstSpan = Math.max(...burst.map((s) => s.handledAt ?? 0)) - Math.min(...burst.map((s) => s.sentAt ?? s.persistedAt));
  const lines = [
    `coordinator signal-to-handler latency: CoordinatorClient.signalImbalance (signalWithStart) → liquidityCoordinator's imbalance handler (${KIND} raised/cleared)`,
    `  machine            ${context}`,
    `  Temporal           dev server ${bench.address} headless, ${bench.storage}, payload encryption ${bench.dataConverter ? 'ON' : 'off'}; server up in ${(bench.startMs / 1000).toFixed(1)} s, worker bundle ${(bundleMs / 1000).toFixed(1)} s; client and worker in this process`,
    `  sequential         ${K} signals, one at a time (each waited for until handled), ${(K / (seqWall / 1000)).toFixed(0)} signals/s`,
    ...describe(seq),
    `    client: send → ack    ${formatSummary(summarize(seqAck))}   (signalWithStart returned)`,
    `    client: send → seen   ${formatSummary(summarize(seqSeen))}   (first \`state\` query showing it; ${queriesPerSignal.toFixed(2)} queries per signal)`,
    `    idle query RTT        ${formatSummary(summarize(queryRtt))}   (part of "seen")`,
    `  burst              ${K} signals, at most ${BURST_CONCURRENCY} in flight: sent in ${ms(sentAllMs)}, first send → last handled ${ms(burstSpan)} (${(K / (burstSpan / 1000)).toFixed(0)} signals/s), handled in ${burstTasks} workflow tasks (${(burst.length / Math.max(1, burstTasks)).toFixed(1)} signals per task)`,
    ...describe(burst),
    `    failed workflow tasks ${failedTasks.length}${failedTasks.length ? ` (${[...new Set(failedTasks)].join(', ')}: the server fails a task in flight when too many events buffer behind it; the worker then replays the run's whole history)` : ''}`,
    `  CPU (both phases)  cores busy on average: this process ${((cpu.user + cpu.system) / 1000 / measuredWall).toFixed(2)} (client + worker), ${children || 'dev server n/a'}`,
    `  check              ${final.counters.signals === WARMUP + 2 * K && refused === 0 && final.counters.rejected === 0 && timings.length === WARMUP + 2 * K && timings.every((s) => s.handledAt !== undefined) ? 'OK' : 'MISMATCH'}: coordinator counted ${final.counters.signals} signals vs ${WARMUP + 2 * K} sent (${refused} refused by Temporal, ${final.counters.rejected} rejected by the workflow); history holds ${timings.length} signals, ${timings.filter((s) => s.handledAt !== undefined).length} handled; runs ${final.counters.runs}`,
  ];
  process.stdout.write(`${lines.join('\n')}\n`);
  await bench.close();
}

main().catch((e: unknown) => {
  process.stderr.write(`coordinator-signal bench failed: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
  process.exit(1);
});
