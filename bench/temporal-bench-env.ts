// Shared set-up for the benchmarks that need Temporal: a headless dev server of their own on a free
// port (in memory, or a temp SQLite file with BENCH_TEMPORAL_DB=sqlite), a client and a native
// connection to it, the demo config pointed at it, and the small statistics the benches print.
// The benches print; nothing here asserts.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { cpus, freemem, loadavg, tmpdir, totalmem } from 'node:os';
import { join } from 'node:path';
import { Client, Connection } from '@temporalio/client';
import { DefaultLogger, NativeConnection, Runtime } from '@temporalio/worker';
import type { DataConverter } from '@temporalio/common';
import { temporal } from '@temporalio/proto';
import { loadConfig, parseConfig } from '../config/load';
import { createLogger } from '../config/logger';
import type { BallastConfig } from '../domain/config.schema';
import { findTemporalBinary } from '../temporal/binary';
import { ballastDataConverter } from '../temporal/data-converter';
import { freePort, startDevServer, type DevServer } from '../temporal/dev-server';

export const benchLogger = createLogger({ name: 'bench', level: process.env.LOG_LEVEL ?? 'warn' });

export interface BenchTemporal {
  server: DevServer;
  address: string;
  /** "in-memory" or the SQLite file. */
  storage: string;
  /** Set when BALLAST_PAYLOAD_KEYS is: the bench then measures with payload encryption on. */
  dataConverter: DataConverter | undefined;
  connection: Connection;
  native: NativeConnection;
  client: Client;
  startMs: number;
  close(): Promise<void>;
}

export async function startBenchTemporal(): Promise<BenchTemporal> {
  try {
    // The SDK's INFO chatter (bundling, worker state) would drown the numbers; warnings still show.
    Runtime.install({ logger: new DefaultLogger('WARN') });
  } catch {
    // already installed in this process
  }
  const t0 = performance.now();
  const binary = findTemporalBinary({ log: benchLogger });
  const dir = mkdtempSync(join(tmpdir(), 'ballast-bench-temporal-'));
  const dbFile = process.env.BENCH_TEMPORAL_DB === 'sqlite' ? join(dir, 'temporal.sqlite') : undefined;
  const server = await startDevServer({
    binary: binary.path,
    port: await freePort(),
    headless: true,
    ...(dbFile ? { dbFile } : {}),
    logFile: join(dir, 'temporal.log'),
    log: benchLogger,
  });
  const dataConverter = ballastDataConverter(process.env);
  const connection = await Connection.connect({ address: server.address });
  const native = await NativeConnection.connect({ address: server.address });
  const client = new Client({ connection, ...(dataConverter ? { dataConverter } : {}) });
  return {
    server,
    address: server.address,
    storage: dbFile ? `SQLite ${dbFile}` : 'in-memory',
    dataConverter,
    connection,
    native,
    client,
    startMs: performance.now() - t0,
    async close() {
      await connection.close();
      await native.close();
      await server.stop();
    },
  };
}

/** The demo config on the bench's server and task queue, without the embedded simulated market. */
export function benchConfig(address: string, taskQueue: string, mutate?: (raw: Record<string, any>) => void): BallastConfig {
  const raw = JSON.parse(JSON.stringify(loadConfig())) as Record<string, any>;
  delete raw.simulation;
  raw.temporal.address = address;
  raw.temporal.taskQueue = taskQueue;
  mutate?.(raw);
  return parseConfig(raw, 'bench config');
}

/** Nearest-rank percentile of an ascending list. */
export function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return NaN;
  const i = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[i]!;
}

export interface LatencySummary {
  n: number;
  p50: number;
  p90: number;
  p99: number;
  max: number;
  mean: number;
}

export function summarize(values: readonly number[]): LatencySummary {
  const s = [...values].sort((a, b) => a - b);
  const mean = s.reduce((a, b) => a + b, 0) / (s.length || 1);
  return { n: s.length, p50: percentile(s, 50), p90: percentile(s, 90), p99: percentile(s, 99), max: s[s.length - 1] ?? NaN, mean };
}

export const ms = (v: number): string => (Number.isFinite(v) ? `${v.toFixed(v < 10 ? 2 : 1)} ms` : 'n/a');

export function formatSummary(s: LatencySummary): string {
  return `p50 ${ms(s.p50)}  p90 ${ms(s.p90)}  p99 ${ms(s.p99)}  max ${ms(s.max)}  mean ${ms(s.mean)}  (n=${s.n})`;
}

/** Machine and load context, printed with every run: these numbers mean little without it. */
export function machineContext(): string {
  const c = cpus();
  const [l1, l5] = loadavg();
  return `${c.length} × ${c[0]?.model.trim() ?? 'unknown CPU'}, load avg ${l1!.toFixed(2)} (1 min) ${l5!.toFixed(2)} (5 min), memory ${(freemem() / 2 ** 30).toFixed(1)}/${(totalmem() / 2 ** 30).toFixed(1)} GiB free, node ${process.version}`;
}

/** Runs `task(i)` for i in [0, n) with at most `concurrency` in flight. */
export async function runPool(n: number, concurrency: number, task: (i: number) => Promise<void>): Promise<void> {
  let next = 0;
  const lane = async (): Promise<void> => {
    while (next < n) {
      const i = next++;
      await task(i);
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, n) }, lane));
}

/** CPU ms (user + system) of each child process tree of this process, keyed by a short label. Linux /proc only; {} elsewhere. */
export function childTreesCpuMs(): Record<string, number> {
  let hz = 100;
  try {
    hz = Number(spawnSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).stdout.trim()) || 100;
  } catch {
    // keep 100, Linux's usual value
  }
  const procs = new Map<number, { ppid: number; ticks: number; cmd: string }>();
  let pids: string[];
  try {
    pids = readdirSync('/proc').filter((d) => /^\d+$/.test(d));
  } catch {
    return {};
  }
  for (const d of pids) {
    try {
      const stat = readFileSync(`/proc/${d}/stat`, 'utf8');
      // Fields after the parenthesised command: state ppid … utime(14) stime(15), 1-based over the whole line.
      const rest = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      const cmd = readFileSync(`/proc/${d}/cmdline`, 'utf8').replace(/\0/g, ' ');
      procs.set(Number(d), { ppid: Number(rest[1]), ticks: Number(rest[11]) + Number(rest[12]), cmd });
    } catch {
      // the process ended while we read
    }
  }
  const out: Record<string, number> = {};
  const treeTicks = (pid: number): number => {
    let sum = procs.get(pid)?.ticks ?? 0;
    for (const [p, v] of procs) if (v.ppid === pid) sum += treeTicks(p);
    return sum;
  };
  for (const [pid, v] of procs) {
    if (v.ppid !== process.pid) continue;
    // Both run under temporal/watchdog.cjs: tell them apart by what the watchdog runs.
    const label = /hardhat/.test(v.cmd) ? 'hardhat node' : /start-dev/.test(v.cmd) ? 'temporal dev server' : `pid ${pid}`;
    out[label] = (out[label] ?? 0) + (treeTicks(pid) * 1000) / hz;
  }
  return out;
}

/** CPU cores used by each child tree between two childTreesCpuMs() readings, as text. */
export function childCpuDelta(before: Record<string, number>, after: Record<string, number>, wallMs: number): string {
  return Object.entries(after)
    .map(([k, v]): [string, number] => [k, (v - (before[k] ?? 0)) / wallMs])
    .filter(([, cores]) => cores >= 0.01)
    .map(([k, cores]) => `${k} ${cores.toFixed(2)}`)
    .join(', ');
}

/** Where a workflow's time went, from its history's event times (server clock), in ms. */
export interface HistoryPhases {
  /** ActivityTaskScheduled → Started: waiting in the task queue for the worker. */
  activityQueue: number;
  /** ActivityTaskStarted → Completed/Failed: the activity ran (and its result went back). */
  activityRun: number;
  /** WorkflowTaskScheduled → Started: waiting for the worker to pick the workflow task. */
  workflowQueue: number;
  /** WorkflowTaskStarted → Completed: the workflow code ran in the worker. */
  workflowRun: number;
  /** Everything else between the first and the last event (server-side hand-offs). */
  other: number;
  total: number;
}

type HistoryEvent = temporal.api.history.v1.IHistoryEvent;
const E = temporal.api.enums.v1.EventType;

const eventMs = (e: HistoryEvent): number => Number(e.eventTime?.seconds ?? 0) * 1000 + (e.eventTime?.nanos ?? 0) / 1e6;

export function historyPhases(events: readonly HistoryEvent[]): HistoryPhases {
  const at = new Map<number, number>(); // eventId → ms
  for (const e of events) at.set(Number(e.eventId), eventMs(e));
  const p = { activityQueue: 0, activityRun: 0, workflowQueue: 0, workflowRun: 0 };
  for (const e of events) {
    const t = eventMs(e);
    const since = (id: unknown) => t - (at.get(Number(id)) ?? t);
    if (e.eventType === E.EVENT_TYPE_ACTIVITY_TASK_STARTED) p.activityQueue += since(e.activityTaskStartedEventAttributes?.scheduledEventId);
    else if (e.eventType === E.EVENT_TYPE_ACTIVITY_TASK_COMPLETED) p.activityRun += since(e.activityTaskCompletedEventAttributes?.startedEventId);
    else if (e.eventType === E.EVENT_TYPE_ACTIVITY_TASK_FAILED) p.activityRun += since(e.activityTaskFailedEventAttributes?.startedEventId);
    else if (e.eventType === E.EVENT_TYPE_WORKFLOW_TASK_STARTED) p.workflowQueue += since(e.workflowTaskStartedEventAttributes?.scheduledEventId);
    else if (e.eventType === E.EVENT_TYPE_WORKFLOW_TASK_COMPLETED) p.workflowRun += since(e.workflowTaskCompletedEventAttributes?.startedEventId);
  }
  const total = events.length ? eventMs(events[events.length - 1]!) - eventMs(events[0]!) : 0;
  return { ...p, other: total - p.activityQueue - p.activityRun - p.workflowQueue - p.workflowRun, total };
}

/** Mean of each phase over several workflows, as one line. */
export function formatPhases(list: readonly HistoryPhases[]): string {
  const mean = (k: keyof HistoryPhases) => list.reduce((a, p) => a + p[k], 0) / (list.length || 1);
  return `activity queue ${ms(mean('activityQueue'))}, activity run ${ms(mean('activityRun'))}, workflow-task queue ${ms(mean('workflowQueue'))}, workflow-task run ${ms(mean('workflowRun'))}, other ${ms(mean('other'))}; history span ${ms(mean('total'))} (mean of ${list.length})`;
}
