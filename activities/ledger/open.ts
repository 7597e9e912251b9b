// Where this process's ledger lives: the URL in the environment variable named by ledger.urlEnv
// (docker-compose: its Postgres service), else ledger.url, else an embedded PostgreSQL server started
// here (and stopped by `stop`) with its cluster under ledger.embedded.dataDir.
import { resolve } from 'node:path';
import type { BallastConfig } from '../../domain/config.schema';
import { postgresBinaries, startEmbeddedPostgres, type EmbeddedPostgres } from './embedded-postgres';
import { startPgliteServer } from './pglite-server';

export interface LedgerLocation {
  /** postgres://… (may carry a password: never log it). */
  url: string;
  /** The embedded server when this call started one. */
  server?: EmbeddedPostgres;
  /** Where it is, safe to log. */
  describe: string;
  /** Connections the server takes at once (PGlite: 1), for the store's pool. */
  maxConnections?: number;
  stop(): Promise<void>;
}

export function configuredLedgerUrl(config: BallastConfig, env: Record<string, string | undefined>): string | undefined {
  return env[config.ledger.urlEnv]?.trim() || config.ledger.url;
}

/** Redacts the password of a postgres:// URL (for logs). */
export function redactUrl(url: string): string {
  try {
    const u = new URL(url);
    if (u.password) u.password = '***';
    return u.toString();
  } catch {
    return 'postgres://(unparsable)';
  }
}

export async function locateLedger(
  config: BallastConfig,
  env: Record<string, string | undefined>,
  o: { projectRoot: string; log?: { info(o: object, m: string): void; warn(o: object, m: string): void } },
): Promise<LedgerLocation> {
  const url = configuredLedgerUrl(config, env);
  if (url) return { url, describe: redactUrl(url), stop: async () => undefined };
  const dir = resolve(o.projectRoot, config.ledger.embedded.dataDir);
  const { port } = config.ledger.embedded;
  let engine = config.ledger.embedded.engine;
  if (engine === 'postgres') {
    try {
      postgresBinaries();
    } catch (e) {
      o.log?.warn({ err: (e as Error).message }, 'no embedded-postgres binaries for this platform: the ledger falls back to PGlite');
      engine = 'pglite';
    }
  }
  if (engine === 'pglite') {
    const server = await startPgliteServer({ dir, port, ...(o.log ? { log: o.log } : {}) });
    return { url: server.url, server, maxConnections: server.maxConnections, describe: `embedded PGlite 127.0.0.1:${port} (${dir})`, stop: () => server.stop() };
  }
  const server = await startEmbeddedPostgres({ dir, port, ...(o.log ? { log: o.log } : {}) });
  return { url: server.url, server, describe: `embedded PostgreSQL 127.0.0.1:${server.port} (${dir})`, stop: () => server.stop() };
}
