// Compliance over time, stored beside the treasury ledger (migration 003): the 10-second samples, the
// complianceCheck verdicts with their rolling windows, the daily volume series and the alerts sent.
// PgLedgerStore (the store of record) and MemoryLedgerStore (unit tests) both implement it; every
// summary goes through domain/compliance-history.ts, so the API, the dashboard and the daily report
// read the same figures.
import { z } from 'zod';
import type { ComplianceSample, ComplianceSummary, DailyVolume } from '../domain/compliance-history';
import { zNonNegativeDecimal } from '../domain/money';

const zRule = z.enum(['spread', 'depth', 'volume24h', 'book']);

export const ComplianceSampleSchema = z
  .object({
    venue: z.string().min(1),
    at: z.number().int(),
    source: z.enum(['sampler', 'check']),
    bookOk: z.boolean(),
    spreadPct: zNonNegativeDecimal.optional(),
    spreadOk: z.boolean(),
    depth: z.array(z.object({ pct: z.string(), bidQuote: zNonNegativeDecimal, askQuote: zNonNegativeDecimal, minSideQuote: zNonNegativeDecimal }).strict()),
    depthOk: z.boolean(),
    volume24hQuote: zNonNegativeDecimal,
    volumeOk: z.boolean(),
    compliant: z.boolean(),
    failed: z.array(zRule),
  })
  .strict();

export const ComplianceCheckRecordSchema = z
  .object({
    /** The complianceCheck run (`<workflowId>:<runId>`): a retried write records nothing twice. */
    id: z.string().min(1),
    venue: z.string().min(1),
    at: z.number().int(),
    compliant: z.boolean(),
    checks: z.array(z.object({ name: z.string(), required: z.string(), actual: z.string(), ok: z.boolean() })),
    /** The rolling-window figures at the time of the check (domain ComplianceWindows). */
    windows: z.unknown().optional(),
    windowsOk: z.boolean().optional(),
  })
  .strict();
export type ComplianceCheckRecord = z.output<typeof ComplianceCheckRecordSchema>;

export const AlertKeySchema = z
  .object({
    venue: z.string().min(1),
    rule: z.string().min(1),
    breachId: z.string().min(1),
    kind: z.enum(['raised', 'resolved', 'escalated']),
  })
  .strict();
export type AlertKey = z.output<typeof AlertKeySchema>;

export interface AlertRecord extends AlertKey {
  at: number;
  text: string;
  /** When the webhook took it (or it was logged without a webhook); absent ⇒ not delivered yet. */
  sentAt?: number;
}

export interface ComplianceHistoryStore {
  /** Records samples (each unless (venue, at, source) is there); returns how many were new. */
  recordComplianceSamples(samples: ComplianceSample[]): Promise<number>;
  /** A venue's samples in [fromMs, toMs), oldest first. */
  complianceSamples(venue: string, fromMs: number, toMs: number): Promise<ComplianceSample[]>;
  /**
   * The summary of [fromMs, toMs) for one venue: sample counts, uptime, spread uptime, breach
   * intervals (domain/compliance-history.ts summarizeCompliance). `sampleEveryMs`: the sampling period
   * (unknown-gap detection and coverage); default 10 s.
   */
  complianceSummary(venue: string, fromMs: number, toMs: number, sampleEveryMs?: number): Promise<ComplianceSummary>;
  /** Records a complianceCheck verdict unless its id is there. */
  recordComplianceCheck(check: ComplianceCheckRecord): Promise<{ created: boolean }>;
  /** A venue's recorded checks in [fromMs, toMs), oldest first. */
  complianceChecks(venue: string, fromMs: number, toMs: number): Promise<ComplianceCheckRecord[]>;
  /** Keeps the newest 24 h volume read on each UTC day (the series ADV 15 d averages). */
  recordDailyVolume(venue: string, v: DailyVolume): Promise<void>;
  dailyVolumes(venue: string, fromDay: string): Promise<DailyVolume[]>;
  /** Deletes samples older than `samplesBeforeMs` and daily volumes before `volumesBeforeDay`; returns rows deleted. */
  pruneComplianceHistory(samplesBeforeMs: number, volumesBeforeDay: string): Promise<number>;
  /** The alert of record for this key: inserted now (`created`) or the one already there. */
  claimAlert(key: AlertKey, at: number, text: string): Promise<{ alert: AlertRecord; created: boolean }>;
  markAlertSent(key: AlertKey, at: number): Promise<void>;
  /** Alerts of one venue (or all), oldest first. */
  alerts(venue?: string): Promise<AlertRecord[]>;
}

export const DEFAULT_SAMPLE_EVERY_MS = 10_000;

/** A ledger store that also keeps the compliance history (PgLedgerStore, MemoryLedgerStore). */
export function isComplianceHistoryStore(x: unknown): x is ComplianceHistoryStore {
  return typeof x === 'object' && x !== null && typeof (x as Partial<ComplianceHistoryStore>).complianceSummary === 'function' && typeof (x as Partial<ComplianceHistoryStore>).claimAlert === 'function';
}

/**
 * The ledger stores keep the compliance history in the same database through a store of its own
 * (PgComplianceHistory, MemoryComplianceHistory); this base forwards the interface to it, once for both.
 */
export abstract class ComplianceHistoryForwarder implements ComplianceHistoryStore {
  protected abstract readonly compliance: ComplianceHistoryStore;
  recordComplianceSamples(...a: Parameters<ComplianceHistoryStore['recordComplianceSamples']>) { return this.compliance.recordComplianceSamples(...a); }
  complianceSamples(...a: Parameters<ComplianceHistoryStore['complianceSamples']>) { return this.compliance.complianceSamples(...a); }
  complianceSummary(...a: Parameters<ComplianceHistoryStore['complianceSummary']>) { return this.compliance.complianceSummary(...a); }
  recordComplianceCheck(...a: Parameters<ComplianceHistoryStore['recordComplianceCheck']>) { return this.compliance.recordComplianceCheck(...a); }
  complianceChecks(...a: Parameters<ComplianceHistoryStore['complianceChecks']>) { return this.compliance.complianceChecks(...a); }
  recordDailyVolume(...a: Parameters<ComplianceHistoryStore['recordDailyVolume']>) { return this.compliance.recordDailyVolume(...a); }
  dailyVolumes(...a: Parameters<ComplianceHistoryStore['dailyVolumes']>) { return this.compliance.dailyVolumes(...a); }
  pruneComplianceHistory(...a: Parameters<ComplianceHistoryStore['pruneComplianceHistory']>) { return this.compliance.pruneComplianceHistory(...a); }
  claimAlert(...a: Parameters<ComplianceHistoryStore['claimAlert']>) { return this.compliance.claimAlert(...a); }
  markAlertSent(...a: Parameters<ComplianceHistoryStore['markAlertSent']>) { return this.compliance.markAlertSent(...a); }
  alerts(...a: Parameters<ComplianceHistoryStore['alerts']>) { return this.compliance.alerts(...a); }
}
