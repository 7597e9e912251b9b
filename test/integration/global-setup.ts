// One Temporal dev server and one workflow bundle for the whole integration run.
// TEMPORAL_ADDRESS=host:port uses an existing server instead (it must have Ballast's search attributes).
import { bundleWorkflowCode } from '@temporalio/worker';
import { writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
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
  const { code } = await bundleWorkflowCode({ workflowsPath: WORKFLOWS_PATH, logger: { log: () => undefined, trace: () => undefined, debug: () => undefined, info: () => undefined, warn: (m) => log.warn(m), error: (m) => log.error(m) } });
  const bundlePath = join(tmpdir(), `ballast-workflow-bundle-${process.pid}.js`);
  writeFileSync(bundlePath, code);
  process.env.BALLAST_WORKFLOW_BUNDLE = bundlePath;
}
