// The dashboard's snapshot: what the operator page and the issuer page show, as one zod schema.
// Field names are stable (additive changes only): the page (api/dashboard/static) and the tests read them.
//
// Where each figure comes from (the collector reads, never recomputes):
//   - gauges and counters → the quoting worker's and the Temporal worker's /metrics (observability/metrics.ts);
//     they are numbers here, as Prometheus carries them;
//   - venue mids, 24 h volume → the simulated market (when configured);
//   - modes, imbalances, decisions → the liquidity coordinator's `state` query;
//   - running workflows → Temporal visibility;
//   - transfers in flight → the ledger's PostgreSQL (money as decimal strings);
//   - compliance uptime and breaches → the compliance time series;
//   - wallet balances → the chain (in the simulation, the simulated market's local EVM).
// A source that is down leaves `null` where its figures go (and says so in `sources`); nothing is invented.
import { z } from 'zod';

const num = z.number();
const nnum = num.nullable();
/** A decimal string (ledger money). */
const dec = z.string().regex(/^-?\d+(\.\d+)?$/, 'expected a decimal string');
const iso = z.string().min(1);

export const SOURCE_NAMES = ['quotingMetrics', 'workerMetrics', 'market', 'coordinator', 'visibility', 'ledger', 'compliance', 'wallets'] as const;
export type SourceName = (typeof SOURCE_NAMES)[number];

/** One source's state at the last refresh. */
export const SourceStatusSchema = z.object({
  /** True when the last read succeeded. */
  ok: z.boolean(),
  /** Whether this deployment has the source at all (no simulated market in live mode, no store yet). */
  configured: z.boolean(),
  /** ISO time of the last successful read, if any. */
  lastOkAt: iso.nullable(),
  /** Why the last read failed (never a secret: messages only). */
  error: z.string().optional(),
});
export type SourceStatus = z.infer<typeof SourceStatusSchema>;

export const DepthBandSchema = z.object({
  /** The band, percent of mid ("1", "2", "5"). */
  band: z.string(),
  /** Whole book's quote notional within ±band on each side (AMM pools: the binding side in both). */
  bidQuote: nnum,
  askQuote: nnum,
  /** The venue's requirement per side for this band (only the configured depthBandPct has one). */
  requiredQuote: nnum,
  /** Our resting notional within ±band on each side (AMM: our LP share of the pool's depth). */
  ownBidQuote: nnum,
  ownAskQuote: nnum,
  /** Our share of the band's depth, 0..1 (both sides together). */
  shareRatio: nnum,
});
export type DepthBand = z.infer<typeof DepthBandSchema>;

export const BreachSchema = z.object({
  from: iso,
  /** null while the breach lasts. */
  to: iso.nullable(),
  /** The checks that failed: spread, depth, volume24h, book. */
  failed: z.array(z.string()),
});

export const VenueComplianceSchema = z.object({
  /** The live book verdict, spread and depth (ballast_compliance_ok: the quoting worker's check; no volume rule); null before the first observation. */
  ok: z.boolean().nullable(),
  /** Share of time in compliance, 0..1, from the compliance time series; null where it is unavailable. */
  uptime24h: nnum,
  uptime7d: nnum,
  /** The same 24 h window for the spread rule alone and the depth rules alone (uptime24h also counts 24 h volume). */
  spreadUptime24h: nnum,
  depthUptime24h: nnum,
  /** Breaches within the last 7 d, oldest first; null where the time series is unavailable. */
  breaches: z.array(BreachSchema).nullable(),
});

/** Market-quality figures of one venue: what both the operator and the issuer see. */
export const MarketVenueSchema = z.object({
  id: z.string(),
  kind: z.enum(['cex', 'amm']),
  market: z.string(),
  healthy: z.boolean().nullable(),
  feedAgeSeconds: nnum,
  /** The venue's mid (best bid + best ask) / 2, quote. */
  mid: nnum,
  /** (mid − fair value) / fair value. */
  gapToFairRatio: nnum,
  spread: z.object({ ratio: nnum, maxRatio: nnum }),
  depth: z.array(DepthBandSchema),
  volume24h: z.object({ quote: nnum, minQuote: nnum }),
  compliance: VenueComplianceSchema,
});
export type MarketVenue = z.infer<typeof MarketVenueSchema>;

/** What only the operator sees of a venue. */
export const OperatorVenueSchema = MarketVenueSchema.extend({
  /** The operating mode in force (ballast_quoting_mode); null when unknown. */
  mode: z.string().nullable(),
  /** Why the coordinator set it, when it did. */
  modeReason: z.string().nullable(),
  killSwitch: z.object({ tripped: z.boolean().nullable(), reasons: z.array(z.string()) }),
  activity: z.object({
    fills: nnum,
    filledBase: nnum,
    ordersPlaced: nnum,
    ordersCancelled: nnum,
    ordersRejected: nnum,
    rateLimitHits: nnum,
    errors: nnum,
  }),
  pnl: z.object({ realizedQuote: nnum, markToMarketQuote: nnum, feesQuote: nnum }),
});
export type OperatorVenue = z.infer<typeof OperatorVenueSchema>;

export const VenueGapSchema = z.object({ a: z.string(), b: z.string(), gapRatio: num });

const common = {
  /** Increases by one per refresh: the SSE event id. */
  seq: z.number().int().nonnegative(),
  at: iso,
  asset: z.object({ symbol: z.string(), quote: z.string() }),
  /** Fair value as the quoting worker knows it (ballast_fair_value_quote); null when unavailable. */
  fairValue: nnum,
  /** Pairwise mid gaps between venues: (mid_a − mid_b) / fair value (or mid_b without one). */
  gaps: z.array(VenueGapSchema),
  sources: z.record(z.string(), SourceStatusSchema),
};

export const IssuerSnapshotSchema = z.object({ ...common, view: z.literal('issuer'), venues: z.array(MarketVenueSchema) }).strict();
export type IssuerSnapshot = z.infer<typeof IssuerSnapshotSchema>;

export const WorkflowLinkSchema = z.object({
  type: z.string(),
  workflowId: z.string(),
  runId: z.string(),
  status: z.string(),
  startTime: iso,
  uiUrl: z.string(),
});
export type WorkflowLink = z.infer<typeof WorkflowLinkSchema>;

export const InFlightSchema = z.object({
  workflowId: z.string(),
  asset: z.string(),
  amount: dec,
  amountUsd: dec,
  from: z.string().nullable(),
  to: z.string().nullable(),
  since: iso,
  uiUrl: z.string(),
});

export const ImbalanceSchema = z.object({ venueId: z.string(), kind: z.string(), value: num, since: iso.nullable(), actedBy: z.string().nullable() });

export const DecisionSchema = z.object({
  id: z.string(),
  kind: z.string(),
  key: z.string(),
  status: z.string(),
  startedAt: iso,
  finishedAt: iso.nullable(),
  reservedUsd: z.string(),
  movedUsd: z.string().nullable(),
  workflowId: z.string(),
  uiUrl: z.string(),
});
export type Decision = z.infer<typeof DecisionSchema>;

export const OperatorSnapshotSchema = z
  .object({
    ...common,
    view: z.literal('operator'),
    venues: z.array(OperatorVenueSchema),
    inventory: z.object({
      /**
       * Per venue: base (the kill switch's observation) and quote balances; valueQuote = quote + base × fair
       * value (AMM: the pool position's value, ballast_pool_position_quote).
       */
      venues: z.array(z.object({ id: z.string(), base: nnum, quote: nnum, valueQuote: nnum })),
      /** The treasury's wallets (config) with their on-chain balances of the asset and the quote currency; null where not read. */
      wallets: z.array(z.object({ label: z.string(), chain: z.string(), address: z.string(), base: dec.nullable(), quote: dec.nullable() })),
      /** Reservations not yet booked or released: transfers and withdrawals on their way. */
      inFlight: z.array(InFlightSchema).nullable(),
    }),
    pnl: z.object({
      /** Spread captured on fills against fair value, minus fees (Σ ballast_realized_pnl_quote). */
      realizedQuote: nnum,
      /** realized + fees. */
      spreadCaptureQuote: nnum,
      /** markToMarket − realized: what inventory price moves made. */
      inventoryQuote: nnum,
      /** Σ ballast_fees_quote_total (counted as a cost, positive). */
      feesQuote: nnum,
      /** The pool position's impermanent loss (ballast_pool_impermanent_loss_quote). */
      impermanentLossQuote: nnum,
      /** Σ ballast_pnl_quote (the kill switch's mark-to-market). */
      markToMarketQuote: nnum,
      /** Pool LP fees earned (ballast_pool_fees_quote). */
      poolFeesQuote: nnum,
    }),
    killSwitch: z.object({
      /** A global trip (scope "all") halts every venue. */
      anyTripped: z.boolean().nullable(),
      trips: z.array(z.object({ venue: z.string(), reason: z.string(), count: num })),
    }),
    /** 1 while the quoting worker knows the coordinator's modes (else every quote is pulled). */
    modesKnown: z.boolean().nullable(),
    imbalances: z.array(ImbalanceSchema).nullable(),
    /** The coordinator's last decisions (policy actions), newest first. */
    decisions: z.array(DecisionSchema).nullable(),
    /** Running transfers, withdrawals, rebalances, buybacks, liquidations, venue-risk runs. */
    workflows: z.array(WorkflowLinkSchema).nullable(),
    counters: z.object({ transfers: z.record(z.string(), num), priceActionExecutions: z.record(z.string(), num) }),
    temporalUiUrl: z.string(),
    coordinator: z.object({ workflowId: z.string(), uiUrl: z.string() }),
  })
  .strict();
export type OperatorSnapshot = z.infer<typeof OperatorSnapshotSchema>;

/** The issuer's view: the same market-quality figures, nothing of the treasury or the operations. */
export function issuerView(s: OperatorSnapshot): IssuerSnapshot {
  return {
    seq: s.seq,
    at: s.at,
    view: 'issuer',
    asset: s.asset,
    fairValue: s.fairValue,
    gaps: s.gaps,
    sources: Object.fromEntries(Object.entries(s.sources).filter(([k]) => ISSUER_SOURCES.has(k))),
    venues: s.venues.map((v) => MarketVenueSchema.parse(v)),
  };
}
const ISSUER_SOURCES = new Set<string>(['quotingMetrics', 'market', 'compliance']);
