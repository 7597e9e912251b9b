// The Ballast Temporal worker: registers search attributes and schedules, then runs the workflows
// and activities on the configured task queue until SIGINT/SIGTERM.
import { Client, Connection } from '@temporalio/client';
import { NativeConnection, Runtime, Worker, type WorkerOptions } from '@temporalio/worker';
import type { Logger } from 'pino';
import { createActivities } from '../activities';
import type { BallastConfig } from '../domain/config.schema';
import { ensureComplianceSchedules } from '../temporal/schedules';
import { ensureSearchAttributes } from '../temporal/search-attributes';
import { buildVenueRegistry } from '../venues/registry';
import { pinoTemporalLogger } from './temporal-logger';

export const WORKFLOWS_PATH = require.resolve('../workflows');

export interface TemporalWorkerDeps {
  config: BallastConfig;
  logger: Logger;
  now?: () => number;
  /** Where venue credentials are read from (the names come from the config). */
  env?: Record<string, string | undefined>;
}

export function installRuntimeLogger(logger: Logger): void {
  Runtime.install({ logger: pinoTemporalLogger(logger) });
}

export function workerActivities(deps: TemporalWorkerDeps): WorkerOptions['activities'] {
  const venues = buildVenueRegistry(deps.config, deps.now ?? Date.now, deps.env ?? {});
  return createActivities({ config: deps.config, venues, logger: deps.logger });
}

export async function runTemporalWorker(deps: TemporalWorkerDeps): Promise<void> {
  const { config, logger } = deps;
  const { address, namespace, taskQueue } = config.temporal;
  const connection = await Connection.connect({ address });
  try {
    const added = await ensureSearchAttributes(connection, namespace);
    if (added.length) logger.info({ added }, 'registered search attributes');
    const schedules = await ensureComplianceSchedules(new Client({ connection, namespace }), config);
    logger.info({ schedules }, 'schedules registered');
  } finally {
    await connection.close();
  }
  const nativeConnection = await NativeConnection.connect({ address });
  const worker = await Worker.create({
    connection: nativeConnection,
    namespace,
    taskQueue,
    workflowsPath: WORKFLOWS_PATH,
    activities: workerActivities(deps),
  });
  logger.info({ address, namespace, taskQueue }, 'Temporal worker running');
  try {
    await worker.run();
  } finally {
    await nativeConnection.close();
  }
}
