import { rmSync } from 'node:fs';
import type { EmbeddedPostgres } from '../../activities/ledger/embedded-postgres';
import type { DevServer } from '../../temporal/dev-server';

export default async function globalTeardown(): Promise<void> {
  const server = (globalThis as Record<string, unknown>).__BALLAST_DEV_SERVER__ as DevServer | undefined;
  await server?.stop();
  const pg = (globalThis as Record<string, unknown>).__BALLAST_TEST_PG__ as EmbeddedPostgres | undefined;
  if (pg) {
    await pg.stop();
    rmSync(pg.dir, { recursive: true, force: true });
  }
  if (process.env.BALLAST_WORKFLOW_BUNDLE) rmSync(process.env.BALLAST_WORKFLOW_BUNDLE, { force: true });
}
