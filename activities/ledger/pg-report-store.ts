// Daily reports in the ledger's PostgreSQL (table daily_reports, migration 004). It shares the ledger
// store's pool (PgLedgerStore.pool), in the worker and in the API.
import type { Pool } from 'pg';
import { StoredReportSchema, type DailyReportStore, type ReportListing, type StoredReport } from '../report-store';

interface Row {
  asset: string;
  day: string;
  generated_at_ms: string;
  workflow_id: string;
  run_id: string;
}

const listing = (r: Row): ReportListing => ({ asset: r.asset, date: r.day, generatedAtMs: Number(r.generated_at_ms), workflowId: r.workflow_id, runId: r.run_id });

export class PgReportStore implements DailyReportStore {
  /**
   * `pool`: a pool on the ledger database; `ready`: resolves once its migrations are applied (the
   * ledger store's `ready`), awaited before every query.
   */
  constructor(
    private readonly pool: Pool,
    private readonly ready: () => Promise<void> = async () => undefined,
    private readonly now: () => number = Date.now,
  ) {}

  async upsert(report: StoredReport): Promise<{ replaced: boolean }> {
    const r = StoredReportSchema.parse(report);
    await this.ready();
    // xmax = 0 only on a freshly inserted row: tells an insert from a replacement in one statement.
    const res = await this.pool.query<{ inserted: boolean }>(
      `INSERT INTO daily_reports (asset, day, report, html, generated_at_ms, workflow_id, run_id, stored_at_ms)
       VALUES ($1, $2, $3::jsonb, $4, $5, $6, $7, $8)
       ON CONFLICT (asset, day) DO UPDATE SET report = EXCLUDED.report, html = EXCLUDED.html, generated_at_ms = EXCLUDED.generated_at_ms,
         workflow_id = EXCLUDED.workflow_id, run_id = EXCLUDED.run_id, stored_at_ms = EXCLUDED.stored_at_ms
       RETURNING (xmax = 0) AS inserted`,
      [r.asset, r.date, JSON.stringify(r.report), r.html, r.generatedAtMs, r.workflowId, r.runId, this.now()],
    );
    return { replaced: !res.rows[0]!.inserted };
  }

  async get(asset: string, date: string): Promise<StoredReport | undefined> {
    await this.ready();
    const res = await this.pool.query<Row & { report: Record<string, unknown>; html: string }>(
      'SELECT asset, day, report, html, generated_at_ms, workflow_id, run_id FROM daily_reports WHERE asset = $1 AND day = $2',
      [asset, date],
    );
    const row = res.rows[0];
    return row ? { ...listing(row), report: row.report, html: row.html } : undefined;
  }

  async list(asset: string, limit = 100): Promise<ReportListing[]> {
    await this.ready();
    const res = await this.pool.query<Row>('SELECT asset, day, generated_at_ms, workflow_id, run_id FROM daily_reports WHERE asset = $1 ORDER BY day DESC LIMIT $2', [asset, limit]);
    return res.rows.map(listing);
  }
}
