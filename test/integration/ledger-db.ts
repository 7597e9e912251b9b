// A fresh ledger database per test world on the run's one PostgreSQL server (global-setup.ts).
import { randomBytes } from 'node:crypto';
import { ensureDatabase } from '../../activities/ledger/embedded-postgres';
import { PgLedgerStore } from '../../activities/ledger/pg-ledger';

function adminUrl(): string {
  const url = process.env.BALLAST_TEST_PG_ADMIN_URL;
  if (!url) throw new Error('BALLAST_TEST_PG_ADMIN_URL is not set: run through the integration project (global-setup starts PostgreSQL)');
  return url;
}

/** Creates an empty database and returns its URL. */
export async function createTestDatabase(tag = 'test'): Promise<string> {
  const name = `t_${tag.replace(/[^a-z0-9]/gi, '_').toLowerCase().slice(0, 30)}_${process.pid}_${randomBytes(4).toString('hex')}`;
  const admin = adminUrl();
  await ensureDatabase(admin, name);
  const u = new URL(admin);
  u.pathname = `/${name}`;
  return u.toString();
}

/** A migrated ledger on a new database. */
export async function openTestLedger(tag = 'test'): Promise<PgLedgerStore & { url: string }> {
  const url = await createTestDatabase(tag);
  const ledger = new PgLedgerStore({ url });
  await ledger.ready();
  return Object.assign(ledger, { url });
}
