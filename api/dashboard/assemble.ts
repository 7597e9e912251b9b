// Builds one snapshot from what the sources returned (pure: the collector does the I/O). Every figure
// is read from its source as it is (gauges and counters of the processes' /metrics, the coordinator's
// state, visibility, the ledger); only presentation arithmetic happens here (ratios of two read
// figures, sums across venues, differences between venue mids).
import { D } from '../../domain/money';
import { bandsFor } from '../../domain/compliance';
import type { BallastConfig } from '../../domain/config.schema';
import { coordinatorWorkflowId, type CoordinatorState } from '../../workflows/liquidity-coordinator.workflow';
import type { DepthBand, OperatorSnapshot, OperatorVenue, SourceName, SourceStatus, WorkflowLink } from './model';
import { select, valueOf, type PromSamples } from './prom-text';

/** A reservation under way, as the ledger holds it. */
export interface InFlightEntry {
  workflowId: string;
  asset: string;
  amount: string;
  amountUsd: string;
  from?: string;
  to?: string;
  at: number;
}

export interface VenueComplianceHistory {
  uptime24h: number | null;
  uptime7d: number | null;
  /** The spread rule alone, and the depth rules alone, over 24 h (0..1). */
  spreadUptime24h?: number | null;
  depthUptime24h?: number | null;
  breaches: { from: string; to: string | null; failed: string[] }[];
}

/** What the sources returned this round; `undefined` = unavailable (or not configured). */
export interface DashboardInputs {
  now: number;
  quoting?: PromSamples;
  worker?: PromSamples;
  /** Per venue, 24 h quote volume (the simulated market). */
  volume24h?: Record<string, number | null>;
  /** The coordinator's state; null when there is no coordinator yet. */
  coordinator?: CoordinatorState | null;
  workflows?: WorkflowLink[];
  inFlight?: InFlightEntry[];
  compliance?: Record<string, VenueComplianceHistory>;
  /** Per wallet address (lower case), its balances (decimal strings). */
  wallets?: Record<string, { base: string | null; quote: string | null }>;
  sources: Record<SourceName, SourceStatus>;
}

export interface AssembleContext {
  config: BallastConfig;
  /** Temporal Web UI base, e.g. http://127.0.0.1:8233. */
  temporalUiUrl: string;
  /** How many coordinator decisions to show. */
  decisions?: number;
}

const iso = (ms: number) => new Date(ms).toISOString();

/** Link to a workflow in the Temporal Web UI (the latest run when runId is not known). */
export function workflowUiUrl(ui: string, namespace: string, workflowId: string, runId?: string): string {
  const base = `${ui}/namespaces/${encodeURIComponent(namespace)}/workflows/${encodeURIComponent(workflowId)}`;
  return runId ? `${base}/${encodeURIComponent(runId)}/history` : base;
}

const sameBand = (a: string | undefined, b: string) => a !== undefined && new D(a).eq(b);
const sum = (xs: readonly (number | null)[]): number | null => (xs.some((x) => x !== null) ? xs.reduce<number>((a, x) => a + (x ?? 0), 0) : null);
const ratio = (a: number | null, b: number | null): number | null => (a === null || b === null || b === 0 ? null : a / b);

function depthBands(q: PromSamples | undefined, venue: string, bands: readonly string[]): DepthBand[] {
  const side = (name: string, s: 'bid' | 'ask', band: string) => {
    const hit = select(q, name, { venue, side: s }).find((x) => sameBand(x.labels.band, band));
    return hit && Number.isFinite(hit.value) ? hit.value : null;
  };
  return bands.map((band) => {
    const bidQuote = side('ballast_depth_quote', 'bid', band);
    const askQuote = side('ballast_depth_quote', 'ask', band);
    const ownBidQuote = side('ballast_own_depth_quote', 'bid', band);
    const ownAskQuote = side('ballast_own_depth_quote', 'ask', band);
    const required = select(q, 'ballast_depth_required_quote', { venue }).find((x) => sameBand(x.labels.band, band));
    const own = ownBidQuote === null && ownAskQuote === null ? null : (ownBidQuote ?? 0) + (ownAskQuote ?? 0);
    const all = bidQuote === null && askQuote === null ? null : (bidQuote ?? 0) + (askQuote ?? 0);
    return { band, bidQuote, askQuote, requiredQuote: required ? required.value : null, ownBidQuote, ownAskQuote, shareRatio: ratio(own, all) };
  });
}

function venueView(v: BallastConfig['venues'][number], inp: DashboardInputs, fairValue: number | null): OperatorVenue {
  const q = inp.quoting;
  const id = v.id;
  const g = (name: string) => valueOf(q, name, { venue: id });
  const flag = (name: string) => {
    const x = g(name);
    return x === null ? null : x === 1;
  };
  const mid = g('ballast_mid_quote');
  const modes = select(q, 'ballast_quoting_mode', { venue: id });
  const current = modes.find((m) => m.value === 1)?.labels.mode ?? null;
  const coordinatorMode = inp.coordinator?.modes[id];
  const trips = [...select(q, 'ballast_kill_switch_trips_total', { venue: id }), ...select(q, 'ballast_kill_switch_trips_total', { venue: 'all' })];
  const history = inp.compliance?.[id];
  return {
    id,
    kind: v.kind === 'amm' ? 'amm' : 'cex',
    market: v.market,
    healthy: flag('ballast_venue_healthy'),
    feedAgeSeconds: g('ballast_feed_age_seconds'),
    mid,
    gapToFairRatio: mid !== null && fairValue !== null && fairValue > 0 ? (mid - fairValue) / fairValue : null,
    spread: { ratio: g('ballast_spread_ratio'), maxRatio: g('ballast_spread_max_ratio') ?? new D(v.requirements.maxSpreadPct).div(100).toNumber() },
    depth: depthBands(q, id, bandsFor(v.requirements)),
    volume24h: { quote: inp.volume24h?.[id] ?? null, minQuote: Number(v.requirements.minVolume24hQuote) },
    compliance: {
      ok: flag('ballast_compliance_ok'),
      uptime24h: history?.uptime24h ?? null,
      uptime7d: history?.uptime7d ?? null,
      spreadUptime24h: history?.spreadUptime24h ?? null,
      depthUptime24h: history?.depthUptime24h ?? null,
      breaches: history?.breaches ?? null,
    },
    mode: current ?? coordinatorMode?.mode ?? null,
    modeReason: coordinatorMode?.reason ?? null,
    killSwitch: { tripped: flag('ballast_kill_switch_tripped'), reasons: [...new Set(trips.filter((t) => t.value > 0).map((t) => t.labels.reason ?? 'unknown'))] },
    activity: {
      fills: g('ballast_fills_total'),
      filledBase: g('ballast_filled_base_total'),
      ordersPlaced: g('ballast_orders_placed_total'),
      ordersCancelled: g('ballast_orders_cancelled_total'),
      ordersRejected: g('ballast_orders_rejected_total'),
      rateLimitHits: g('ballast_rate_limit_hits_total'),
      errors: g('ballast_quoting_errors_total'),
    },
    pnl: { realizedQuote: g('ballast_realized_pnl_quote'), markToMarketQuote: g('ballast_pnl_quote'), feesQuote: g('ballast_fees_quote_total') },
  };
}

/** Pairwise mid gaps, relative to the fair value (or to the second venue's mid without one). */
function gaps(venues: readonly OperatorVenue[], fairValue: number | null): OperatorSnapshot['gaps'] {
  const priced = venues.filter((v): v is OperatorVenue & { mid: number } => v.mid !== null);
  const out: OperatorSnapshot['gaps'] = [];
  for (let i = 0; i < priced.length; i++) {
    for (let j = i + 1; j < priced.length; j++) {
      const a = priced[i]!;
      const b = priced[j]!;
      const ref = fairValue ?? b.mid;
      if (ref > 0) out.push({ a: a.id, b: b.id, gapRatio: (a.mid - b.mid) / ref });
    }
  }
  return out;
}

function decisions(state: CoordinatorState | null | undefined, ctx: AssembleContext): OperatorSnapshot['decisions'] {
  if (state === undefined) return null;
  const { namespace } = ctx.config.temporal;
  const asset = ctx.config.asset.symbol;
  const actions = state?.policy?.actions ?? [];
  return [...actions]
    .sort((a, b) => b.startedAt - a.startedAt)
    .slice(0, ctx.decisions ?? 20)
    .map((a) => {
      // The child's id as the coordinator starts it (liquidity-coordinator.workflow.ts startDecision).
      const workflowId = `${coordinatorWorkflowId(asset)}:${a.id}`;
      return {
        id: a.id,
        kind: a.kind,
        key: a.key,
        status: a.status,
        startedAt: iso(a.startedAt),
        finishedAt: a.finishedAt === undefined ? null : iso(a.finishedAt),
        reservedUsd: a.reservedUsd,
        movedUsd: a.movedUsd ?? null,
        workflowId,
        uiUrl: workflowUiUrl(ctx.temporalUiUrl, namespace, workflowId),
      };
    });
}

function imbalances(state: CoordinatorState | null | undefined): OperatorSnapshot['imbalances'] {
  if (state === undefined) return null;
  if (state === null) return [];
  const raised = state.policy?.raised;
  if (raised) {
    return Object.values(raised).map((r) => ({ venueId: r.venueId, kind: r.kind, value: r.value, since: iso(r.sinceMs), actedBy: r.actedBy ?? null }));
  }
  return Object.entries(state.active).flatMap(([venueId, kinds]) =>
    Object.values(kinds).flatMap((e) => (e ? [{ venueId, kind: e.kind, value: e.value, since: iso(e.at), actedBy: null }] : [])),
  );
}

function counterBy(samples: PromSamples | undefined, name: string, label: string): Record<string, number> {
  const out: Record<string, number> = {};
  for (const s of select(samples, name)) {
    const k = s.labels[label] ?? 'unknown';
    out[k] = (out[k] ?? 0) + s.value;
  }
  return out;
}

/** The treasury's wallets from the config (the safe wallet first unless whitelisted) with their balances where read. */
function wallets(config: BallastConfig, balances: DashboardInputs['wallets']): OperatorSnapshot['inventory']['wallets'] {
  const of = (address: string) => balances?.[address.toLowerCase()] ?? { base: null, quote: null };
  const listed = config.treasury.whitelist.map((w) => ({ label: w.label, chain: w.chain, address: w.address, ...of(w.address) }));
  const safe = config.treasury.safeWallet;
  return listed.some((w) => w.address.toLowerCase() === safe.toLowerCase()) ? listed : [{ label: 'safe-wallet', chain: 'evm', address: safe, ...of(safe) }, ...listed];
}

export function assembleSnapshot(seq: number, inp: DashboardInputs, ctx: AssembleContext): OperatorSnapshot {
  const { config } = ctx;
  const q = inp.quoting;
  const fairValue = valueOf(q, 'ballast_fair_value_quote');
  const venues = config.venues.map((v) => venueView(v, inp, fairValue));
  const per = (name: string) => venues.map((v) => valueOf(q, name, { venue: v.id }));
  const realized = sum(per('ballast_realized_pnl_quote'));
  const fees = sum(per('ballast_fees_quote_total'));
  const mtm = sum(per('ballast_pnl_quote'));
  const allTrips = select(q, 'ballast_kill_switch_trips_total');
  const tripped = select(q, 'ballast_kill_switch_tripped');
  const modesKnown = valueOf(q, 'ballast_quoting_modes_known');
  const coordinatorId = coordinatorWorkflowId(config.asset.symbol);
  const ns = config.temporal.namespace;
  return {
    seq,
    at: iso(inp.now),
    view: 'operator',
    asset: { symbol: config.asset.symbol, quote: config.asset.quote },
    fairValue,
    gaps: gaps(venues, fairValue),
    sources: inp.sources,
    venues,
    inventory: {
      venues: venues.map((v) => {
        const base = valueOf(q, 'ballast_inventory_base', { venue: v.id });
        const quote = valueOf(q, 'ballast_inventory_quote', { venue: v.id });
        const pool = valueOf(q, 'ballast_pool_position_quote', { venue: v.id });
        const value = pool ?? (base !== null && quote !== null && fairValue !== null ? quote + base * fairValue : null);
        return { id: v.id, base, quote, valueQuote: value };
      }),
      wallets: wallets(config, inp.wallets),
      inFlight:
        inp.inFlight?.map((e) => ({
          workflowId: e.workflowId,
          asset: e.asset,
          amount: e.amount,
          amountUsd: e.amountUsd,
          from: e.from ?? null,
          to: e.to ?? null,
          since: iso(e.at),
          uiUrl: workflowUiUrl(ctx.temporalUiUrl, ns, e.workflowId),
        })) ?? null,
    },
    pnl: {
      realizedQuote: realized,
      spreadCaptureQuote: realized !== null && fees !== null ? realized + fees : null,
      inventoryQuote: mtm !== null && realized !== null ? mtm - realized : null,
      feesQuote: fees,
      impermanentLossQuote: sum(per('ballast_pool_impermanent_loss_quote')),
      markToMarketQuote: mtm,
      poolFeesQuote: sum(per('ballast_pool_fees_quote')),
    },
    killSwitch: {
      anyTripped: tripped.length === 0 ? null : tripped.some((t) => t.value === 1),
      trips: allTrips.filter((t) => t.value > 0).map((t) => ({ venue: t.labels.venue ?? 'unknown', reason: t.labels.reason ?? 'unknown', count: t.value })),
    },
    modesKnown: modesKnown === null ? null : modesKnown === 1,
    imbalances: imbalances(inp.coordinator),
    decisions: decisions(inp.coordinator, ctx),
    workflows: inp.workflows ?? null,
    counters: {
      transfers: counterBy(inp.worker, 'ballast_transfers_total', 'outcome'),
      priceActionExecutions: counterBy(inp.worker, 'ballast_price_action_executions_total', 'kind'),
    },
    temporalUiUrl: ctx.temporalUiUrl,
    coordinator: { workflowId: coordinatorId, uiUrl: workflowUiUrl(ctx.temporalUiUrl, ns, coordinatorId) },
  };
}
