// Benchmark: the dashboard's live updates (issue 12 item 7, the data side), on the demo as `npm start`
// runs it. Prints; never asserts.
//   - SSE delivery latency: each event's snapshot time (`at`, taken when the snapshot is assembled)
//     to the client's receipt of its last byte (same machine, same clock);
//   - market change → dashboard: the simulated market's true book of BENCH_VENUE (alpha) polled every
//     100 ms; for each new mid that lasts ≥ BENCH_LASTING_MS (1500), the time until the first SSE event showing that mid
//     (market → quoting worker's book → its /metrics → the collector's loop → SSE);
//   - the API process's CPU (/proc/<pid>/stat utime + stime) over BENCH_SECONDS (60) with the loop
//     running and 0, 1 and 20 connected SSE clients, and the 20/1 ratio.
// Runs against the demo it starts (free ports), or BENCH_API_URL + BENCH_MARKET_URL of a running one
// (then the API's pid is found by its listening port, which needs the same user).
// Run: npm run bench -- dashboard-sse     (BENCH_SECONDS=60 BENCH_CLIENTS=20 BENCH_VENUE=alpha)
import { readdirSync, readFileSync, readlinkSync } from 'node:fs';
import type { OperatorSnapshot } from '../api/dashboard/model';
import { startBallastDemo, type BallastDemo } from '../test/browser-support/ballast-demo';
import { openSse, type SseStream } from '../test/support/sse-client';
import { formatSummary, machineContext, summarize } from './temporal-bench-env';

const SECONDS = Number(process.env.BENCH_SECONDS ?? '60');
const CLIENTS = Number(process.env.BENCH_CLIENTS ?? '20');
const VENUE = process.env.BENCH_VENUE ?? 'alpha';
/** A market mid shorter-lived than this may fall between two refreshes: not counted. */
const LASTING_MS = Number(process.env.BENCH_LASTING_MS ?? '1500');
const CLK_TCK = 100; // Linux USER_HZ
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** The pid listening on 127.0.0.1:<port> (/proc/net/tcp → socket inode → /proc/<pid>/fd). */
function pidListeningOn(port: number): number {
  const hex = port.toString(16).toUpperCase().padStart(4, '0');
  const inodes = new Set<string>();
  for (const file of ['/proc/net/tcp', '/proc/net/tcp6']) {
    for (const line of readFileSync(file, 'utf8').split('\n').slice(1)) {
      const f = line.trim().split(/\s+/);
      if (f[1]?.endsWith(`:${hex}`) && f[3] === '0A') inodes.add(f[9]!);
    }
  }
  for (const pid of readdirSync('/proc').filter((d) => /^\d+$/.test(d))) {
    let fds: string[];
    try {
      fds = readdirSync(`/proc/${pid}/fd`);
    } catch {
      continue;
    }
    for (const fd of fds) {
      try {
        const m = /^socket:\[(\d+)\]$/.exec(readlinkSync(`/proc/${pid}/fd/${fd}`));
        if (m && inodes.has(m[1]!)) return Number(pid);
      } catch {
        // the fd closed meanwhile
      }
    }
  }
  throw new Error(`no process of ours listens on port ${port}`);
}

/** CPU seconds (user + system) the process has used so far. */
function cpuSeconds(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(f[11]) + Number(f[12])) / CLK_TCK; // fields 14 and 15 (utime, stime)
}

interface Received {
  at: number;
  receivedAt: number;
  mid: number | null;
  bytes: number;
}

/** Reads a stream until stopped, recording each event's snapshot time, receipt time and VENUE's mid. */
function record(s: SseStream, into: Received[], stop: { done: boolean }): Promise<void> {
  return (async () => {
    while (!stop.done) {
      const e = await s.next(5_000).catch(() => undefined);
      if (!e) continue;
      const snap = JSON.parse(e.data) as OperatorSnapshot;
      into.push({ at: Date.parse(snap.at), receivedAt: e.receivedAt, mid: snap.venues.find((v) => v.id === VENUE)?.mid ?? null, bytes: e.data.length });
    }
  })();
}

/** The simulated market's true mid of VENUE every 100 ms: [time, mid] at each change. */
function watchMarket(marketUrl: string, stop: { done: boolean }): { changes: [number, number][]; done: Promise<void> } {
  const changes: [number, number][] = [];
  const done = (async () => {
    let last: number | undefined;
    while (!stop.done) {
      const t = performance.timeOrigin + performance.now();
      try {
        const b = (await (await fetch(`${marketUrl}/venues/${VENUE}/book?depth=1`)).json()) as { bids: { price: string }[]; asks: { price: string }[] };
        const mid = (Number(b.bids[0]!.price) + Number(b.asks[0]!.price)) / 2;
        if (mid !== last) changes.push([t, mid]);
        last = mid;
      } catch {
        // a missed poll only delays the next observation
      }
      await sleep(100);
    }
  })();
  return { changes, done };
}

/** For each market mid that lasted ≥ LASTING_MS, ms until the first event showing it. */
function changeLatencies(changes: [number, number][], events: Received[]): { latencies: number[]; lasting: number } {
  const latencies: number[] = [];
  let lasting = 0;
  for (let i = 0; i < changes.length; i++) {
    const [t, mid] = changes[i]!;
    const until = changes[i + 1]?.[0] ?? Infinity;
    if (until - t < LASTING_MS) continue;
    lasting++;
    const shown = events.find((e) => e.receivedAt >= t && e.mid !== null && Math.abs(e.mid - mid) < 1e-12);
    if (shown && shown.receivedAt <= until + 5_000) latencies.push(shown.receivedAt - t);
  }
  return { latencies, lasting };
}

/** One measurement with `clients` connected; returns the API's CPU in % of one core. */
async function phase(apiUrl: string, marketUrl: string, pid: number, clients: number): Promise<number> {
  const stop = { done: false };
  const streams = await Promise.all(Array.from({ length: clients }, () => openSse(`${apiUrl}/api/dashboard/events`)));
  const received = streams.map(() => [] as Received[]);
  const readers = streams.map((s, i) => record(s, received[i]!, stop));
  const market = clients > 0 ? watchMarket(marketUrl, stop) : undefined;
  await sleep(2_000); // every client has its first (latest) snapshot
  const cpu0 = cpuSeconds(pid);
  const t0 = performance.now();
  await sleep(SECONDS * 1_000);
  const cpu = cpuSeconds(pid) - cpu0;
  const wall = (performance.now() - t0) / 1_000;
  stop.done = true;
  streams.forEach((s) => s.close());
  await Promise.all([...readers, market?.done]);
  const pct = (100 * cpu) / wall;
  process.stdout.write(`\n${clients} SSE client(s), ${wall.toFixed(1)} s: API CPU ${cpu.toFixed(2)} s = ${pct.toFixed(2)} % of one core (${((1_000 * cpu) / wall).toFixed(1)} ms CPU per s)\n`);
  if (clients > 0) {
    const all = received.flat().slice(clients); // the first event per client is the catch-up snapshot
    const delivery = all.map((r) => r.receivedAt - r.at);
    process.stdout.write(`  events per client: ${(all.length / clients).toFixed(0)}, ${(all.reduce((a, r) => a + r.bytes, 0) / (all.length || 1) / 1024).toFixed(1)} KiB each\n`);
    process.stdout.write(`  delivery (snapshot at → received): ${formatSummary(summarize(delivery))}\n`);
    const { latencies, lasting } = changeLatencies(market!.changes, received[0]!);
    process.stdout.write(`  market change → dashboard (${VENUE} mid, ${lasting} changes lasting ≥ ${LASTING_MS} ms, ${latencies.length} seen): ${formatSummary(summarize(latencies))}\n`);
  }
  return pct;
}

async function main(): Promise<void> {
  process.stdout.write(`${machineContext()}\n`);
  let demo: BallastDemo | undefined;
  let apiUrl = process.env.BENCH_API_URL;
  let marketUrl = process.env.BENCH_MARKET_URL;
  if (!apiUrl || !marketUrl) {
    process.stdout.write('starting the demo (npm start on free ports)…\n');
    demo = await startBallastDemo();
    apiUrl = demo.apiUrl;
    marketUrl = demo.marketUrl;
  }
  try {
    const pid = pidListeningOn(Number(new URL(apiUrl).port));
    // Start the loop and let the quoting worker publish every venue before measuring.
    const deadline = Date.now() + 180_000;
    for (;;) {
      const s = (await (await fetch(`${apiUrl}/api/dashboard/snapshot`)).json()) as OperatorSnapshot;
      if (s.venues.every((v) => v.mid !== null) || Date.now() > deadline) break;
      await sleep(1_000);
    }
    process.stdout.write(`API pid ${pid}; ${SECONDS} s per phase; venue ${VENUE}\n`);
    const pcts: Record<number, number> = {};
    for (const n of [0, 1, CLIENTS]) pcts[n] = await phase(apiUrl, marketUrl, pid, n);
    process.stdout.write(`\nAPI CPU ratio ${CLIENTS} clients / 1 client: ${(pcts[CLIENTS]! / pcts[1]!).toFixed(2)}×  (0 clients, loop only: ${pcts[0]!.toFixed(2)} %)\n`);
  } finally {
    if (demo) process.stdout.write(`demo stopped (exit ${await demo.stop()})\n`);
  }
}

main().catch((e: unknown) => {
  process.stderr.write(`${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
  process.exit(1);
});
