// One Temporal dev server, one ledger PostgreSQL server and one workflow bundle for the whole
// integration run. TEMPORAL_ADDRESS=host:port uses an existing Temporal server instead (it must have
// Ballast's search attributes); BALLAST_TEST_PG_ADMIN_URL=postgres://… an existing PostgreSQL (a role
// that may CREATE DATABASE). Each test file makes its own database on it (test/integration/ledger-db.ts).
import { bundleWorkflowCode } from '@temporalio/worker';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startEmbeddedPostgres } from '../../activities/ledger/embedded-postgres';
import { createLogger } from '../../config/logger';
import { findTemporalBinary } from '../../temporal/binary';
import { freePort, startDevServer } from '../../temporal/dev-server';
import { WORKFLOWS_PATH } from '../../workers/temporal.worker';

export default async function globalSetup(): Promise<void> {
  const log = createLogger({ name: 'test-setup', level: process.env.LOG_LEVEL ?? 'warn' });
  if (!process.env.TEMPORAL_ADDRESS) {
    const binary = findTemporalBinary({ log });
    process.env.TEMPORAL_CLI_PATH_FOR_TESTS = binary.path;
    const server = await startDevServer({
      binary: binary.path,
      port: await freePort(),
      headless: true,
      logFile: join(tmpdir(), `ballast-test-temporal-${process.pid}.log`),
      log,
    });
    process.env.TEMPORAL_ADDRESS = server.address;
    (globalThis as Record<string, unknown>).__BALLAST_DEV_SERVER__ = server;
  }
  if (!process.env.BALLAST_TEST_PG_ADMIN_URL) {
    // fsync off: a test cluster, thrown away at the end of the run.
    const pg = await startEmbeddedPostgres({ dir: mkdtempSync(join(tmpdir(), 'ballast-test-pg-')), port: await freePort(), fast: true, detached: false });
    process.env.BALLAST_TEST_PG_ADMIN_URL = pg.adminUrl;
    (globalThis as Record<string, unknown>).__BALLAST_TEST_PG__ = pg;
  }
  const { code } = await bundleWorkflowCode({ workflowsPath: WORKFLOWS_PATH, logger: { log: () => undefined, trace: () => undefined, debug: () => undefined, info: () => undefined, warn: (m) => log.warn(m), error: (m) => log.error(m) } });
  const bundlePath = join(tmpdir(), `ballast-workflow-bundle-${process.pid}.js`);
  writeFileSync(bundlePath, code);
  process.env.BALLAST_WORKFLOW_BUNDLE = bundlePath;
}
