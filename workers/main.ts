// One entry point, several roles:
//   start   — everything on one machine: dev server (unless TEMPORAL_ADDRESS is set), the simulated
//             market (when the config has `simulation`), worker, API
//   worker  — the Temporal worker     api — the HTTP API     market — the simulated market
//   quoting — the hot-path quoting worker (every quotable venue; modes from the coordinator)
//   temporal — the dev server only
// Config: --config <file> or BALLAST_CONFIG; default config/demo.yaml.
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { Connection } from '@temporalio/client';
import { temporal } from '@temporalio/proto';
import { join, resolve } from 'node:path';
import { ConfigError, DEFAULT_CONFIG_PATH } from '../config/load';
import { loadStartupConfig } from '../config/startup-guards';
import { createLogger } from '../config/logger';
import type { BallastConfig } from '../domain/config.schema';
import { findTemporalBinary, PROJECT_ROOT } from '../temporal/binary';
import { loadCodecKeys, PAYLOAD_KEYS_ENV } from '../temporal/codec';
import { ballastDataConverter, ensurePayloadKeyFile } from '../temporal/data-converter';
import { startDevServer, type DevServer } from '../temporal/dev-server';
import { codecAuthFromEnv } from '../api/codec-auth';
import { runApi } from '../api/server';
import { configuredLedgerUrl, locateLedger } from '../activities/ledger/open';
import { PgLedgerStore } from '../activities/ledger/pg-ledger';
import { startSimulatedMarket } from './market';
import { runQuotingWorker } from './quoting.worker';
import { installRuntimeLogger, runTemporalWorker } from './temporal.worker';

type Role = 'start' | 'worker' | 'api' | 'market' | 'quoting' | 'temporal';
const ROLES: Role[] = ['start', 'worker', 'api', 'market', 'quoting', 'temporal'];

function parseArgs(argv: string[]): { role: Role; configPath: string } {
  const [role, ...rest] = argv;
  if (!ROLES.includes(role as Role)) throw new ConfigError(`usage: main.ts <${ROLES.join('|')}> [--config file]; got role ${JSON.stringify(role)}`);
  const i = rest.indexOf('--config');
  const configPath = i >= 0 ? rest[i + 1] : process.env.BALLAST_CONFIG;
  if (i >= 0 && !configPath) throw new ConfigError('--config needs a file path');
  return { role: role as Role, configPath: resolve(configPath ?? DEFAULT_CONFIG_PATH) };
}

const logger = createLogger({ name: `ballast-${process.argv[2] ?? 'main'}`, level: process.env.LOG_LEVEL ?? 'info' });

/** Set by `start` for its children: a Ctrl-C to the process group is the supervisor's to order. */
const SUPERVISED_ENV = 'BALLAST_SUPERVISED';

/**
 * Stop on SIGTERM, and on SIGINT when run alone. Under `start`, Ctrl-C signals the whole process
 * group at once: a supervised child leaves the order to the supervisor (SIGTERM in reverse start
 * order, so the quoting worker cancels its orders while the market still runs), and stops by
 * itself only if no SIGTERM follows within 30 s.
 */
function onStopSignals(stop: () => void): void {
  let stopping = false;
  const once = () => {
    if (stopping) return;
    stopping = true;
    stop();
  };
  process.on('SIGTERM', once);
  process.on('SIGINT', () => {
    if (!process.env[SUPERVISED_ENV]) return once();
    logger.info('SIGINT: the supervisor stops the processes in order');
    setTimeout(once, 30_000).unref();
  });
}

function splitAddress(address: string): { host: string; port: number } {
  const [host, port] = address.split(':');
  return { host: host ?? '127.0.0.1', port: Number(port) };
}

async function startEmbeddedTemporal(config: BallastConfig): Promise<DevServer> {
  const binary = findTemporalBinary({ log: logger });
  logger.info({ binary: binary.path, source: binary.source }, 'Temporal CLI');
  const { host, port } = splitAddress(config.temporal.address);
  const dataDir = resolve(PROJECT_ROOT, config.temporal.dataDir);
  return startDevServer({
    binary: binary.path,
    ip: host,
    port,
    uiPort: config.temporal.uiPort,
    dbFile: join(dataDir, 'temporal.sqlite'),
    logFile: join(dataDir, 'temporal.log'),
    namespace: config.temporal.namespace,
    // The Web UI decrypts payloads through the API's codec endpoints (api/codec-routes.ts).
    uiCodecEndpoint: `http://${config.api.host === '0.0.0.0' ? '127.0.0.1' : config.api.host}:${config.api.port}/codec`,
    log: logger,
  });
}

/**
 * The payload keys for every child: BALLAST_PAYLOAD_KEYS when set, else `<dataDir>/payload-keys`,
 * made once (0600) and reused so the dev server's SQLite histories stay readable across restarts.
 */
function payloadKeysForStart(config: BallastConfig): string {
  const given = process.env[PAYLOAD_KEYS_ENV]?.trim();
  if (given) {
    loadCodecKeys(process.env); // a bad value stops start-up (exit 2) before anything runs
    return given;
  }
  const file = join(resolve(PROJECT_ROOT, config.temporal.dataDir), 'payload-keys');
  const keys = ensurePayloadKeyFile(file);
  if (keys.created) logger.info({ file }, 'made a payload encryption key (kept for later starts)');
  if (keys.looseMode) logger.warn({ file }, 'the payload key file is readable by group or others: chmod 600 it');
  return keys.value;
}

async function waitForHttp(url: string, child: ChildProcess, timeoutMs = 120_000): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline && child.exitCode === null) {
    try {
      const r = await fetch(url, { signal: AbortSignal.timeout(3_000) });
      if (r.ok) return true;
    } catch {
      // not up yet
    }
    await new Promise((r) => setTimeout(r, 500));
  }
  return false;
}

/** The worker is ready when the server sees it polling our task queue (identity is `<pid>@<host>`). */
async function waitForWorker(config: BallastConfig, child: ChildProcess, timeoutMs = 180_000): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  const connection = await Connection.connect({ address: config.temporal.address });
  try {
    while (Date.now() < deadline && child.exitCode === null) {
      const r = await connection.workflowService.describeTaskQueue({
        namespace: config.temporal.namespace,
        taskQueue: { name: config.temporal.taskQueue },
        taskQueueType: temporal.api.enums.v1.TaskQueueType.TASK_QUEUE_TYPE_WORKFLOW,
      });
      if ((r.pollers ?? []).some((p) => p.identity?.startsWith(`${child.pid}@`))) return true;
      await new Promise((res) => setTimeout(res, 500));
    }
    return false;
  } finally {
    await connection.close();
  }
}

async function supervise(config: BallastConfig, configPath: string): Promise<void> {
  const t0 = Date.now();
  const payloadKeys = payloadKeysForStart(config);
  const embedded = process.env.TEMPORAL_ADDRESS ? undefined : await startEmbeddedTemporal(config);
  // The ledger's PostgreSQL: the configured one, or an embedded server for every child, stopped last.
  const ledgerDb = await locateLedger(config, process.env, { projectRoot: PROJECT_ROOT, log: logger });
  const children: ChildProcess[] = [];
  let stopping = false;

  const shutdown = async (code: number) => {
    if (stopping) return;
    stopping = true;
    logger.info('stopping Ballast');
    // Reverse start order: the quoting worker cancels its orders while the market is still up.
    for (const c of [...children].reverse()) {
      if (c.exitCode !== null) continue;
      const exited = new Promise((r) => c.once('exit', r));
      c.kill('SIGTERM');
      const killer = setTimeout(() => c.kill('SIGKILL'), 15_000);
      await exited;
      clearTimeout(killer);
    }
    await embedded?.stop();
    await ledgerDb.stop();
    logger.info('stopped');
    process.exit(code);
  };
  process.on('SIGINT', () => void shutdown(0));
  process.on('SIGTERM', () => void shutdown(0));

  // Keys of Ballast's account on the simulated exchanges' emulators: made up per run unless given.
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    TEMPORAL_ADDRESS: config.temporal.address,
    [PAYLOAD_KEYS_ENV]: payloadKeys,
    [config.ledger.urlEnv]: ledgerDb.url,
    ...(ledgerDb.maxConnections ? { BALLAST_LEDGER_POOL_MAX: String(ledgerDb.maxConnections) } : {}),
    BALLAST_SIM_API_KEY: process.env.BALLAST_SIM_API_KEY ?? randomBytes(16).toString('hex'),
    BALLAST_SIM_API_SECRET: process.env.BALLAST_SIM_API_SECRET ?? randomBytes(32).toString('hex'),
    [SUPERVISED_ENV]: '1',
  };
  const spawnRole = (role: Role): ChildProcess => {
    // Same interpreter and loader flags (tsx) as this process.
    const child = spawn(process.execPath, [...process.execArgv, __filename, role, '--config', configPath], { env, stdio: 'inherit' });
    child.once('exit', (code, signal) => {
      if (stopping) return;
      logger.error({ role, code, signal }, 'a Ballast process exited unexpectedly; stopping everything');
      void shutdown(1);
    });
    children.push(child);
    return child;
  };

  let marketUrl: string | undefined;
  if (config.simulation) {
    const market = spawnRole('market');
    marketUrl = `http://${config.simulation.host}:${config.simulation.port}`;
    if (!(await waitForHttp(`${marketUrl}/venues`, market))) {
      logger.error('the simulated market did not start');
      return shutdown(1);
    }
  }
  const worker = spawnRole('worker');
  const api = spawnRole('api');
  // With the simulated market, quote on it (against a live config, start `quoting` deliberately).
  if (config.simulation) spawnRole('quoting');
  const apiUrl = `http://${config.api.host}:${config.api.port}`;
  if (!(await waitForHttp(`${apiUrl}/health`, api))) {
    logger.error('API did not become healthy');
    return shutdown(1);
  }
  if (!(await waitForWorker(config, worker))) {
    logger.error('the Temporal worker did not start polling');
    return shutdown(1);
  }
  const ui = embedded?.uiUrl ?? `(external Temporal at ${config.temporal.address})`;
  process.stderr.write(
    [
      '',
      `Ballast is running (API healthy, worker polling, after ${((Date.now() - t0) / 1000).toFixed(1)} s)`,
      `  Temporal gRPC    ${config.temporal.address}  namespace ${config.temporal.namespace}`,
      `  Temporal Web UI  ${ui}`,
      `  Ballast API      ${apiUrl}  (health: ${apiUrl}/health, market: ${apiUrl}/api/market/venues)`,
      ...(config.simulation
        ? [`  Simulated market ${marketUrl}  scenario ${config.simulation.scenario}; local EVM http://${config.simulation.host}:${config.simulation.chainPort}`]
        : []),
      `  Ledger           ${ledgerDb.describe}`,
      `  Config           ${configPath}`,
      'Ctrl-C stops everything.',
      '',
    ].join('\n'),
  );
}

async function main(): Promise<void> {
  const { role, configPath } = parseArgs(process.argv.slice(2));
  // Refuses a live start with anything missing (config/startup-guards.ts): exit 2 with the list.
  const config = loadStartupConfig(configPath, process.env);
  switch (role) {
    case 'start':
      return supervise(config, configPath);
    case 'worker':
      installRuntimeLogger(logger);
      // The ledger: the URL in ledger.urlEnv (BALLAST_LEDGER_URL) or ledger.url, else an embedded PostgreSQL.
      return runTemporalWorker({ config, logger, env: process.env });
    case 'api': {
      // BALLAST_CODEC_TOKEN(_FILE): the codec endpoints' credential; a non-loopback bind without it exits 2.
      // The ledger's database (npm start passes its URL in ledger.urlEnv): compliance history, and the
      // dashboard's transfers in flight. Not on the single-session PGlite fallback (pool max 1): that
      // one connection is the worker's.
      const ledgerUrl = process.env.BALLAST_LEDGER_POOL_MAX === '1' ? undefined : configuredLedgerUrl(config, process.env);
      const ledger = ledgerUrl ? new PgLedgerStore({ url: ledgerUrl, max: 2 }) : undefined;
      const app = await runApi({ config, logger, dataConverter: ballastDataConverter(process.env), codecAuth: codecAuthFromEnv(process.env), ...(ledger ? { compliance: ledger, dashboard: { ledger } } : {}) });
      onStopSignals(() => void app.close().then(() => ledger?.close()).then(() => process.exit(0)));
      return;
    }
    case 'market': {
      if (!config.simulation) throw new ConfigError('the market role needs a `simulation` section in the config');
      // The treasury whitelist names each venue's deposit address (`<venue>-deposit`): the simulated
      // exchanges use exactly those for Ballast's account, as a real exchange's would be whitelisted.
      const depositAddresses = Object.fromEntries(config.venues.flatMap((v) => {
        const w = config.treasury.whitelist.find((x) => x.label === `${v.id}-deposit`);
        return w ? [[v.id, w.address]] : [];
      }));
      const market = await startSimulatedMarket({ ...config.simulation, venues: config.venues, env: process.env, log: logger, depositAddresses });
      onStopSignals(() => void market.stop().then(() => process.exit(0)));
      return;
    }
    case 'quoting': {
      const q = await runQuotingWorker({ config, env: process.env, logger });
      // Exit 1 when an order of ours could not be cancelled (the log names it, per venue).
      onStopSignals(() => void q.stop().then((r) => process.exit(r.sweeps.some((s) => s.left.length > 0) ? 1 : 0), () => process.exit(1)));
      return;
    }
    case 'temporal': {
      const server = await startEmbeddedTemporal(config);
      process.stderr.write(`Temporal dev server at ${server.address}, Web UI ${server.uiUrl ?? '(headless)'}\n`);
      const stop = () => void server.stop().then(() => process.exit(0));
      process.on('SIGINT', stop);
      process.on('SIGTERM', stop);
      return;
    }
  }
}

main().catch((e: unknown) => {
  if (e instanceof ConfigError) {
    process.stderr.write(`ballast: ${e.message}\n`);
    process.exit(2);
  }
  logger.fatal({ err: e }, 'ballast failed');
  process.exit(1);
});
