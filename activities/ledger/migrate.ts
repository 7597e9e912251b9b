// Versioned migrations of the ledger schema: activities/ledger/migrations/NNN_name.sql, applied in
// order, each in its own transaction, recorded in ledger_migrations. Start-up runs them under a
// session advisory lock, so several workers starting together apply each exactly once.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Pool } from 'pg';

export const MIGRATIONS_DIR = join(__dirname, 'migrations');
/** Advisory lock keys (pg_advisory_lock's bigint space; constants of this schema). */
export const MIGRATION_LOCK = 4_817_300_001;
export const LEDGER_WRITE_LOCK = 4_817_300_002;

export interface Migration {
  version: number;
  name: string;
  sql: string;
}

export function loadMigrations(dir = MIGRATIONS_DIR): Migration[] {
  const out = readdirSync(dir)
    .filter((f) => f.endsWith('.sql'))
    .map((f) => {
      const m = /^(\d+)_([a-z0-9_]+)\.sql$/.exec(f);
      if (!m) throw new Error(`ledger migration file ${f}: expected NNN_name.sql`);
      return { version: Number(m[1]), name: m[2]!, sql: readFileSync(join(dir, f), 'utf8') };
    })
    .sort((a, b) => a.version - b.version);
  out.forEach((m, i) => {
    if (m.version !== i + 1) throw new Error(`ledger migrations: expected version ${i + 1}, found ${m.version} (${m.name})`);
  });
  return out;
}

/** Applies the migrations not yet recorded; returns the versions applied now. */
export async function migrate(pool: Pool, migrations = loadMigrations()): Promise<number[]> {
  const c = await pool.connect();
  try {
    await c.query('SELECT pg_advisory_lock($1)', [MIGRATION_LOCK]);
    try {
      await c.query('CREATE TABLE IF NOT EXISTS ledger_migrations (version integer PRIMARY KEY, name text NOT NULL, applied_at timestamptz NOT NULL DEFAULT now())');
      const done = new Set((await c.query<{ version: number }>('SELECT version FROM ledger_migrations')).rows.map((r) => r.version));
      const applied: number[] = [];
      for (const m of migrations) {
        if (done.has(m.version)) continue;
        await c.query('BEGIN');
        try {
          await c.query(m.sql);
          await c.query('INSERT INTO ledger_migrations (version, name) VALUES ($1, $2)', [m.version, m.name]);
          await c.query('COMMIT');
        } catch (e) {
          await c.query('ROLLBACK');
          throw new Error(`ledger migration ${m.version} (${m.name}) failed: ${(e as Error).message}`);
        }
        applied.push(m.version);
      }
      return applied;
    } finally {
      await c.query('SELECT pg_advisory_unlock($1)', [MIGRATION_LOCK]);
    }
  } finally {
    c.release();
  }
}
