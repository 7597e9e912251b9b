// Where daily reports are kept: one row per (asset, UTC day) holding the JSON model and its HTML.
// Storing again for the same day replaces the row (a retried activity, a rerun from the Web UI), never
// adds a second one. PostgreSQL (activities/ledger/pg-report-store.ts, migration 004) is the store of
// record; MemoryReportStore has the same rules for unit tests.
import { z } from 'zod';
import { zReportDate } from '../domain/report/daily-report';

export const StoredReportSchema = z
  .object({
    asset: z.string().min(1),
    date: zReportDate,
    /** The report model (domain/report/daily-report.ts DailyReport), as JSON. */
    report: z.record(z.string(), z.unknown()),
    html: z.string().min(1),
    generatedAtMs: z.number().int(),
    workflowId: z.string().min(1),
    runId: z.string().min(1),
  })
  .strict();
export type StoredReport = z.output<typeof StoredReportSchema>;

export interface ReportListing {
  asset: string;
  date: string;
  generatedAtMs: number;
  workflowId: string;
  runId: string;
}

export interface DailyReportStore {
  /** Inserts or replaces the (asset, date) report; `replaced` when one was there already. */
  upsert(report: StoredReport): Promise<{ replaced: boolean }>;
  get(asset: string, date: string): Promise<StoredReport | undefined>;
  /** Newest day first. */
  list(asset: string, limit?: number): Promise<ReportListing[]>;
}

export class MemoryReportStore implements DailyReportStore {
  private readonly rows = new Map<string, StoredReport>();

  async upsert(report: StoredReport): Promise<{ replaced: boolean }> {
    const r = StoredReportSchema.parse(report);
    const key = `${r.asset}|${r.date}`;
    const replaced = this.rows.has(key);
    this.rows.set(key, r);
    return { replaced };
  }

  async get(asset: string, date: string): Promise<StoredReport | undefined> {
    return this.rows.get(`${asset}|${date}`);
  }

  async list(asset: string, limit = 100): Promise<ReportListing[]> {
    return [...this.rows.values()]
      .filter((r) => r.asset === asset)
      .sort((a, b) => (a.date < b.date ? 1 : a.date > b.date ? -1 : 0))
      .slice(0, limit)
      .map(({ asset: a, date, generatedAtMs, workflowId, runId }) => ({ asset: a, date, generatedAtMs, workflowId, runId }));
  }
}
