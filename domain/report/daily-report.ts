// The daily report's model: what the dailyReport workflow gathered for one UTC day, per venue and
// across venues, assembled by a pure function (the workflow runs it; the HTML is rendered from the
// same model by daily-report-html.ts). Money is decimal strings throughout.
import { z } from 'zod';
import type { ComplianceSummary } from '../compliance-history';
import { fmt, sum } from '../money';
import type { FillSummary } from './realized-pnl';

export const REPORT_DATE_RE = /^\d{4}-\d{2}-\d{2}$/;

/** A real calendar day "YYYY-MM-DD" (UTC). */
export const zReportDate = z
  .string()
  .regex(REPORT_DATE_RE, 'expected a UTC day "YYYY-MM-DD", e.g. "2026-12-02"')
  .refine((d) => {
    const t = Date.parse(`${d}T00:00:00Z`);
    return Number.isFinite(t) && new Date(t).toISOString().slice(0, 10) === d;
  }, 'not a calendar day');

const DAY_MS = 86_400_000;

/** [00:00, 24:00) UTC of the day, epoch ms. */
export function dayWindow(date: string): { fromMs: number; toMs: number } {
  const fromMs = Date.parse(`${date}T00:00:00Z`);
  return { fromMs, toMs: fromMs + DAY_MS };
}

/** The UTC day before the one containing `nowMs`. */
export function previousUtcDay(nowMs: number): string {
  return new Date(Math.floor(nowMs / DAY_MS) * DAY_MS - DAY_MS).toISOString().slice(0, 10);
}

export const dailyReportWorkflowId = (asset: string, date: string) => `daily-report:${asset}:${date}`;

type Unavailable = { available: false; reason: string };

export type ComplianceUptime =
  | {
      available: true;
      /** Share of the day's 10-second compliance samples that met every rule, percent (2 dp). */
      uptimePct: string;
      spreadUptimePct: string | null;
      depthUptimePct: string | null;
      samples: number;
      compliantSamples: number;
      /** Share of the day the samples cover (gaps are unknown, never counted compliant), percent. */
      coveragePct: string;
      breaches: { from: string; to: string; failed: string[]; open: boolean }[];
      source: string;
    }
  | Unavailable;

/** The figures the report reads from the compliance store's summary of the day. */
export type ComplianceSummaryLike = Pick<ComplianceSummary, 'samples' | 'compliantSamples' | 'uptimeRatio' | 'spreadUptimeRatio' | 'depthUptimeRatio' | 'coverageRatio' | 'breaches'>;

const pct = (r: number): string => (r * 100).toFixed(2);

/** The report's compliance figures, read from the compliance time series' summary (not recomputed). */
export function complianceUptime(s: ComplianceSummaryLike): ComplianceUptime {
  if (s.samples === 0 || s.uptimeRatio === null) return { available: false, reason: 'no compliance sample recorded in the day' };
  return {
    available: true,
    uptimePct: pct(s.uptimeRatio),
    spreadUptimePct: s.spreadUptimeRatio === null ? null : pct(s.spreadUptimeRatio),
    depthUptimePct: s.depthUptimeRatio === null ? null : pct(s.depthUptimeRatio),
    samples: s.samples,
    compliantSamples: s.compliantSamples,
    coveragePct: pct(s.coverageRatio),
    breaches: s.breaches.map((b) => ({ from: new Date(b.from).toISOString(), to: new Date(b.to).toISOString(), failed: [...b.failed], open: b.open })),
    source: 'compliance time series (10-second samples)',
  };
}

export type VenueTrading = ({ available: true; summary: FillSummary } | Unavailable) & {
  /** The market's own 24 h volume, quote, read when the report ran (not the report day's). */
  market24hVolumeQuote: string | null;
};

export type VenueInventory = { available: true; asOf: string; balances: { asset: string; free: string; locked: string; total: string }[] } | Unavailable;

export interface TransferRow {
  workflowId: string;
  /** The source venue id. */
  from: string;
  /** `venue:<id>` or `wallet:<label>` (the ledger's form). */
  to: string;
  asset: string;
  amount: string;
  amountUsd: string;
  /** Withdrawal fee booked, in the asset; "0" when none. */
  fee: string;
  outcome: 'completed' | 'reversed' | 'suspense';
  at: string;
  txHash?: string;
}

export interface ExecutionRow {
  workflowId: string;
  kind: string;
  filledBase: string;
  quote: string | null;
  averagePrice: string | null;
  arrivalPrice: string | null;
  shortfallQuote: string | null;
  shortfallBps: number | null;
  feesQuote: string | null;
  budgetUsedUsd: string;
  stopReason: string | null;
  /** Base filled per venue (the execution's participation record). */
  perVenue: Record<string, string>;
  at: string;
}

export interface LedgerDay {
  transfers: TransferRow[];
  executions: ExecutionRow[];
  /** Net base booked to each non-venue destination (wallets) by completed transfers, all time up to the day's end. */
  wallets: { wallet: string; asset: string; netBooked: string }[];
}

export interface IncidentRecord {
  /** venueRisk workflows started during the day (Temporal visibility). */
  venueRisk: { workflowId: string; venue: string; status: string; startTime: string; closeTime: string | null }[];
  /** The coordinator's imbalance events of the day (its retained history). */
  imbalances: { venueId: string; kind: string; type: 'raised' | 'cleared'; at: string; value: number }[];
  /**
   * Operators' kill-switch resets the coordinator holds: those of the day, and those recorded before
   * resets carried a time (`at` null; all retained ones).
   */
  killSwitchResets: { seq: number; venueId: string | null; reason: string; requestedBy: string; at?: string | null }[];
  /** Kill-switch trips of the day as the quoting worker reported them to the coordinator (absent in reports made before). */
  killSwitchTrips?: { seq: number; scope: 'venue' | 'all'; venueId: string | null; reason: string; detail: string; at: string }[];
  /** The operating modes in force when the report ran. */
  modes: Record<string, { mode: string; reason: string }>;
  /** How the coordinator was read: "read", "not running", or the error. */
  coordinator: string;
}

export interface ReportParts {
  asset: string;
  quote: string;
  date: string;
  requester: string;
  workflowId: string;
  runId: string;
  /** Workflow time when the model was assembled, epoch ms. */
  generatedAtMs: number;
  venues: { id: string; kind: string; market: string; compliance: ComplianceUptime; trading: VenueTrading; inventory: VenueInventory }[];
  ledger: LedgerDay;
  incidents: IncidentRecord;
}

export interface VenueSection {
  venue: string;
  kind: string;
  market: string;
  compliance: ComplianceUptime;
  trading: VenueTrading;
  inventory: VenueInventory;
  transfers: { out: number; in: number; sentBase: string; receivedBase: string };
  priceAction: { executions: number; filledBase: string };
  /** killSwitchTrips: the venue's own trips and the global ones (scope all halts every venue). */
  incidents: { venueRisk: number; raised: Record<string, number>; killSwitchTrips: number };
}

export interface DailyReport {
  version: 1;
  asset: string;
  quote: string;
  date: string;
  window: { from: string; to: string };
  generatedAt: string;
  workflowId: string;
  runId: string;
  requester: string;
  venues: VenueSection[];
  totals: {
    volumeQuote: string;
    feesQuote: string;
    realizedPnlQuote: string;
    realizedLossQuote: string;
    transfers: number;
    transferFeesBase: string;
    priceActionExecutions: number;
    priceActionBudgetUsd: string;
    venueRiskIncidents: number;
    killSwitchTrips: number;
  };
  transfers: TransferRow[];
  priceActions: ExecutionRow[];
  wallets: LedgerDay['wallets'];
  incidents: IncidentRecord;
  /** What each figure is read from, and what the report does not cover. */
  coverage: string[];
}

export const COVERAGE_NOTES: readonly string[] = [
  'Compliance uptime: share of the day\'s 10-second compliance samples that met every rule (the compliance time series in the ledger database, summarized by its own store); coverage is the share of the day the samples cover.',
  'Volume, fees and realized PnL: the venue\'s own record of our fills (my trades) for the day; realized PnL by average cost with the position opened flat at 00:00 UTC, so inventory held before the day carries no cost basis; fees charged in base are valued at their fill price.',
  'Market 24 h volume: the venue\'s rolling 24 h figure when the report ran, not the report day\'s.',
  'Inventory: venue balances when the report ran; wallets: net base booked to non-venue destinations by completed transfers in the ledger.',
  'Transfers, buybacks and liquidations: ledger records of the day (transfer, fee, reversal, suspense; price-action execution reports).',
  'Incidents: kill-switch trips of the day as the quoting worker reported them to the coordinator (kept in its state and history, the last 200; a trip whose signal Temporal refused is only in the quoting worker\'s log and metrics), venueRisk workflows of the day (Temporal visibility), the coordinator\'s imbalance events of the day and the operators\' kill-switch resets of the day.',
];

const totalOf = (values: string[]) => fmt(sum(values), 8);

/** Assembles the report from what the workflow gathered (pure: same parts, same report). */
export function buildDailyReport(p: ReportParts): DailyReport {
  const { fromMs, toMs } = dayWindow(p.date);
  const venueIds = new Set(p.venues.map((v) => v.id));
  const sections: VenueSection[] = p.venues.map((v) => {
    const out = p.ledger.transfers.filter((t) => t.from === v.id && t.outcome === 'completed');
    const inn = p.ledger.transfers.filter((t) => t.to === `venue:${v.id}` && t.outcome === 'completed');
    const pa = p.ledger.executions.filter((e) => e.perVenue[v.id] !== undefined);
    const raised: Record<string, number> = {};
    for (const e of p.incidents.imbalances) if (e.venueId === v.id && e.type === 'raised') raised[e.kind] = (raised[e.kind] ?? 0) + 1;
    return {
      venue: v.id,
      kind: v.kind,
      market: v.market,
      compliance: v.compliance,
      trading: v.trading,
      inventory: v.inventory,
      transfers: { out: out.length, in: inn.length, sentBase: totalOf(out.map((t) => t.amount)), receivedBase: totalOf(inn.map((t) => t.amount)) },
      priceAction: { executions: pa.length, filledBase: totalOf(pa.map((e) => e.perVenue[v.id]!)) },
      incidents: {
        venueRisk: p.incidents.venueRisk.filter((r) => r.venue === v.id).length,
        raised,
        killSwitchTrips: (p.incidents.killSwitchTrips ?? []).filter((t) => t.scope === 'all' || t.venueId === v.id).length,
      },
    };
  });
  const traded = sections.flatMap((s) => (s.trading.available ? [s.trading.summary] : []));
  const venueTransfers = p.ledger.transfers.filter((t) => venueIds.has(t.from));
  return {
    version: 1,
    asset: p.asset,
    quote: p.quote,
    date: p.date,
    window: { from: new Date(fromMs).toISOString(), to: new Date(toMs).toISOString() },
    generatedAt: new Date(p.generatedAtMs).toISOString(),
    workflowId: p.workflowId,
    runId: p.runId,
    requester: p.requester,
    venues: sections,
    totals: {
      volumeQuote: totalOf(traded.map((t) => t.volumeQuote)),
      feesQuote: totalOf(traded.map((t) => t.feesQuote)),
      realizedPnlQuote: totalOf(traded.map((t) => t.realizedPnlQuote)),
      realizedLossQuote: totalOf(traded.map((t) => t.realizedLossQuote)),
      transfers: p.ledger.transfers.length,
      transferFeesBase: totalOf(venueTransfers.map((t) => t.fee)),
      priceActionExecutions: p.ledger.executions.length,
      priceActionBudgetUsd: totalOf(p.ledger.executions.map((e) => e.budgetUsedUsd)),
      venueRiskIncidents: p.incidents.venueRisk.length,
      killSwitchTrips: (p.incidents.killSwitchTrips ?? []).length,
    },
    transfers: p.ledger.transfers,
    priceActions: p.ledger.executions,
    wallets: p.ledger.wallets,
    incidents: p.incidents,
    coverage: [...COVERAGE_NOTES],
  };
}
