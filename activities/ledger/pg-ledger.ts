// The treasury ledger in PostgreSQL (through `pg`). The schema comes from the versioned migrations
// (activities/ledger/migrate.ts), applied before the first query. Every write is one transaction that
// first takes a transaction-scoped advisory lock (LEDGER_WRITE_LOCK): writes to the ledger are
// serialized across every worker process sharing the database, so a reservation's cap check and its
// insert see every other reservation, and two workers cannot both reserve the same cap.
// Idempotency: the id is the primary key; INSERT … ON CONFLICT DO NOTHING, then the entry of record.
// Amounts are `numeric` and read back as strings (never through a float).
import { Pool, type PoolClient } from 'pg';
import { D, fmt } from '../../domain/money';
import { CAP_WINDOW_MS } from '../../domain/treasury/cap-window';
import type { WithdrawalIntent } from '../../domain/treasury/withdrawal-intent';
import { LedgerEntrySchema, WithdrawalIntentSchema, type LedgerEntry, type LedgerEntryInput, type LedgerStore, type ReserveResult } from '../ledger-store';
import { ComplianceHistoryForwarder, type ComplianceHistoryStore } from '../compliance-history-store';
import { ensureDatabase } from './embedded-postgres';
import { PgComplianceHistory } from './pg-compliance-history';
import { LEDGER_WRITE_LOCK, migrate } from './migrate';

interface Row {
  id: string;
  at_ms: string;
  day: string;
  workflow_id: string;
  kind: LedgerEntry['kind'];
  asset: string;
  amount: string;
  amount_usd: string;
  from_ref: string | null;
  to_ref: string | null;
  tx_hash: string | null;
  note: string | null;
}

interface IntentRow {
  id: string;
  workflow_id: string;
  attempt: number;
  venue: string;
  asset: string;
  amount: string;
  address: string;
  network: string;
  memo: string | null;
  idempotency_key: string;
  at_ms: string;
  refused: string | null;
}
const INTENT_COLUMNS = 'id, workflow_id, attempt, venue, asset, amount, address, network, memo, idempotency_key, at_ms, refused';

function intentFromRow(r: IntentRow): WithdrawalIntent {
  return {
    id: r.id,
    workflowId: r.workflow_id,
    attempt: r.attempt,
    venue: r.venue,
    asset: r.asset,
    amount: fmt(r.amount),
    address: r.address,
    network: r.network,
    ...(r.memo !== null ? { memo: r.memo } : {}),
    idempotencyKey: r.idempotency_key,
    at: Number(r.at_ms),
    ...(r.refused !== null ? { refused: r.refused } : {}),
  };
}

const COLUMNS = 'id, at_ms, day, workflow_id, kind, asset, amount, amount_usd, from_ref, to_ref, tx_hash, note';

function fromRow(r: Row): LedgerEntry {
  return {
    id: r.id,
    at: Number(r.at_ms),
    day: r.day,
    workflowId: r.workflow_id,
    kind: r.kind,
    asset: r.asset,
    amount: fmt(r.amount),
    amountUsd: fmt(r.amount_usd),
    ...(r.from_ref !== null ? { from: r.from_ref } : {}),
    ...(r.to_ref !== null ? { to: r.to_ref } : {}),
    ...(r.tx_hash !== null ? { txHash: r.tx_hash } : {}),
    ...(r.note !== null ? { note: r.note } : {}),
  };
}

/** Open reservations (no transfer or release of their workflow) plus transfers booked after $1. */
const USED_SQL = `
  SELECT COALESCE(SUM(e.amount_usd), 0)::text AS used FROM ledger_entries e
  WHERE (e.kind = 'transfer' AND e.at_ms > $1)
     OR (e.kind = 'reservation' AND NOT EXISTS (
           SELECT 1 FROM ledger_entries x WHERE x.workflow_id = e.workflow_id AND x.kind IN ('transfer', 'release')))`;

export interface PgLedgerOptions {
  /** postgres://… connection string. */
  url: string;
  /** Pool size. Default 4. */
  max?: number;
  /** Skip the start-up migrations (the caller ran them). */
  skipMigrations?: boolean;
}

export class PgLedgerStore extends ComplianceHistoryForwarder implements LedgerStore, ComplianceHistoryStore {
  readonly pool: Pool;
  private readyP?: Promise<void>;
  protected readonly compliance: PgComplianceHistory;

  constructor(private readonly o: PgLedgerOptions) {
    super();
    // allowExitOnIdle: idle connections never keep a process (a test, a script) alive.
    this.pool = new Pool({ connectionString: o.url, max: o.max ?? 4, allowExitOnIdle: true });
    // An idle client losing its server (restart) must not crash the worker: the next query reconnects.
    this.pool.on('error', () => undefined);
    this.compliance = new PgComplianceHistory(this.pool, () => this.ready());
  }

  /**
   * Connects and applies pending migrations (once; every method waits for it). A database that does
   * not exist yet (docker-compose's first start) is created through the server's `postgres` database.
   */
  ready(): Promise<void> {
    const run = async () => {
      if (this.o.skipMigrations) return;
      try {
        await migrate(this.pool);
      } catch (e) {
        if ((e as { code?: string }).code !== '3D000') throw e; // invalid_catalog_name: no such database
        const u = new URL(this.o.url);
        const name = decodeURIComponent(u.pathname.slice(1));
        u.pathname = '/postgres';
        await ensureDatabase(u.toString(), name);
        await migrate(this.pool);
      }
    };
    this.readyP ??= run().catch((e: unknown) => {
      this.readyP = undefined;
      throw e;
    });
    return this.readyP;
  }

  private async tx<T>(fn: (c: PoolClient) => Promise<T>): Promise<T> {
    await this.ready();
    const c = await this.pool.connect();
    try {
      await c.query('BEGIN');
      await c.query('SELECT pg_advisory_xact_lock($1)', [LEDGER_WRITE_LOCK]);
      const out = await fn(c);
      await c.query('COMMIT');
      return out;
    } catch (e) {
      await c.query('ROLLBACK').catch(() => undefined);
      throw e;
    } finally {
      c.release();
    }
  }

  private static async insert(c: PoolClient, e: LedgerEntry): Promise<{ entry: LedgerEntry; created: boolean }> {
    const ins = await c.query<Row>(
      `INSERT INTO ledger_entries (${COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6, $7::numeric, $8::numeric, $9, $10, $11, $12)
       ON CONFLICT (id) DO NOTHING RETURNING ${COLUMNS}`,
      [e.id, e.at, e.day, e.workflowId, e.kind, e.asset, e.amount, e.amountUsd, e.from ?? null, e.to ?? null, e.txHash ?? null, e.note ?? null],
    );
    if (ins.rows[0]) return { entry: fromRow(ins.rows[0]), created: true };
    const old = await c.query<Row>(`SELECT ${COLUMNS} FROM ledger_entries WHERE id = $1`, [e.id]);
    return { entry: fromRow(old.rows[0]!), created: false };
  }

  async append(entry: LedgerEntryInput): Promise<{ entry: LedgerEntry; created: boolean }> {
    const e = LedgerEntrySchema.parse(entry);
    return this.tx((c) => PgLedgerStore.insert(c, e));
  }

  /** Appends many entries in one transaction (each unless its id is there); results in input order. */
  async appendMany(entries: LedgerEntryInput[]): Promise<{ entry: LedgerEntry; created: boolean }[]> {
    const parsed = entries.map((e) => LedgerEntrySchema.parse(e));
    return this.tx(async (c) => {
      const out: { entry: LedgerEntry; created: boolean }[] = [];
      for (const e of parsed) out.push(await PgLedgerStore.insert(c, e));
      return out;
    });
  }

  async reserve(entry: LedgerEntryInput & { kind: 'reservation' }, capUsd: string, nowMs: number): Promise<ReserveResult> {
    const e = LedgerEntrySchema.parse(entry);
    return this.tx(async (c) => {
      const used = async () => fmt((await c.query<{ used: string }>(USED_SQL, [nowMs - CAP_WINDOW_MS])).rows[0]!.used);
      const old = await c.query<Row>(`SELECT ${COLUMNS} FROM ledger_entries WHERE id = $1`, [e.id]);
      if (old.rows[0]) return { ok: true as const, entry: fromRow(old.rows[0]), created: false, usedUsd: await used() };
      const before = await used();
      if (new D(before).plus(e.amountUsd).gt(capUsd)) return { ok: false as const, usedUsd: before };
      const r = await PgLedgerStore.insert(c, e);
      return { ok: true as const, entry: r.entry, created: r.created, usedUsd: await used() };
    });
  }

  async get(id: string): Promise<LedgerEntry | undefined> {
    await this.ready();
    const r = await this.pool.query<Row>(`SELECT ${COLUMNS} FROM ledger_entries WHERE id = $1`, [id]);
    return r.rows[0] ? fromRow(r.rows[0]) : undefined;
  }

  async entries(filter?: { workflowId?: string; day?: string; kind?: LedgerEntry['kind']; sinceMs?: number }): Promise<LedgerEntry[]> {
    await this.ready();
    const where: string[] = [];
    const args: unknown[] = [];
    const add = (sql: string, v: unknown) => {
      args.push(v);
      where.push(sql.replace('?', `$${args.length}`));
    };
    if (filter?.workflowId !== undefined) add('workflow_id = ?', filter.workflowId);
    if (filter?.day !== undefined) add('day = ?', filter.day);
    if (filter?.kind !== undefined) add('kind = ?', filter.kind);
    if (filter?.sinceMs !== undefined) add('at_ms > ?', filter.sinceMs);
    const r = await this.pool.query<Row>(`SELECT ${COLUMNS} FROM ledger_entries ${where.length ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY seq`, args);
    return r.rows.map(fromRow);
  }

  /**
   * Every entry of the workflows holding a reservation not yet booked, released or sent to suspense
   * (domain openReservations decides which are in flight; this only narrows the rows read).
   */
  async entriesOfOpenReservations(): Promise<LedgerEntry[]> {
    await this.ready();
    const r = await this.pool.query<Row>(
      `SELECT ${COLUMNS} FROM ledger_entries WHERE workflow_id IN (
         SELECT e.workflow_id FROM ledger_entries e WHERE e.kind = 'reservation' AND NOT EXISTS (
           SELECT 1 FROM ledger_entries x WHERE x.workflow_id = e.workflow_id AND x.kind IN ('transfer', 'release', 'suspense')))
       ORDER BY seq`,
    );
    return r.rows.map(fromRow);
  }

  async usedUsd(nowMs: number): Promise<string> {
    await this.ready();
    return fmt((await this.pool.query<{ used: string }>(USED_SQL, [nowMs - CAP_WINDOW_MS])).rows[0]!.used);
  }

  async sumUsd(kind: LedgerEntry['kind'], sinceMs: number): Promise<string> {
    await this.ready();
    const r = await this.pool.query<{ s: string }>('SELECT COALESCE(SUM(amount_usd), 0)::text AS s FROM ledger_entries WHERE kind = $1 AND at_ms > $2', [kind, sinceMs]);
    return fmt(r.rows[0]!.s);
  }

  async recordWithdrawalIntent(intent: WithdrawalIntent): Promise<{ intent: WithdrawalIntent; created: boolean }> {
    const i = WithdrawalIntentSchema.parse(intent);
    await this.ready();
    // Unique on id and on (workflow, attempt): a retried write returns the intent of record.
    const ins = await this.pool.query<IntentRow>(
      `INSERT INTO withdrawal_intents (${INTENT_COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6::numeric, $7, $8, $9, $10, $11, NULL)
       ON CONFLICT DO NOTHING RETURNING ${INTENT_COLUMNS}`,
      [i.id, i.workflowId, i.attempt, i.venue, i.asset, i.amount, i.address, i.network, i.memo ?? null, i.idempotencyKey, i.at],
    );
    if (ins.rows[0]) return { intent: intentFromRow(ins.rows[0]), created: true };
    const old = await this.pool.query<IntentRow>(`SELECT ${INTENT_COLUMNS} FROM withdrawal_intents WHERE id = $1 OR (workflow_id = $2 AND attempt = $3) ORDER BY seq LIMIT 1`, [i.id, i.workflowId, i.attempt]);
    return { intent: intentFromRow(old.rows[0]!), created: false };
  }

  async markWithdrawalIntentRefused(id: string, reason: string): Promise<void> {
    await this.ready();
    await this.pool.query('UPDATE withdrawal_intents SET refused = $2 WHERE id = $1 AND refused IS NULL', [id, reason]);
  }

  async withdrawalIntents(workflowId: string): Promise<WithdrawalIntent[]> {
    await this.ready();
    const r = await this.pool.query<IntentRow>(`SELECT ${INTENT_COLUMNS} FROM withdrawal_intents WHERE workflow_id = $1 ORDER BY attempt`, [workflowId]);
    return r.rows.map(intentFromRow);
  }

  async attributeWithdrawal(venue: string, withdrawalId: string, workflowId: string, atMs: number): Promise<{ workflowId: string; created: boolean }> {
    await this.ready();
    // The primary key (venue, withdrawal_id) is the one-owner rule, whichever worker gets there first.
    const ins = await this.pool.query<{ workflow_id: string }>(
      'INSERT INTO withdrawal_attributions (venue, withdrawal_id, workflow_id, at_ms) VALUES ($1, $2, $3, $4) ON CONFLICT DO NOTHING RETURNING workflow_id',
      [venue, withdrawalId, workflowId, atMs],
    );
    if (ins.rows[0]) return { workflowId, created: true };
    const old = await this.pool.query<{ workflow_id: string }>('SELECT workflow_id FROM withdrawal_attributions WHERE venue = $1 AND withdrawal_id = $2', [venue, withdrawalId]);
    return { workflowId: old.rows[0]!.workflow_id, created: false };
  }

  async withdrawalAttributions(venue: string): Promise<Record<string, string>> {
    await this.ready();
    const r = await this.pool.query<{ withdrawal_id: string; workflow_id: string }>('SELECT withdrawal_id, workflow_id FROM withdrawal_attributions WHERE venue = $1', [venue]);
    return Object.fromEntries(r.rows.map((x) => [x.withdrawal_id, x.workflow_id]));
  }

  async close(): Promise<void> {
    await this.pool.end();
  }
}
