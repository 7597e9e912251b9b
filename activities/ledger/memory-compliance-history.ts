// Compliance history in memory (unit tests): the same rules as PgComplianceHistory.
import { summarizeCompliance, type ComplianceSample, type ComplianceSummary, type DailyVolume } from '../../domain/compliance-history';
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

const alertId = (k: AlertKey) => [k.venue, k.rule, k.breachId, k.kind].join('\u0000');

export class MemoryComplianceHistory implements ComplianceHistoryStore {
  private samples = new Map<string, ComplianceSample>();
  private readonly checks = new Map<string, ComplianceCheckRecord>();
  private volumes = new Map<string, DailyVolume & { venue: string }>();
  private readonly alertsById = new Map<string, AlertRecord>();

  async recordComplianceSamples(samples: ComplianceSample[]): Promise<number> {
    let n = 0;
    for (const raw of samples) {
      const s: ComplianceSample = ComplianceSampleSchema.parse(raw);
      const id = `${s.venue}\u0000${s.at}\u0000${s.source}`;
      if (this.samples.has(id)) continue;
      this.samples.set(id, s);
      n++;
    }
    return n;
  }

  async complianceSamples(venue: string, fromMs: number, toMs: number): Promise<ComplianceSample[]> {
    return [...this.samples.values()]
      .filter((s) => s.venue === venue && s.at >= fromMs && s.at < toMs)
      .sort((a, b) => a.at - b.at || a.source.localeCompare(b.source));
  }

  async complianceSummary(venue: string, fromMs: number, toMs: number, sampleEveryMs = DEFAULT_SAMPLE_EVERY_MS): Promise<ComplianceSummary> {
    const points = (await this.complianceSamples(venue, fromMs, toMs)).filter((s) => s.source === 'sampler');
    return summarizeCompliance(venue, points, { fromMs, toMs, sampleEveryMs });
  }

  async recordComplianceCheck(check: ComplianceCheckRecord): Promise<{ created: boolean }> {
    const c = ComplianceCheckRecordSchema.parse(check);
    if (this.checks.has(c.id)) return { created: false };
    this.checks.set(c.id, c);
    return { created: true };
  }

  async complianceChecks(venue: string, fromMs: number, toMs: number): Promise<ComplianceCheckRecord[]> {
    return [...this.checks.values()].filter((c) => c.venue === venue && c.at >= fromMs && c.at < toMs).sort((a, b) => a.at - b.at || a.id.localeCompare(b.id));
  }

  async recordDailyVolume(venue: string, v: DailyVolume): Promise<void> {
    const id = `${venue}\u0000${v.day}`;
    const old = this.volumes.get(id);
    if (!old || old.at < v.at) this.volumes.set(id, { ...v, venue });
  }

  async dailyVolumes(venue: string, fromDay: string): Promise<DailyVolume[]> {
    return [...this.volumes.values()]
      .filter((v) => v.venue === venue && v.day >= fromDay)
      .sort((a, b) => a.day.localeCompare(b.day))
      .map(({ day, volume24hQuote, at }) => ({ day, volume24hQuote, at }));
  }

  async pruneComplianceHistory(samplesBeforeMs: number, volumesBeforeDay: string): Promise<number> {
    const s0 = this.samples.size + this.volumes.size;
    this.samples = new Map([...this.samples].filter(([, s]) => s.at >= samplesBeforeMs));
    this.volumes = new Map([...this.volumes].filter(([, v]) => v.day >= volumesBeforeDay));
    return s0 - this.samples.size - this.volumes.size;
  }

  async claimAlert(key: AlertKey, at: number, text: string): Promise<{ alert: AlertRecord; created: boolean }> {
    const k = AlertKeySchema.parse(key);
    const old = this.alertsById.get(alertId(k));
    if (old) return { alert: { ...old }, created: false };
    const alert: AlertRecord = { ...k, at, text };
    this.alertsById.set(alertId(k), alert);
    return { alert: { ...alert }, created: true };
  }

  async markAlertSent(key: AlertKey, at: number): Promise<void> {
    const a = this.alertsById.get(alertId(AlertKeySchema.parse(key)));
    if (a && a.sentAt === undefined) a.sentAt = at;
  }

  async alerts(venue?: string): Promise<AlertRecord[]> {
    return [...this.alertsById.values()].filter((a) => venue === undefined || a.venue === venue).sort((a, b) => a.at - b.at || a.kind.localeCompare(b.kind)).map((a) => ({ ...a }));
  }
}
