// Ctrl-C under `npm start`: the terminal sends SIGINT to the whole process group (supervisor, market,
// worker, API, quoting worker) at once. The supervised children leave the order to the supervisor,
// which stops them in reverse start order: the quoting worker cancels every order while the simulated
// market (its exchange and emulator) still runs. Real processes: `workers/main.ts start` in its own
// process group, a one-venue scenario without a chain, the suite's dev server (TEMPORAL_ADDRESS).
import { spawn } from 'node:child_process';
import { Client, Connection } from '@temporalio/client';
import { randomBytes } from 'node:crypto';
import { chmodSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse, stringify } from 'yaml';
import { freePort } from '../../temporal/dev-server';
import { complianceScheduleId, dailyReportScheduleId, rebalanceScheduleId } from '../../temporal/schedules';
import { CcxtVenue } from '../../venues/ccxt/ccxt-venue';
import { temporalAddress, uniqueId } from './helpers';

jest.setTimeout(180_000);

const ROOT = join(__dirname, '..', '..');
const MAIN = join(ROOT, 'workers', 'main.ts');

/** The demo scenario cut down to alpha (no pool, so no local chain) with one noise trader. */
function scenario(): Record<string, unknown> {
  const demo = parse(readFileSync(join(ROOT, 'sim', 'scenarios', 'demo.yaml'), 'utf8')) as Record<string, any>;
  return {
    ...demo,
    name: 'shutdown-test',
    venues: (demo.venues as { id: string }[]).filter((v) => v.id === 'alpha'),
    agents: [{ ...(demo.agents as { kind: string }[]).find((a) => a.kind === 'noise'), venues: ['alpha'] }],
  };
}

interface LogLine {
  time: string;
  msg: string;
  name?: string;
  ballastOpenOrders?: Record<string, number>;
}

describe('npm start, Ctrl-C to the process group', () => {
  let dir: string;
  // The suite shares one dev server. An earlier test may have left coordinator:BLST running on a task
  // queue whose worker is gone (a compliance check signals it with signalWithStart); this run's quoting
  // worker would then read no modes from it and pull its quotes (a CI failure). Start from none, and
  // stop the one this run starts (task queue shutdown-…), so no later test signals a coordinator whose
  // worker is gone.
  // The run also registers Ballast's schedules, encrypted with the payload key npm start made in its
  // data dir: delete them afterwards, or a later worker without that key cannot update them.
  const cleanUp = async (reason: string, schedules: boolean) => {
    const connection = await Connection.connect({ address: temporalAddress() });
    try {
      const client = new Client({ connection });
      await client.workflow.getHandle('coordinator:BLST').terminate(reason).catch(() => undefined);
      if (schedules)
        for (const id of [complianceScheduleId('alpha'), rebalanceScheduleId('BLST'), dailyReportScheduleId('BLST')]) await client.schedule.getHandle(id).delete().catch(() => undefined);
    } finally {
      await connection.close();
    }
  };
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'ballast-shutdown-'));
    chmodSync(dir, 0o755); // the ledger's PostgreSQL (the postgres user, under root) must get through
    await cleanUp('ordered-shutdown test: a coordinator of its own', false);
  });
  afterAll(async () => {
    rmSync(dir, { recursive: true, force: true });
    await cleanUp('ordered-shutdown test done', true);
  });

  it('the quoting worker cancels its orders before the market stops', async () => {
    const scenarioFile = join(dir, 'scenario.yaml');
    writeFileSync(scenarioFile, stringify(scenario()));
    const ports = { api: await freePort(), market: await freePort(), chain: await freePort(), alpha: await freePort(), ledger: await freePort() };
    const config = parse(readFileSync(join(ROOT, 'config', 'demo.yaml'), 'utf8')) as Record<string, any>;
    config.temporal = { ...config.temporal, address: temporalAddress(), taskQueue: uniqueId('shutdown'), dataDir: join(dir, 'data') };
    config.api = { host: '127.0.0.1', port: ports.api };
    // Its own embedded ledger server: not the repository's data/ledger-pg on the default port 5433.
    config.ledger = { embedded: { dataDir: join(dir, 'ledger-pg'), port: ports.ledger } };
    config.metrics = { host: '127.0.0.1', workerPort: 0, quotingPort: 0 };
    config.venues = (config.venues as { id: string }[]).filter((v) => v.id === 'alpha').map((v) => ({ ...v, emulatorPort: ports.alpha }));
    config.simulation = { ...config.simulation, scenario: scenarioFile, port: ports.market, chainPort: ports.chain };
    const configFile = join(dir, 'config.yaml');
    writeFileSync(configFile, stringify(config));
    const keys = { apiKey: randomBytes(16).toString('hex'), secret: randomBytes(32).toString('hex') };

    const proc = spawn(process.execPath, ['--import', 'tsx', MAIN, 'start', '--config', configFile], {
      cwd: ROOT,
      // Its own process group, as a terminal's foreground job: the group SIGINT below is a Ctrl-C.
      detached: true,
      env: { ...process.env, LOG_LEVEL: 'info', BALLAST_SIM_API_KEY: keys.apiKey, BALLAST_SIM_API_SECRET: keys.secret, BALLAST_LEDGER_FILE: join(dir, 'ledger.jsonl') },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    proc.stdout?.on('data', (d: Buffer) => (out += d.toString()));
    proc.stderr?.on('data', (d: Buffer) => (out += d.toString()));
    const exited = new Promise<number | null>((r) => proc.once('exit', (code) => r(code)));
    const venue = new CcxtVenue({ id: 'alpha', exchangeId: 'binance', symbol: 'BLST/USDT', credentials: keys, restUrl: `http://127.0.0.1:${ports.alpha}`, wsUrl: `ws://127.0.0.1:${ports.alpha}/stream` });
    try {
      const deadline = Date.now() + 150_000;
      let resting = 0;
      while (Date.now() < deadline && proc.exitCode === null) {
        if (out.includes('Ballast is running')) {
          resting = (await venue.fetchOpenOrders().catch(() => [])).filter((o) => o.clientOrderId?.startsWith('bq')).length;
          if (resting >= 4) break;
        }
        await new Promise((r) => setTimeout(r, 500));
      }
      if (resting < 4) throw new Error(`Ballast did not start quoting:\n${out.slice(-4000)}`);
      await venue.close();

      process.kill(-proc.pid!, 'SIGINT');
      expect(await exited).toBe(0);

      const lines = out.split('\n').flatMap((l) => {
        try {
          return [JSON.parse(l) as LogLine];
        } catch {
          return [];
        }
      });
      const quotingStopped = lines.find((l) => l.name === 'ballast-quoting' && l.msg.startsWith('quoting stopped'));
      const marketStopping = lines.find((l) => l.name === 'ballast-market' && l.msg.startsWith('market stopping'));
      expect(quotingStopped?.msg).toBe('quoting stopped; no order of ours left on any venue');
      // The market's own record: nothing of Ballast's was resting when it went away, and it went after the quoting worker.
      expect(marketStopping).toMatchObject({ msg: 'market stopping; no Ballast order resting', ballastOpenOrders: { alpha: 0 } });
      expect(Date.parse(marketStopping!.time)).toBeGreaterThanOrEqual(Date.parse(quotingStopped!.time));
    } finally {
      if (proc.exitCode === null) {
        process.kill(-proc.pid!, 'SIGKILL');
        await exited;
      }
    }
  });
});
