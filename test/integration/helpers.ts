import { Client, Connection, type WorkflowHandle } from '@temporalio/client';
import { NativeConnection, Worker, type WorkerOptions } from '@temporalio/worker';
import { randomUUID } from 'node:crypto';
import { loadConfig, parseConfig } from '../../config/load';
import { createLogger } from '../../config/logger';
import type { BallastConfig } from '../../domain/config.schema';
import { workerActivities } from '../../workers/temporal.worker';
import type { LedgerStore } from '../../activities/ledger-store';
import { openTestLedger } from './ledger-db';

export const testLogger = createLogger({ name: 'test', level: process.env.LOG_LEVEL ?? 'warn' });

export function temporalAddress(): string {
  const a = process.env.TEMPORAL_ADDRESS;
  if (!a) throw new Error('TEMPORAL_ADDRESS is not set: run integration tests through jest (global setup starts a server)');
  return a;
}

export function workflowBundlePath(): string {
  const p = process.env.BALLAST_WORKFLOW_BUNDLE;
  if (!p) throw new Error('BALLAST_WORKFLOW_BUNDLE is not set: run integration tests through jest');
  return p;
}

export const uniqueId = (prefix: string) => `${prefix}-${randomUUID().slice(0, 8)}`;

/**
 * The demo config pointed at the test server, with a unique task queue and without the embedded
 * simulated market (venues show their seeded synthetic books); `mutate` edits the raw object.
 */
export function testConfig(mutate?: (raw: Record<string, any>) => void): BallastConfig {
  const demo = loadConfig();
  const raw = JSON.parse(JSON.stringify(demo)) as Record<string, any>;
  delete raw.simulation;
  raw.temporal.address = temporalAddress();
  raw.temporal.taskQueue = uniqueId('test');
  // Workers started from this config serve /metrics on any free port (tests run side by side).
  raw.metrics = { host: '127.0.0.1', workerPort: 0, quotingPort: 0 };
  mutate?.(raw);
  return parseConfig(raw, 'test config');
}

export interface TestEnv {
  connection: Connection;
  client: Client;
  native: NativeConnection;
  close(): Promise<void>;
}

export async function openTestEnv(): Promise<TestEnv> {
  const address = temporalAddress();
  const connection = await Connection.connect({ address });
  const native = await NativeConnection.connect({ address });
  return {
    connection,
    native,
    client: new Client({ connection }),
    close: async () => {
      await connection.close();
      await native.close();
    },
  };
}

/** One ledger database per test file (this module is loaded once per file), made on first use. */
let fileLedger: Promise<LedgerStore> | undefined;

export async function createTestWorker(env: TestEnv, config: BallastConfig, extra: Partial<WorkerOptions> = {}): Promise<Worker> {
  fileLedger ??= openTestLedger('file');
  return Worker.create({
    connection: env.native,
    taskQueue: config.temporal.taskQueue,
    workflowBundle: { codePath: workflowBundlePath() },
    activities: workerActivities({ config, logger: testLogger, now: () => 1_764_000_000_000, ledger: await fileLedger }),
    ...extra,
  });
}

/**
 * With BALLAST_EXPORT_HISTORIES=<dir>, writes a finished workflow's history there as <name>.json
 * (how the histories under test/histories/ were recorded: run the test once with the variable set,
 * without payload keys, and commit the files). Without the variable it does nothing.
 */
export async function maybeExportHistory(client: Client, workflowId: string, name: string): Promise<void> {
  const dir = process.env.BALLAST_EXPORT_HISTORIES;
  if (!dir) return;
  const { exportHistory } = await import('../../temporal/history');
  const { existsSync, readFileSync, writeFileSync } = await import('node:fs');
  const { join } = await import('node:path');
  const json = await exportHistory(client, workflowId);
  writeFileSync(join(dir, `${name}.json`), `${JSON.stringify(JSON.parse(json), null, 2)}\n`);
  const manifest = join(dir, 'workflow-ids.json');
  const ids = existsSync(manifest) ? (JSON.parse(readFileSync(manifest, 'utf8')) as Record<string, string>) : {};
  writeFileSync(manifest, `${JSON.stringify({ ...ids, [`${name}.json`]: workflowId }, null, 2)}\n`);
}

/**
 * A worker process was killed (SIGKILL) while running an attempt of `activityType`: the server still
 * counts that attempt as running until its start-to-close timeout (60 s for Ballast's activities).
 * Fails it by id now instead, with the error the timeout would give, so Temporal schedules the same
 * retry sooner, on whatever worker polls next. The recovery under test (what the retry finds at the
 * venue and in the ledger) is the same; only the wait is shorter.
 */
export async function failKilledAttempt(client: Client, handle: WorkflowHandle, activityType: string): Promise<void> {
  const events = (await handle.fetchHistory()).events ?? [];
  const scheduled = [...events].reverse().find((e) => e.activityTaskScheduledEventAttributes?.activityType?.name === activityType);
  const activityId = scheduled?.activityTaskScheduledEventAttributes?.activityId;
  if (!activityId) throw new Error(`no ${activityType} activity scheduled in ${handle.workflowId}`);
  await client.activity.fail({ workflowId: handle.workflowId, activityId }, new Error(`worker process killed (SIGKILL) during ${activityType}`));
}
