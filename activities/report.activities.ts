// What the dailyReport workflow reads, each from its source of record: our fills and balances from the
// venue itself (the treasury's per-venue adapters), the market's 24 h volume from the market-data port,
// transfers and executions from the ledger, compliance results from their time series, incidents
// from Temporal (venueRisk workflows in visibility, the coordinator's `state` query). The report is
// stored (JSON + HTML) by `storeDailyReport`.
import { Context } from '@temporalio/activity';
import { WorkflowNotFoundError, type Client } from '@temporalio/client';
import type { Logger } from 'pino';
import { z } from 'zod';
import { durationMs } from '../domain/compliance-history';
import type { BallastConfig } from '../domain/config.schema';
import { DomainError, parseOrThrow } from '../domain/errors';
import { zNonNegativeDecimal } from '../domain/money';
import { renderDailyReportHtml } from '../domain/report/daily-report-html';
import { complianceUptime, zReportDate, type ComplianceUptime, type DailyReport, type IncidentRecord, type LedgerDay, type VenueInventory } from '../domain/report/daily-report';
import { summarizeLedgerDay } from '../domain/report/ledger-day';
import { summarizeFills, type FillSummary, type ReportFill } from '../domain/report/realized-pnl';
import type { VenueRegistry } from '../venues/market-data.port';
import type { VenueAdapter } from '../venues/venue.port';
import type { ComplianceHistoryStore } from './compliance-history-store';
import type { LedgerStore } from './ledger-store';
import type { DailyReportStore } from './report-store';

/** The compliance time series' per-venue summary over [fromMs, toMs) (PgLedgerStore / MemoryLedgerStore). */
export type ComplianceHistory = Pick<ComplianceHistoryStore, 'complianceSummary'>;

export interface ReportActivityDeps {
  config: BallastConfig;
  logger: Logger;
  /** Our account on a venue (fills, balances): the treasury's adapter; throws or undefined where there is none. */
  accountVenue(venueId: string): VenueAdapter | undefined;
  /** Market data per venue (the market's 24 h volume). */
  venues: VenueRegistry;
  ledger: LedgerStore;
  reports: DailyReportStore;
  /** Absent: the report says compliance uptime is not available. */
  compliance?: ComplianceHistory;
  /** The Temporal client for visibility and the coordinator query; default the worker's (activity context). */
  temporal?: () => Client;
  now: () => number;
}

const Window = z.object({ fromMs: z.number().int(), toMs: z.number().int() }).refine((w) => w.toMs > w.fromMs, 'toMs must be after fromMs');
const VenueWindow = z.object({ venue: z.string().min(1) }).and(Window);
const AssetWindow = z.object({ asset: z.string().min(1) }).and(Window);
/** Pages of my-trades the report reads per venue and day at most (a page is the venue's own limit). */
const MAX_TRADE_PAGES = 200;

export type VenueTradingResult = { available: true; summary: FillSummary } | { available: false; reason: string };

/**
 * Every fill of ours in [fromMs, toMs), paging by time (the venue returns a limited page from `since`,
 * inclusive). Fills are de-duplicated by trade id. Limit: the port pages by time only, so more fills
 * of ours in ONE millisecond than the venue's page size (Binance: 500) would be undercounted.
 */
export async function fillsOfDay(a: Pick<VenueAdapter, 'id' | 'fetchMyTrades'>, fromMs: number, toMs: number): Promise<ReportFill[]> {
  const fetch = a.fetchMyTrades!.bind(a);
  const byId = new Map<string, ReportFill>();
  let since = fromMs;
  for (let page = 0; page < MAX_TRADE_PAGES; page++) {
    const fills = await fetch(since);
    let added = 0;
    let last = since;
    for (const f of fills) {
      last = Math.max(last, f.timestamp);
      if (f.timestamp < fromMs || f.timestamp >= toMs || byId.has(f.tradeId)) continue;
      byId.set(f.tradeId, { tradeId: f.tradeId, side: f.side, price: f.price, amount: f.amount, fee: f.fee, feeAsset: f.feeAsset, timestamp: f.timestamp });
      added++;
    }
    if (fills.length === 0 || last >= toMs) return [...byId.values()];
    if (added > 0) {
      // Ask again from the last time seen (inclusive: fills sharing that millisecond come again and are skipped).
      since = last;
      continue;
    }
    // Nothing new: either the end, or a page filled by one millisecond's fills. Look past that millisecond.
    if (last !== since) return [...byId.values()];
    since = last + 1;
  }
  throw new DomainError('REPORT.TOO_MANY_TRADES', `more than ${MAX_TRADE_PAGES} pages of our trades in one day on ${a.id}`);
}

export function createReportActivities(deps: ReportActivityDeps) {
  const { config } = deps;
  const venueConfig = (venue: string) => {
    const v = config.venues.find((x) => x.id === venue);
    if (!v) throw new DomainError('VENUE.UNKNOWN', `unknown venue "${venue}"`);
    return v;
  };
  const account = (venue: string): VenueAdapter | undefined => {
    try {
      return deps.accountVenue(venue);
    } catch {
      return undefined;
    }
  };
  const temporal = () => (deps.temporal ? deps.temporal() : Context.current().client);

  return {
    /** The asset and the venues the report covers (the config in force). */
    async loadReportProfile(): Promise<{ asset: string; quote: string; venues: { id: string; kind: string; market: string }[] }> {
      return { asset: config.asset.symbol, quote: config.asset.quote, venues: config.venues.map((v) => ({ id: v.id, kind: v.kind, market: v.market })) };
    },

    /** The venue's compliance uptime in the window, from the compliance time series' own summary. */
    async reportCompliance(arg: { venue: string; fromMs: number; toMs: number }): Promise<ComplianceUptime> {
      const { venue, fromMs, toMs } = parseOrThrow(VenueWindow, arg, 'reportCompliance argument');
      const v = venueConfig(venue);
      if (!deps.compliance) return { available: false, reason: 'no compliance time series in this deployment' };
      // The venue's own sampling period, as the API's history endpoint reads it: the same coverage and gaps.
      return complianceUptime(await deps.compliance.complianceSummary(venue, fromMs, toMs, durationMs(v.compliance.sampleEvery)));
    },

    /** Our fills of the window from the venue's own record, summarized (domain/report/realized-pnl.ts). */
    async reportTrading(arg: { venue: string; fromMs: number; toMs: number }): Promise<VenueTradingResult> {
      const { venue, fromMs, toMs } = parseOrThrow(VenueWindow, arg, 'reportTrading argument');
      venueConfig(venue);
      const a = account(venue);
      if (!a?.fetchMyTrades) return { available: false, reason: `no record of our trades through a venue adapter for "${venue}" (pool swaps are booked in the ledger)` };
      const rules = await a.loadMarket();
      const fills = await fillsOfDay(a, fromMs, toMs);
      deps.logger.debug({ venue, fills: fills.length }, 'report: our fills of the day');
      return { available: true, summary: summarizeFills(fills, rules, { window: { fromMs, toMs } }) };
    },

    /** The market's rolling 24 h volume (quote) as the venue reports it now. */
    async reportMarketVolume(arg: { venue: string }): Promise<string> {
      const { venue } = parseOrThrow(z.object({ venue: z.string().min(1) }), arg, 'reportMarketVolume argument');
      const port = deps.venues.get(venue);
      if (!port) throw new DomainError('VENUE.NOT_CONNECTED', `venue "${venue}" has no market-data adapter`);
      return parseOrThrow(zNonNegativeDecimal, await port.fetchVolume24hQuote(), `24h volume from ${venue}`);
    },

    /** Our balances on the venue now. */
    async reportInventory(arg: { venue: string }): Promise<VenueInventory> {
      const { venue } = parseOrThrow(z.object({ venue: z.string().min(1) }), arg, 'reportInventory argument');
      venueConfig(venue);
      const a = account(venue);
      if (!a) return { available: false, reason: 'no account adapter for this venue (pool inventory is the LP position)' };
      const balances = (await a.fetchBalances()).filter((b) => b.total !== '0').map((b) => ({ asset: b.asset, free: b.free, locked: b.locked, total: b.total }));
      return { available: true, asOf: new Date(deps.now()).toISOString(), balances };
    },

    /** The day's transfers and executions, and what completed transfers booked to wallets (ledger). */
    async reportLedger(arg: { asset: string; fromMs: number; toMs: number }): Promise<LedgerDay> {
      const { fromMs, toMs } = parseOrThrow(AssetWindow, arg, 'reportLedger argument');
      const day = (await deps.ledger.entries({ sinceMs: fromMs - 1 })).filter((e) => e.at < toMs);
      const workflows = [...new Set(day.filter((e) => e.kind === 'reversal').map((e) => e.workflowId))];
      const related = (await Promise.all(workflows.map((workflowId) => deps.ledger.entries({ workflowId })))).flat();
      const booked = await deps.ledger.entries({ kind: 'transfer' });
      return summarizeLedgerDay({ fromMs, toMs }, day, related, booked);
    },

    /** venueRisk workflows started in the window, and the coordinator's events, resets and modes. */
    async reportIncidents(arg: { asset: string; fromMs: number; toMs: number }): Promise<IncidentRecord & { readAtMs: number }> {
      const { asset, fromMs, toMs } = parseOrThrow(AssetWindow, arg, 'reportIncidents argument');
      const client = temporal();
      const iso = (ms: number) => new Date(ms).toISOString();
      const venueRisk: IncidentRecord['venueRisk'] = [];
      const query = `WorkflowType = 'venueRisk' AND StartTime >= '${iso(fromMs)}' AND StartTime < '${iso(toMs)}'`;
      const venueIds = new Set(config.venues.map((v) => v.id));
      for await (const wf of client.workflow.list({ query })) {
        const venue = wf.searchAttributes?.Venue?.[0];
        if (typeof venue !== 'string' || !venueIds.has(venue)) continue;
        venueRisk.push({ workflowId: wf.workflowId, venue, status: wf.status.name, startTime: wf.startTime.toISOString(), closeTime: wf.closeTime ? wf.closeTime.toISOString() : null });
      }
      venueRisk.sort((a, b) => (a.startTime < b.startTime ? -1 : 1));
      const out: IncidentRecord = { venueRisk, imbalances: [], killSwitchResets: [], modes: {}, coordinator: 'read' };
      try {
        const state = await client.workflow.getHandle(`coordinator:${asset}`).query<CoordinatorStateView>('state');
        out.imbalances = state.history
          .filter((h) => h.event.at >= fromMs && h.event.at < toMs)
          .map((h) => ({ venueId: h.event.venueId, kind: h.event.kind, type: h.event.type, at: iso(h.event.at), value: h.event.value }));
        const inDay = (at: number) => at >= fromMs && at < toMs;
        out.killSwitchResets = (state.killSwitchResets ?? [])
          .filter((r) => r.at === undefined || inDay(r.at))
          .map((r) => ({ seq: r.seq, venueId: r.venueId ?? null, reason: r.reason, requestedBy: r.requestedBy, at: r.at === undefined ? null : iso(r.at) }));
        out.killSwitchTrips = (state.killSwitchTrips ?? [])
          .filter((t) => inDay(t.at))
          .map((t) => ({ seq: t.seq, scope: t.scope, venueId: t.venueId ?? null, reason: t.reason, detail: t.detail, at: iso(t.at) }));
        out.modes = Object.fromEntries(Object.entries(state.modes).map(([v, m]) => [v, { mode: m.mode, reason: m.reason }]));
      } catch (e) {
        out.coordinator = e instanceof WorkflowNotFoundError ? 'not running' : `not readable: ${(e as Error).message}`;
      }
      return { ...out, readAtMs: deps.now() };
    },

    /** Renders the HTML from the model and stores both under (asset, date), replacing any earlier one. */
    async storeDailyReport(arg: { report: DailyReport }): Promise<{ replaced: boolean; htmlBytes: number }> {
      const report = arg.report;
      parseOrThrow(zReportDate, report.date, 'storeDailyReport report.date');
      const html = renderDailyReportHtml(report);
      const { replaced } = await deps.reports.upsert({
        asset: report.asset,
        date: report.date,
        report: report as unknown as Record<string, unknown>,
        html,
        generatedAtMs: Date.parse(report.generatedAt),
        workflowId: report.workflowId,
        runId: report.runId,
      });
      deps.logger.info({ asset: report.asset, date: report.date, workflowId: report.workflowId, replaced }, 'daily report stored');
      return { replaced, htmlBytes: Buffer.byteLength(html) };
    },
  };
}

/** The parts of the coordinator's `state` query read here (workflows/liquidity-coordinator.workflow.ts CoordinatorState). */
interface CoordinatorStateView {
  history: { seq: number; event: { type: 'raised' | 'cleared'; venueId: string; kind: string; value: number; at: number } }[];
  modes: Record<string, { mode: string; reason: string }>;
  killSwitchResets?: { seq: number; venueId?: string; reason: string; requestedBy: string; at?: number }[];
  killSwitchTrips?: { seq: number; scope: 'venue' | 'all'; venueId?: string; reason: string; detail: string; at: number }[];
}

export type ReportActivities = ReturnType<typeof createReportActivities>;
