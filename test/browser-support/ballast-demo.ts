// The demo as `npm start` runs it, as one child process on free ports: its own Temporal dev server
// (with the Web UI), the embedded ledger PostgreSQL, the simulated market (with fault injection on its
// HTTP endpoint), the Temporal worker, the quoting worker and the API serving the dashboard. Used by
// the dashboard browser test and the dashboard paint benchmark.
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { chmodSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse, stringify } from 'yaml';
import { freePort, isPortFree } from '../../temporal/dev-server';

const ROOT = join(__dirname, '..', '..');
const MAIN = join(ROOT, 'workers', 'main.ts');

export interface BallastDemo {
  apiUrl: string;
  /** The Temporal Web UI, as the start-up banner prints it. */
  uiUrl: string;
  marketUrl: string;
  /** /metrics of the quoting worker and of the Temporal worker. */
  quotingMetricsUrl: string;
  workerMetricsUrl: string;
  namespace: string;
  /** The dev server's gRPC address (host:port). */
  temporalAddress: string;
  /** Everything the processes printed so far. */
  output(): string;
  /** Switches a fault on a simulated exchange (workers/market.ts POST /venues/<id>/faults). */
  injectFault(venue: string, fault: { kind: string; durationMs?: number }): Promise<void>;
  clearFault(venue: string, kind: string): Promise<void>;
  /** SIGTERM (the ordered shutdown), then the exit code; removes the run's files. */
  stop(): Promise<number | null>;
}

/**
 * A free port BELOW Linux's ephemeral range (32768–60999): the processes bind theirs seconds later,
 * and a port from the ephemeral range could be taken meanwhile as some connection's source port.
 */
const taken = new Set<number>();
async function listenPort(): Promise<number> {
  for (let i = 0; i < 200; i++) {
    const p = 20_000 + Math.floor(Math.random() * 12_000);
    if (!taken.has(p) && (await isPortFree(p))) {
      taken.add(p);
      return p;
    }
  }
  return freePort();
}

export async function startBallastDemo(o: { startTimeoutMs?: number; logLevel?: string } = {}): Promise<BallastDemo> {
  const dir = mkdtempSync(join(tmpdir(), 'ballast-demo-'));
  chmodSync(dir, 0o755); // the ledger's PostgreSQL (the postgres user, under root) must get through
  const names = ['temporal', 'ui', 'api', 'market', 'chain', 'alpha', 'bravo', 'charlie', 'ledger', 'workerMetrics', 'quotingMetrics'] as const;
  const ports = {} as Record<(typeof names)[number], number>;
  for (const n of names) ports[n] = await listenPort();

  const config = parse(readFileSync(join(ROOT, 'config', 'demo.yaml'), 'utf8')) as Record<string, any>;
  config.temporal = { ...config.temporal, address: `127.0.0.1:${ports.temporal}`, uiPort: ports.ui, dataDir: join(dir, 'data') };
  config.api = { host: '127.0.0.1', port: ports.api };
  config.metrics = { host: '127.0.0.1', workerPort: ports.workerMetrics, quotingPort: ports.quotingMetrics };
  config.ledger = { embedded: { dataDir: join(dir, 'ledger-pg'), port: ports.ledger } };
  config.simulation = { ...config.simulation, port: ports.market, chainPort: ports.chain };
  for (const v of config.venues) if (v.kind === 'sim') v.emulatorPort = ports[v.id as 'alpha' | 'bravo' | 'charlie'];
  const file = join(dir, 'config.yaml');
  writeFileSync(file, stringify(config));

  const env: NodeJS.ProcessEnv = { ...process.env, LOG_LEVEL: o.logLevel ?? 'warn', BALLAST_PAYLOAD_KEYS: `demo:${randomBytes(32).toString('base64')}` };
  delete env.TEMPORAL_ADDRESS; // its own dev server, with the Web UI
  delete env.BALLAST_CONFIG;
  delete env.BALLAST_LEDGER_URL;
  const proc: ChildProcess = spawn(process.execPath, ['--import', 'tsx', MAIN, 'start', '--config', file], { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  proc.stdout?.on('data', (d: Buffer) => (out += d.toString()));
  proc.stderr?.on('data', (d: Buffer) => (out += d.toString()));
  const exited = new Promise<number | null>((r) => proc.once('exit', (code) => r(code)));

  const stop = async (): Promise<number | null> => {
    if (proc.exitCode === null && proc.signalCode === null) proc.kill('SIGTERM');
    const code = await exited;
    if (!process.env.BALLAST_KEEP_TEST_FILES) rmSync(dir, { recursive: true, force: true });
    return code;
  };

  const deadline = Date.now() + (o.startTimeoutMs ?? 240_000);
  while (!out.includes('Ballast is running') && Date.now() < deadline && proc.exitCode === null) await new Promise((r) => setTimeout(r, 250));
  if (!out.includes('Ballast is running')) {
    await stop();
    throw new Error(`Ballast did not start:\n${out.slice(-3000)}`);
  }
  const uiUrl = out.match(/Temporal Web UI\s+(http:\/\/\S+)/)?.[1] ?? `http://127.0.0.1:${ports.ui}`;
  const marketUrl = `http://127.0.0.1:${ports.market}`;
  const fault = async (method: 'POST' | 'DELETE', path: string, body?: unknown) => {
    const r = await fetch(`${marketUrl}${path}`, { method, ...(body ? { body: JSON.stringify(body), headers: { 'content-type': 'application/json' } } : {}) });
    if (!r.ok) throw new Error(`${method} ${path}: ${r.status} ${await r.text()}`);
  };
  return {
    apiUrl: `http://127.0.0.1:${ports.api}`,
    uiUrl,
    marketUrl,
    quotingMetricsUrl: `http://127.0.0.1:${ports.quotingMetrics}/metrics`,
    workerMetricsUrl: `http://127.0.0.1:${ports.workerMetrics}/metrics`,
    namespace: String(config.temporal.namespace ?? 'default'),
    temporalAddress: `127.0.0.1:${ports.temporal}`,
    output: () => out,
    injectFault: (venue, f) => fault('POST', `/venues/${venue}/faults`, f),
    clearFault: (venue, kind) => fault('DELETE', `/venues/${venue}/faults/${kind}`),
    stop,
  };
}
