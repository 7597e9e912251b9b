// The benches' ledger: a throw-away embedded PostgreSQL (durable settings: fsync on, as deployed) in a
// temp folder on a free port, one database. `stop` shuts the server down and removes the folder.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startEmbeddedPostgres } from '../activities/ledger/embedded-postgres';
import { PgLedgerStore } from '../activities/ledger/pg-ledger';
import { freePort } from '../temporal/ports';

export async function startBenchLedger(tag: string): Promise<{ ledger: PgLedgerStore; describe: string; stop(): Promise<void> }> {
  const dir = mkdtempSync(join(tmpdir(), `ballast-bench-${tag}-pg-`));
  const server = await startEmbeddedPostgres({ dir, port: await freePort() });
  const ledger = new PgLedgerStore({ url: server.url, max: 8 });
  await ledger.ready();
  return {
    ledger,
    describe: `embedded PostgreSQL 127.0.0.1:${server.port}, fsync on`,
    async stop() {
      await ledger.close();
      await server.stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
