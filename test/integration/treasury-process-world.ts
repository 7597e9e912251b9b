// The treasury world of treasury-world.ts (local chain, EvmChainBridge, SimExchanges alpha/bravo)
// reached the way a deployed worker reaches it: a Binance-spot emulator in front of each exchange on
// a free 127.0.0.1 port, a config file naming those ports and the chain (a `simulation` section), and
// the Ballast worker role as a child process (`node --import tsx workers/main.ts worker`) that loads
// it — so the worker can be killed with SIGKILL and started again while the market lives on here.
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { closeSync, mkdtempSync, openSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { Client, type Connection } from '@temporalio/client';
import { temporal } from '@temporalio/proto';
import { parseConfig } from '../../config/load';
import type { BallastConfig } from '../../domain/config.schema';
import { complianceScheduleId, dailyReportScheduleId, rebalanceScheduleId } from '../../temporal/schedules';
import { BinanceEmulator, type BinanceEmulatorOptions, type EmulatorWithdrawals } from '../../sim/emulator/binance-emulator';
import { setAutomine, setIntervalMining } from '../../sim/evm/local-chain';
import type { PgLedgerStore } from '../../activities/ledger/pg-ledger';
import { openTestLedger } from './ledger-db';
import { ACCOUNT, startTreasuryWorld, type TreasuryWorld } from './treasury-world';

const REPO_ROOT = resolve(__dirname, '..', '..');
const MAIN = join(REPO_ROOT, 'workers', 'main.ts');

export interface WorkerChild {
  child: ChildProcess;
  pid: number;
  logFile: string;
  /** Resolves when the process has exited (with its code or signal). */
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

export interface ProcessWorld {
  world: TreasuryWorld;
  emulators: Record<'alpha' | 'bravo', BinanceEmulator>;
  /** The config the child worker loads (also written to `configFile`). */
  config: BallastConfig;
  configFile: string;
  /** The child workers' ledger: its own PostgreSQL database (BALLAST_LEDGER_URL of each child). */
  ledger: PgLedgerStore & { url: string };
  /** The emulated venues' API credentials the worker children get (chaos scans logs and histories for them). */
  credentials: { apiKey: string; secret: string };
  /** Folder of the config file and the worker children's logs (removed by stop()). */
  dir: string;
  /** Stops block production: a broadcast withdrawal stays in the mempool (0 confirmations) until resumeChain. */
  freezeChain(): Promise<void>;
  resumeChain(): Promise<void>;
  /** Starts `workers/main.ts worker` and resolves once the server sees it polling the task queue. */
  spawnWorker(connection: Connection): Promise<WorkerChild>;
  stop(): Promise<void>;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Waits until a poller whose identity is `<pid>@host` polls the workflow task queue (the SDK's default identity). */
async function waitForPoller(connection: Connection, config: BallastConfig, w: WorkerChild, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (w.child.exitCode !== null || w.child.signalCode !== null) break;
    const r = await connection.workflowService.describeTaskQueue({
      namespace: config.temporal.namespace,
      taskQueue: { name: config.temporal.taskQueue },
      taskQueueType: temporal.api.enums.v1.TaskQueueType.TASK_QUEUE_TYPE_WORKFLOW,
    });
    if ((r.pollers ?? []).some((p) => p.identity?.startsWith(`${w.pid}@`))) return;
    await sleep(500);
  }
  let log = '';
  try {
    log = readFileSync(w.logFile, 'utf8').slice(-3000);
  } catch {
    // no log yet
  }
  throw new Error(`worker child ${w.pid} did not start polling ${config.temporal.taskQueue} (exit ${String(w.child.exitCode ?? w.child.signalCode)}); its log ends:\n${log}`);
}

/**
 * Deletes the schedules a worker child registered at start-up (fixed ids, pointing at the child's own
 * task queue): on the shared dev server they would otherwise keep starting runs on a queue nobody polls.
 */
export async function deleteWorkerSchedules(connection: Connection, config: BallastConfig): Promise<void> {
  const client = new Client({ connection, namespace: config.temporal.namespace });
  const asset = config.asset.symbol;
  for (const id of [...config.venues.map((v) => complianceScheduleId(v.id)), rebalanceScheduleId(asset), dailyReportScheduleId(asset)]) {
    await client.schedule.getHandle(id).delete().catch(() => undefined);
  }
}

/**
 * Starts `workers/main.ts worker --config <configFile>` with `env` added to this process's (venue
 * keys, BALLAST_LEDGER_URL...) and resolves once the server sees it polling the task queue.
 */
export async function spawnWorkerProcess(connection: Connection, o: { config: BallastConfig; configFile: string; env: Record<string, string>; logFile: string }): Promise<WorkerChild> {
  const out = openSync(o.logFile, 'a');
  // Node itself with tsx as a loader (not the tsx CLI, which would add a parent process):
  // the pid we SIGKILL is the worker.
  const child = spawn(process.execPath, ['--import', 'tsx', MAIN, 'worker', '--config', o.configFile], {
    cwd: REPO_ROOT,
    env: { ...process.env, TEMPORAL_ADDRESS: o.config.temporal.address, LOG_LEVEL: process.env.LOG_LEVEL ?? 'info', ...o.env },
    stdio: ['ignore', out, out],
  });
  closeSync(out);
  if (child.pid === undefined) throw new Error('could not spawn the worker child');
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((res) => child.once('exit', (code, signal) => res({ code, signal })));
  const w: WorkerChild = { child, pid: child.pid, logFile: o.logFile, exited };
  try {
    await waitForPoller(connection, o.config, w, 240_000);
  } catch (e) {
    child.kill('SIGKILL');
    await exited;
    throw e;
  }
  return w;
}

export interface ProcessWorldOptions {
  blockMs?: number;
  minConfirmations?: number;
  /** Further options of both Binance emulators (scripts/chaos.ts passes venue behaviours through here). */
  emulator?: Partial<Omit<BinanceEmulatorOptions, 'backend' | 'accounts'>>;
  /** The emulators' withdrawal behaviour (history lag, no client ids). */
  emulatorWithdrawals?: Partial<EmulatorWithdrawals>;
  /** Further edits of the child workers' raw config (after the venues are set). */
  configure?: (raw: Record<string, any>) => void;
}

export async function startProcessWorld(o: ProcessWorldOptions = {}): Promise<ProcessWorld> {
  const blockMs = o.blockMs ?? 250;
  const world = await startTreasuryWorld({ blockMs, ...(o.minConfirmations !== undefined ? { minConfirmations: o.minConfirmations } : {}) });
  const apiKey = randomBytes(16).toString('hex');
  const secret = randomBytes(32).toString('hex');
  const started: BinanceEmulator[] = [];
  const children = new Set<WorkerChild>();
  let spawned = 0;
  /** The connection the children were spawned with: stop() deletes the schedules they registered. */
  let connected: Connection | undefined;
  const dir = mkdtempSync(join(tmpdir(), 'ballast-faults-'));
  try {
    const emulator = async (backend: TreasuryWorld['alpha']) => {
      const emu = new BinanceEmulator({ backend, accounts: [{ account: ACCOUNT, apiKey, secret }], host: '127.0.0.1', port: 0, requiredConfirmations: o.minConfirmations ?? 2, ...o.emulator, ...(o.emulatorWithdrawals ? { withdrawals: o.emulatorWithdrawals } : {}) });
      const addr = await emu.start();
      started.push(emu);
      return { emu, port: addr.port };
    };
    const alpha = await emulator(world.alpha);
    const bravo = await emulator(world.bravo);
    const chainPort = Number(new URL(world.rpcUrl).port);
    // The world's config (whitelist with bravo's real BLST deposit address, caps, threshold, a
    // unique task queue on the test server), reduced to the two emulated venues, plus where the
    // chain is. The market HTTP port is never called by the worker role with these venues.
    const raw = JSON.parse(JSON.stringify(world.config)) as Record<string, any>;
    raw.venues = (raw.venues as Record<string, any>[])
      .filter((v) => v.id === 'alpha' || v.id === 'bravo')
      .map((v) => ({ ...v, emulatorPort: v.id === 'alpha' ? alpha.port : bravo.port }));
    raw.simulation = { scenario: 'demo', host: '127.0.0.1', port: 1, chainPort, ballast: { account: ACCOUNT, base: '0', quote: '0' } };
    raw.metrics = { host: '127.0.0.1', workerPort: 0, quotingPort: 0 };
    o.configure?.(raw);
    const configFile = join(dir, 'config.json');
    const config = parseConfig(raw, configFile);
    writeFileSync(configFile, JSON.stringify(config, null, 2));
    const ledger = await openTestLedger('process_world');

    return {
      world,
      emulators: { alpha: alpha.emu, bravo: bravo.emu },
      config,
      configFile,
      ledger,
      credentials: { apiKey, secret },
      dir,
      async freezeChain() {
        await setIntervalMining(world.rpcUrl, 0);
        await setAutomine(world.rpcUrl, false);
      },
      async resumeChain() {
        await setAutomine(world.rpcUrl, true);
        await setIntervalMining(world.rpcUrl, blockMs);
      },
      async spawnWorker(connection) {
        spawned += 1;
        connected = connection;
        const env = { BALLAST_SIM_API_KEY: apiKey, BALLAST_SIM_API_SECRET: secret, BALLAST_LEDGER_URL: ledger.url };
        const w = await spawnWorkerProcess(connection, { config, configFile, env, logFile: join(dir, `worker-${spawned}.log`) });
        children.add(w);
        void w.exited.then(() => children.delete(w));
        return w;
      },
      async stop() {
        for (const w of [...children]) {
          w.child.kill('SIGKILL');
          await w.exited;
        }
        if (connected) await deleteWorkerSchedules(connected, config);
        for (const emu of started) await emu.stop();
        await ledger.close();
        await world.stop();
        if (!process.env.BALLAST_KEEP_TEST_FILES) rmSync(dir, { recursive: true, force: true });
      },
    };
  } catch (e) {
    for (const emu of started) await emu.stop();
    await world.stop();
    throw e;
  }
}
