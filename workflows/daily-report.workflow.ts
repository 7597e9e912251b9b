// dailyReport: one asset's report for one UTC day, per venue — compliance uptime, our volume, fees
// and realized PnL, the market's volume, inventory, transfers, buybacks / liquidations and their
// cost, kill-switch and venueRisk incidents — stored as JSON and HTML. Runs on a schedule (the day
// before) or from the Web UI (any day). Its id is the business key `daily-report:<asset>:<date>`: a
// run started under another id (the schedule's) runs the report as a child under that key.
import { ActivityFailure, executeChild, proxyActivities, upsertSearchAttributes, workflowInfo } from '@temporalio/workflow';
import { z } from 'zod';
import type { ReportActivities } from '../activities/report.activities';
import {
  buildDailyReport,
  dailyReportWorkflowId,
  dayWindow,
  previousUtcDay,
  zReportDate,
  type ComplianceUptime,
  type DailyReport,
  type VenueInventory,
  type VenueTrading,
} from '../domain/report/daily-report';
import { SA_ASSET, SA_OPERATION, SA_REQUESTER } from './search-attributes';
import { validateWorkflowInput } from './validate';
import { failureMessage } from './workflow-util';

export const DailyReportInputSchema = z
  .object({
    /** The UTC day to report on; default: the day before the workflow started. */
    date: zReportDate.optional(),
    requester: z.string().min(1, 'expected who asks, e.g. "ops@desk"').default('schedule'),
  })
  .strict();
export type DailyReportInput = z.input<typeof DailyReportInputSchema>;

export interface DailyReportResult {
  workflowId: string;
  asset: string;
  date: string;
  /** A report for this day was stored before and is replaced. */
  replaced: boolean;
  totals: DailyReport['totals'];
  venues: number;
  /** API paths serving the stored report. */
  links: { json: string; html: string };
}

const acts = proxyActivities<ReportActivities>({
  startToCloseTimeout: '60s',
  retry: { initialInterval: '1s', backoffCoefficient: 2, maximumInterval: '10s', maximumAttempts: 3 },
});

/** A venue that cannot be read (down, no such record) is reported as not available, with the reason. */
async function orUnavailable<T>(read: () => Promise<T>): Promise<T | { available: false; reason: string }> {
  try {
    return await read();
  } catch (e) {
    if (e instanceof ActivityFailure) return { available: false, reason: failureMessage(e) };
    throw e;
  }
}

async function readVenue(v: { id: string; kind: string; market: string }, window: { fromMs: number; toMs: number }) {
  const [compliance, trading, volume, inventory] = await Promise.all([
    orUnavailable<ComplianceUptime>(() => acts.reportCompliance({ venue: v.id, ...window })),
    orUnavailable(() => acts.reportTrading({ venue: v.id, ...window })),
    orUnavailable(() => acts.reportMarketVolume({ venue: v.id })),
    orUnavailable<VenueInventory>(() => acts.reportInventory({ venue: v.id })),
  ]);
  const market24hVolumeQuote = typeof volume === 'string' ? volume : null;
  const t: VenueTrading = { ...trading, market24hVolumeQuote };
  return { ...v, compliance, trading: t, inventory };
}

export async function dailyReport(rawInput: DailyReportInput): Promise<DailyReportResult> {
  const input = validateWorkflowInput(DailyReportInputSchema, rawInput, 'dailyReport');
  const info = workflowInfo();
  const date = input.date ?? previousUtcDay(info.runStartTime.getTime());
  upsertSearchAttributes([
    { key: SA_OPERATION, value: 'dailyReport' },
    { key: SA_REQUESTER, value: input.requester },
  ]);
  const profile = await acts.loadReportProfile();
  upsertSearchAttributes([{ key: SA_ASSET, value: profile.asset }]);

  const workflowId = dailyReportWorkflowId(profile.asset, date);
  if (info.workflowId !== workflowId) {
    return executeChild(dailyReport, { workflowId, args: [{ date, requester: input.requester }] });
  }

  const window = dayWindow(date);
  const venues = await Promise.all(profile.venues.map((v) => readVenue(v, window)));
  const [ledger, incidents] = await Promise.all([acts.reportLedger({ asset: profile.asset, ...window }), acts.reportIncidents({ asset: profile.asset, ...window })]);
  const { readAtMs, ...incidentRecord } = incidents;
  const report = buildDailyReport({
    asset: profile.asset,
    quote: profile.quote,
    date,
    requester: input.requester,
    workflowId,
    runId: info.runId,
    generatedAtMs: readAtMs,
    venues,
    ledger,
    incidents: incidentRecord,
  });
  const stored = await acts.storeDailyReport({ report });
  return {
    workflowId,
    asset: profile.asset,
    date,
    replaced: stored.replaced,
    totals: report.totals,
    venues: report.venues.length,
    links: { json: `/api/reports/${date}.json`, html: `/reports/${date}.html` },
  };
}
