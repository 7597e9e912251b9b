// Compliance history in the ledger's PostgreSQL (migration 003). PgLedgerStore delegates to this;
// summaries are computed by domain/compliance-history.ts over the few columns they need.
import type { Pool } from 'pg';
import { summarizeCounted, type ComplianceRule, type ComplianceSample, type ComplianceSummary, type DailyVolume, type SamplePoint } from '../../domain/compliance-history';
import { fmt } from '../../domain/money';
import {
  AlertKeySchema,
  ComplianceCheckRecordSchema,
  ComplianceSampleSchema,
  DEFAULT_SAMPLE_EVERY_MS,
  type AlertKey,
  type AlertRecord,
  type ComplianceCheckRecord,
  type ComplianceHistoryStore,
} from '../compliance-history-store';

interface SampleRow {
  venue: string;
  at_ms: string;
  source: ComplianceSample['source'];
  book_ok: boolean;
  spread_pct: string | null;
  spread_ok: boolean;
  depth: ComplianceSample['depth'];
  depth_ok: boolean;
  volume24h_quote: string;
  volume_ok: boolean;
  compliant: boolean;
  failed: ComplianceRule[];
}
const SAMPLE_COLUMNS = 'venue, at_ms, source, book_ok, spread_pct, spread_ok, depth, depth_ok, volume24h_quote, volume_ok, compliant, failed';

const sampleFromRow = (r: SampleRow): ComplianceSample => ({
  venue: r.venue,
  at: Number(r.at_ms),
  source: r.source,
  bookOk: r.book_ok,
  ...(r.spread_pct !== null ? { spreadPct: fmt(r.spread_pct) } : {}),
  spreadOk: r.spread_ok,
  depth: r.depth,
  depthOk: r.depth_ok,
  volume24hQuote: fmt(r.volume24h_quote),
  volumeOk: r.volume_ok,
  compliant: r.compliant,
  failed: r.failed,
});

interface AlertRow {
  venue: string;
  rule: string;
  breach_id: string;
  kind: AlertKey['kind'];
  at_ms: string;
  text: string;
  sent_ms: string | null;
}
const ALERT_COLUMNS = 'venue, rule, breach_id, kind, at_ms, text, sent_ms';
const alertFromRow = (r: AlertRow): AlertRecord => ({
  venue: r.venue,
  rule: r.rule,
  breachId: r.breach_id,
  kind: r.kind,
  at: Number(r.at_ms),
  text: r.text,
  ...(r.sent_ms !== null ? { sentAt: Number(r.sent_ms) } : {}),
});

export class PgComplianceHistory implements ComplianceHistoryStore {
  constructor(
    private readonly pool: Pool,
    private readonly ready: () => Promise<void>,
  ) {}

  async recordComplianceSamples(samples: ComplianceSample[]): Promise<number> {
    if (samples.length === 0) return 0;
    const ss = samples.map((s) => ComplianceSampleSchema.parse(s));
    await this.ready();
    const args: unknown[] = [];
    const rows = ss.map((s) => {
      const base = args.length;
      args.push(s.venue, s.at, s.source, s.bookOk, s.spreadPct ?? null, s.spreadOk, JSON.stringify(s.depth), s.depthOk, s.volume24hQuote, s.volumeOk, s.compliant, s.failed);
      return `(${Array.from({ length: 12 }, (_, i) => `$${base + i + 1}`).join(', ')})`;
    });
    const r = await this.pool.query(`INSERT INTO compliance_samples (${SAMPLE_COLUMNS}) VALUES ${rows.join(', ')} ON CONFLICT DO NOTHING`, args);
    return r.rowCount ?? 0;
  }

  async complianceSamples(venue: string, fromMs: number, toMs: number): Promise<ComplianceSample[]> {
    await this.ready();
    const r = await this.pool.query<SampleRow>(
      `SELECT ${SAMPLE_COLUMNS} FROM compliance_samples WHERE venue = $1 AND at_ms >= $2 AND at_ms < $3 ORDER BY at_ms, source`,
      [venue, fromMs, toMs],
    );
    return r.rows.map(sampleFromRow);
  }

  async complianceSummary(venue: string, fromMs: number, toMs: number, sampleEveryMs = DEFAULT_SAMPLE_EVERY_MS): Promise<ComplianceSummary> {
    await this.ready();
    // Only the sampler's series: a check's own sample would count one instant twice. Counts in SQL;
    // for the breach intervals only the non-compliant samples and the sample right after each (the
    // domain's breachIntervals gives the same intervals as over the whole window).
    const window = `FROM compliance_samples WHERE venue = $1 AND source = 'sampler' AND at_ms >= $2 AND at_ms < $3`;
    const [counts, points] = await Promise.all([
      this.pool.query<{ n: string; ok: string; spread: string; depth: string }>(
        `SELECT count(*) AS n, count(*) FILTER (WHERE compliant) AS ok, count(*) FILTER (WHERE spread_ok) AS spread, count(*) FILTER (WHERE depth_ok) AS depth ${window}`,
        [venue, fromMs, toMs],
      ),
      this.pool.query<{ at_ms: string; compliant: boolean; spread_ok: boolean; depth_ok: boolean; failed: ComplianceRule[] }>(
        `SELECT at_ms, compliant, spread_ok, depth_ok, failed FROM (
           SELECT at_ms, compliant, spread_ok, depth_ok, failed, lag(compliant) OVER (ORDER BY at_ms) AS prev_ok ${window}
         ) s WHERE NOT compliant OR prev_ok = false ORDER BY at_ms`,
        [venue, fromMs, toMs],
      ),
    ]);
    const c = counts.rows[0]!;
    const breachPoints: SamplePoint[] = points.rows.map((x) => ({ at: Number(x.at_ms), compliant: x.compliant, spreadOk: x.spread_ok, depthOk: x.depth_ok, failed: x.failed }));
    return summarizeCounted(venue, { samples: Number(c.n), compliant: Number(c.ok), spreadOk: Number(c.spread), depthOk: Number(c.depth) }, breachPoints, { fromMs, toMs, sampleEveryMs });
  }

  async recordComplianceCheck(check: ComplianceCheckRecord): Promise<{ created: boolean }> {
    const c = ComplianceCheckRecordSchema.parse(check);
    await this.ready();
    const r = await this.pool.query(
      'INSERT INTO compliance_checks (id, venue, at_ms, compliant, checks, windows, windows_ok) VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT (id) DO NOTHING',
      [c.id, c.venue, c.at, c.compliant, JSON.stringify(c.checks), c.windows === undefined ? null : JSON.stringify(c.windows), c.windowsOk ?? null],
    );
    return { created: (r.rowCount ?? 0) > 0 };
  }

  async complianceChecks(venue: string, fromMs: number, toMs: number): Promise<ComplianceCheckRecord[]> {
    await this.ready();
    const r = await this.pool.query<{ id: string; venue: string; at_ms: string; compliant: boolean; checks: ComplianceCheckRecord['checks']; windows: unknown; windows_ok: boolean | null }>(
      'SELECT id, venue, at_ms, compliant, checks, windows, windows_ok FROM compliance_checks WHERE venue = $1 AND at_ms >= $2 AND at_ms < $3 ORDER BY at_ms, id',
      [venue, fromMs, toMs],
    );
    return r.rows.map((x) => ({
      id: x.id,
      venue: x.venue,
      at: Number(x.at_ms),
      compliant: x.compliant,
      checks: x.checks,
      ...(x.windows !== null ? { windows: x.windows } : {}),
      ...(x.windows_ok !== null ? { windowsOk: x.windows_ok } : {}),
    }));
  }

  async recordDailyVolume(venue: string, v: DailyVolume): Promise<void> {
    await this.ready();
    await this.pool.query(
      `INSERT INTO compliance_daily_volume (venue, day, volume24h_quote, at_ms) VALUES ($1, $2, $3::numeric, $4)
       ON CONFLICT (venue, day) DO UPDATE SET volume24h_quote = EXCLUDED.volume24h_quote, at_ms = EXCLUDED.at_ms
       WHERE compliance_daily_volume.at_ms < EXCLUDED.at_ms`,
      [venue, v.day, v.volume24hQuote, v.at],
    );
  }

  async dailyVolumes(venue: string, fromDay: string): Promise<DailyVolume[]> {
    await this.ready();
    const r = await this.pool.query<{ day: string; volume24h_quote: string; at_ms: string }>(
      'SELECT day, volume24h_quote, at_ms FROM compliance_daily_volume WHERE venue = $1 AND day >= $2 ORDER BY day',
      [venue, fromDay],
    );
    return r.rows.map((x) => ({ day: x.day, volume24hQuote: fmt(x.volume24h_quote), at: Number(x.at_ms) }));
  }

  async pruneComplianceHistory(samplesBeforeMs: number, volumesBeforeDay: string): Promise<number> {
    await this.ready();
    const a = await this.pool.query('DELETE FROM compliance_samples WHERE at_ms < $1', [samplesBeforeMs]);
    const b = await this.pool.query('DELETE FROM compliance_daily_volume WHERE day < $1', [volumesBeforeDay]);
    return (a.rowCount ?? 0) + (b.rowCount ?? 0);
  }

  async claimAlert(key: AlertKey, at: number, text: string): Promise<{ alert: AlertRecord; created: boolean }> {
    const k = AlertKeySchema.parse(key);
    await this.ready();
    // The primary key is the de-duplication: whichever attempt gets there first owns the message.
    const ins = await this.pool.query<AlertRow>(
      `INSERT INTO compliance_alerts (venue, rule, breach_id, kind, at_ms, text) VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT DO NOTHING RETURNING ${ALERT_COLUMNS}`,
      [k.venue, k.rule, k.breachId, k.kind, at, text],
    );
    if (ins.rows[0]) return { alert: alertFromRow(ins.rows[0]), created: true };
    const old = await this.pool.query<AlertRow>(`SELECT ${ALERT_COLUMNS} FROM compliance_alerts WHERE venue = $1 AND rule = $2 AND breach_id = $3 AND kind = $4`, [
      k.venue,
      k.rule,
      k.breachId,
      k.kind,
    ]);
    return { alert: alertFromRow(old.rows[0]!), created: false };
  }

  async markAlertSent(key: AlertKey, at: number): Promise<void> {
    const k = AlertKeySchema.parse(key);
    await this.ready();
    await this.pool.query('UPDATE compliance_alerts SET sent_ms = $5 WHERE venue = $1 AND rule = $2 AND breach_id = $3 AND kind = $4 AND sent_ms IS NULL', [
      k.venue,
      k.rule,
      k.breachId,
      k.kind,
      at,
    ]);
  }

  async alerts(venue?: string): Promise<AlertRecord[]> {
    await this.ready();
    const r = await this.pool.query<AlertRow>(
      `SELECT ${ALERT_COLUMNS} FROM compliance_alerts ${venue !== undefined ? 'WHERE venue = $1' : ''} ORDER BY at_ms, kind`,
      venue !== undefined ? [venue] : [],
    );
    return r.rows.map(alertFromRow);
  }
}
