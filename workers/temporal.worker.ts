// The Ballast Temporal worker: registers search attributes and schedules, then runs the workflows
// and activities on the configured task queue until SIGINT/SIGTERM.
import { Client, Connection } from '@temporalio/client';
import { NativeConnection, Runtime, Worker, type WorkerOptions } from '@temporalio/worker';
import type { Logger } from 'pino';
import { resolve } from 'node:path';
import { createActivities } from '../activities';
import type { LedgerStore } from '../activities/ledger-store';
import { isComplianceHistoryStore } from '../activities/compliance-history-store';
import { ComplianceSampler } from '../activities/compliance-sampler';
import { locateLedger } from '../activities/ledger/open';
import { PgLedgerStore } from '../activities/ledger/pg-ledger';
import { createApprovalActivities } from '../activities/approval.activities';
import type { PriceActionDeps } from '../activities/price-action.activities';
import type { TreasuryDeps } from '../activities/treasury.activities';
import type { VenueAdapter } from '../venues/venue.port';
import type { BallastConfig } from '../domain/config.schema';
import { ballastDataConverter } from '../temporal/data-converter';
import { ensureBallastSchedules } from '../temporal/schedules';
import { ensureSearchAttributes } from '../temporal/search-attributes';
import { buildVenueRegistry, ccxtVenueFor } from '../venues/registry';
import { pinoTemporalLogger } from './temporal-logger';
import { collectDefaultMetrics } from 'prom-client';
import { BallastMetrics } from '../observability/metrics';
import { countingLedger } from '../observability/ledger-metrics';
import { serveMetrics } from '../observability/metrics-server';

export const WORKFLOWS_PATH = require.resolve('../workflows');

export interface TemporalWorkerDeps {
  config: BallastConfig;
  logger: Logger;
  now?: () => number;
  /** Where venue credentials are read from (the names come from the config). */
  env?: Record<string, string | undefined>;
  /** Treasury dependencies (tests inject in-process venues); default: defaultTreasuryDeps. */
  treasury?: Omit<TreasuryDeps, 'config' | 'logger'>;
  /** Price-action dependencies (tests inject them); default: the treasury's adapters and ledger. */
  priceAction?: Omit<PriceActionDeps, 'config' | 'logger'>;
  /** The ledger of the default treasury deps (runTemporalWorker opens the configured one). */
  ledger?: LedgerStore;
  /** Counts transfers and price-action executions as the ledger books them (runWorker makes and serves one). */
  metrics?: BallastMetrics;
}

/** The Temporal worker's registry: process defaults; transfers and executions are counted by countingLedger. */
export function temporalWorkerMetrics(): BallastMetrics {
  const metrics = new BallastMetrics();
  collectDefaultMetrics({ register: metrics.registry, prefix: 'ballast_worker_' });
  return metrics;
}

export function installRuntimeLogger(logger: Logger): void {
  Runtime.install({ logger: pinoTemporalLogger(logger) });
}

export function workerActivities(deps: TemporalWorkerDeps): WorkerOptions['activities'] {
  const venues = buildVenueRegistry(deps.config, deps.now ?? Date.now, deps.env ?? {});
  const m = deps.metrics;
  const counted = <T extends { ledger: LedgerStore }>(d: T): T => (m ? { ...d, ledger: countingLedger(d.ledger, m) } : d);
  const treasury = counted(deps.treasury ?? defaultTreasuryDeps(deps));
  // Price action trades through the same per-venue ccxt adapters and books in the same ledger.
  const priceAction = deps.priceAction ? counted(deps.priceAction) : { tradeVenue: (id: string) => treasury.transferVenue(id), ledger: treasury.ledger, now: treasury.now };
  // Compliance history and alerts in the ledger's database (the store itself: the counting wrapper is the treasury's).
  const history = isComplianceHistoryStore(deps.ledger) ? deps.ledger : undefined;
  return {
    ...createActivities({ config: deps.config, venues, logger: deps.logger, treasury, priceAction, ...(history ? { history } : {}), env: deps.env ?? {}, now: Date.now }),
    ...createApprovalActivities({ config: deps.config, now: Date.now }),
  };
}

/**
 * Transfers through each venue's own API (ccxt; for sim venues the Binance emulator in front of the
 * simulated exchange), one adapter per venue kept for the worker's life; the given ledger;
 * confirmations read on the simulated market's local chain, or on an AMM venue's chain.
 */
export function defaultTreasuryDeps(deps: TemporalWorkerDeps): Omit<TreasuryDeps, 'config' | 'logger'> {
  const { config } = deps;
  const adapters = new Map<string, VenueAdapter>();
  return {
    transferVenue(id) {
      let a = adapters.get(id);
      if (!a) {
        const v = config.venues.find((x) => x.id === id);
        a = v ? ccxtVenueFor(config, v, deps.env ?? {}) : undefined;
        if (!a) throw new Error(`venue "${id}" has no transfer adapter (sim venues need an emulatorPort; AMM transfers are not supported)`);
        adapters.set(id, a);
      }
      return a;
    },
    ledger: deps.ledger ?? missingLedger(),
    chainRpcUrl() {
      if (config.simulation) return `http://${config.simulation.host}:${config.simulation.chainPort}`;
      const amm = config.venues.find((v) => v.kind === 'amm');
      if (amm && amm.kind === 'amm') return amm.chain.rpcUrl;
      throw new Error('no chain configured: confirmations need a simulation section or an AMM venue');
    },
    now: deps.now ?? Date.now,
  };
}

/** The ledger pool's size: the embedded PGlite's 1, or BALLAST_LEDGER_POOL_MAX (npm start passes it on). */
function poolMax(fromServer: number | undefined, env: Record<string, string | undefined> | undefined): number | undefined {
  const n = Number(env?.BALLAST_LEDGER_POOL_MAX);
  return fromServer ?? (Number.isInteger(n) && n > 0 ? n : undefined);
}

function missingLedger(): never {
  throw new Error('the treasury activities need a ledger (TemporalWorkerDeps.ledger)');
}

export async function runTemporalWorker(deps: TemporalWorkerDeps): Promise<void> {
  const { config, logger } = deps;
  // The ledger's PostgreSQL (the configured URL, or an embedded server this worker runs and stops),
  // migrated before the first activity can run.
  const location = deps.ledger || deps.treasury ? undefined : await locateLedger(config, deps.env ?? {}, { projectRoot: resolve(__dirname, '..'), log: logger });
  const ledger = deps.ledger ?? (location ? new PgLedgerStore({ url: location.url, ...(poolMax(location.maxConnections, deps.env) ? { max: poolMax(location.maxConnections, deps.env) } : {}) }) : undefined);
  try {
    if (ledger instanceof PgLedgerStore) await ledger.ready();
    if (location) logger.info({ ledger: location.describe }, 'treasury ledger ready');
    await runWorker({ ...deps, ...(ledger ? { ledger } : {}) });
  } finally {
    await ledger?.close();
    await location?.stop();
  }
}

async function runWorker(deps: TemporalWorkerDeps): Promise<void> {
  const { config, logger } = deps;
  const { address, namespace, taskQueue } = config.temporal;
  // Payload encryption when BALLAST_PAYLOAD_KEYS is set: schedule inputs, workflow and activity payloads.
  const dataConverter = ballastDataConverter(deps.env ?? {});
  if (!dataConverter) logger.warn('BALLAST_PAYLOAD_KEYS is not set: payloads are stored unencrypted');
  const connection = await Connection.connect({ address });
  try {
    const added = await ensureSearchAttributes(connection, namespace);
    if (added.length) logger.info({ added }, 'registered search attributes');
    const schedules = await ensureBallastSchedules(new Client({ connection, namespace, dataConverter }), config);
    logger.info({ schedules }, 'schedules registered');
  } finally {
    await connection.close();
  }
  const metrics = deps.metrics ?? temporalWorkerMetrics();
  const server = await serveMetrics(metrics, { host: config.metrics.host, port: config.metrics.workerPort });
  logger.info({ url: server.url }, 'worker metrics served');
  // The compliance time series (every venue, the pool included, every compliance.sampleEvery).
  const history = isComplianceHistoryStore(deps.ledger) && config.compliance.sampling ? deps.ledger : undefined;
  const sampler = history ? new ComplianceSampler({ config, venues: buildVenueRegistry(config, deps.now ?? Date.now, deps.env ?? {}), store: history, logger }) : undefined;
  sampler?.start();
  try {
    const nativeConnection = await NativeConnection.connect({ address });
    try {
      const worker = await Worker.create({
        connection: nativeConnection,
        namespace,
        taskQueue,
        workflowsPath: WORKFLOWS_PATH,
        dataConverter,
        activities: workerActivities({ ...deps, metrics }),
      });
      logger.info({ address, namespace, taskQueue }, 'Temporal worker running');
      await worker.run();
    } finally {
      await nativeConnection.close();
    }
  } finally {
    await sampler?.stop();
    await server.close();
  }
}
