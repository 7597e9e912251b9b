// The dashboard's compliance over time: per venue, the compliance history's summaries of the last
// 24 h and 7 d (ComplianceHistoryStore.complianceSummary, the same summary GET /api/compliance/history
// and the daily report read): uptime, and the 7 d breach intervals for the timeline.
import type { ComplianceHistoryStore } from '../../activities/compliance-history-store';
import { DAY_MS, durationMs } from '../../domain/compliance-history';
import type { BallastConfig } from '../../domain/config.schema';
import type { VenueComplianceHistory } from './assemble';

const iso = (ms: number) => new Date(ms).toISOString();

export function complianceHistoryForDashboard(config: BallastConfig, store: Pick<ComplianceHistoryStore, 'complianceSummary'>): (now: number) => Promise<Record<string, VenueComplianceHistory>> {
  return async (now) => {
    const out: Record<string, VenueComplianceHistory> = {};
    await Promise.all(
      config.venues.map(async (v) => {
        const every = durationMs(v.compliance.sampleEvery);
        const [day, week] = await Promise.all([store.complianceSummary(v.id, now - DAY_MS, now, every), store.complianceSummary(v.id, now - 7 * DAY_MS, now, every)]);
        out[v.id] = {
          uptime24h: day.uptimeRatio,
          uptime7d: week.uptimeRatio,
          spreadUptime24h: day.spreadUptimeRatio,
          depthUptime24h: day.depthUptimeRatio,
          // An interval still open (to the newest sample) has no end yet.
          breaches: week.breaches.map((b) => ({ from: iso(b.from), to: b.open ? null : iso(b.to), failed: [...b.failed] })),
        };
      }),
    );
    return out;
  };
}
