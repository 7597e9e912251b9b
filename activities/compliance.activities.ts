import type { Logger } from 'pino';
import { z } from 'zod';
import type { BallastConfig } from '../domain/config.schema';
import type { VenueRequirements } from '../domain/compliance';
import { DomainError, parseOrThrow } from '../domain/errors';
import { zNonNegativeDecimal } from '../domain/money';
import type { OrderBookSnapshot } from '../domain/order-book';
import type { VenueRegistry } from '../venues/market-data.port';
import { withDomainErrors } from './boundary';
import type { ComplianceHistoryStore } from './compliance-history-store';
import { DAY_MS, averageDailyVolume, depthUptimeByBand, durationMs, evaluateWindows, utcDay, type ComplianceWindows } from '../domain/compliance-history';

export interface ComplianceActivityDeps {
  config: BallastConfig;
  venues: VenueRegistry;
  logger: Logger;
  /** Compliance over time (the ledger database); without it recordComplianceWindows records nothing. */
  history?: ComplianceHistoryStore;
  now?: () => number;
}

const CheckVerdictArg = z
  .object({
    venue: z.string().min(1),
    /** `<workflowId>:<runId>` of the check: its row is written once. */
    checkId: z.string().min(1),
    compliant: z.boolean(),
    checks: z.array(z.object({ name: z.string(), required: z.string(), actual: z.string(), ok: z.boolean() }).strict()),
  })
  .strict();

export interface VenueProfile {
  venue: string;
  kind: string;
  market: string;
  asset: string;
  requirements: VenueRequirements;
}

export interface ComplianceSnapshot {
  book: OrderBookSnapshot;
  volume24hQuote: string;
}

const VenueArg = z.object({ venue: z.string().min(1) });
const BOOK_LEVELS = 100;

export function createComplianceActivities(deps: ComplianceActivityDeps) {
  const venueConfig = (venue: string) => {
    const v = deps.config.venues.find((x) => x.id === venue);
    if (!v) throw new DomainError('VENUE.UNKNOWN', `unknown venue "${venue}"; configured: ${deps.config.venues.map((x) => x.id).join(', ')}`);
    return v;
  };

  return withDomainErrors({
    /** The venue's listing requirements as configured now; recorded in history for auditors. */
    async loadVenueProfile(arg: { venue: string }): Promise<VenueProfile> {
      const { venue } = parseOrThrow(VenueArg, arg, 'loadVenueProfile argument');
      const v = venueConfig(venue);
      return { venue: v.id, kind: v.kind, market: v.market, asset: deps.config.asset.symbol, requirements: v.requirements };
    },

    /** Reads the venue's book and 24 h volume; both are validated before they enter history. */
    async fetchComplianceSnapshot(arg: { venue: string }): Promise<ComplianceSnapshot> {
      const { venue } = parseOrThrow(VenueArg, arg, 'fetchComplianceSnapshot argument');
      venueConfig(venue);
      const port = deps.venues.get(venue);
      if (!port) throw new DomainError('VENUE.NOT_CONNECTED', `venue "${venue}" has no market-data adapter`, false);
      const [book, volume] = await Promise.all([port.fetchOrderBook(BOOK_LEVELS), port.fetchVolume24hQuote()]);
      const volume24hQuote = parseOrThrow(zNonNegativeDecimal, volume, `24h volume from ${venue}`);
      deps.logger.debug({ venue, bids: book.bids.length, asks: book.asks.length }, 'compliance snapshot');
      return { book, volume24hQuote };
    },

    /**
     * The rolling windows exchanges' rules use, from the sampled series (24 h spread and depth uptime,
     * depth uptime per band, ADV over 15 days, 7 d uptime), evaluated against the venue's rules, and the
     * check's verdict recorded with them (once per check). `recorded: false` without a history store.
     */
    async recordComplianceWindows(arg: z.input<typeof CheckVerdictArg>): Promise<{ recorded: boolean; windows?: ComplianceWindows }> {
      const a = parseOrThrow(CheckVerdictArg, arg, 'recordComplianceWindows argument');
      const v = venueConfig(a.venue);
      const store = deps.history;
      if (!store) return { recorded: false };
      const now = (deps.now ?? Date.now)();
      const every = durationMs(v.compliance.sampleEvery);
      const [last24h, last7d, samples24h, daily] = await Promise.all([
        store.complianceSummary(v.id, now - DAY_MS, now, every),
        store.complianceSummary(v.id, now - 7 * DAY_MS, now, every),
        store.complianceSamples(v.id, now - DAY_MS, now),
        store.dailyVolumes(v.id, utcDay(now - 16 * DAY_MS)),
      ]);
      const windows = evaluateWindows(
        {
          venue: v.id,
          asOf: now,
          last24h,
          last7d,
          depthUptimeByBand24h: depthUptimeByBand(samples24h.filter((x) => x.source === 'sampler'), v.requirements.minDepthQuote),
          adv15d: averageDailyVolume(daily, now),
        },
        v.requirements,
      );
      await store.recordComplianceCheck({ id: a.checkId, venue: v.id, at: now, compliant: a.compliant, checks: a.checks, windows, windowsOk: windows.compliant });
      return { recorded: true, windows };
    },
  });
}

export type ComplianceActivities = ReturnType<typeof createComplianceActivities>;
