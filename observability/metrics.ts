// Ballast's business metrics, defined once (name, help, labels) for every process. Two kinds:
//   - snapshot families are filled at scrape time by feeds that read the objects already holding the
//     figures (QuoterStats, MarketState, the imbalance monitor's last observations, the pool provider's
//     stats): nothing here keeps a second count or computes a figure another way;
//   - event counters are incremented where the event is recorded once (the ledger's created entries).
// Prometheus naming: base units (seconds, ratios; money as `_quote` / `_base` amounts), `_total` on counters.
import { Counter, Gauge, Registry, type Metric } from 'prom-client';

type Kind = 'gauge' | 'counter';
interface FamilySpec {
  kind: Kind;
  help: string;
  labels: readonly string[];
}

/** Metrics filled at scrape time from the objects that hold them. */
export const SNAPSHOT_FAMILIES = {
  ballast_depth_quote: { kind: 'gauge', help: 'Quote notional resting within ±band % of mid, per side (the whole book, ours included; computeBookMetrics)', labels: ['venue', 'side', 'band'] },
  ballast_depth_required_quote: { kind: 'gauge', help: "The venue's depth requirement per side within ±band % (config requirements.minDepthQuote)", labels: ['venue', 'band'] },
  ballast_spread_ratio: { kind: 'gauge', help: '(best ask − best bid) / mid of the venue book (computeBookMetrics spreadPct / 100)', labels: ['venue'] },
  ballast_spread_max_ratio: { kind: 'gauge', help: "The venue's maximum spread requirement as a ratio (config requirements.maxSpreadPct / 100)", labels: ['venue'] },
  ballast_inventory_base: { kind: 'gauge', help: "Ballast's base inventory on the venue (the kill switch's observation)", labels: ['venue'] },
  ballast_pnl_quote: { kind: 'gauge', help: 'Mark-to-market PnL since the quoter started, quote (the kill switch observation)', labels: ['venue'] },
  ballast_realized_pnl_quote: { kind: 'gauge', help: 'Spread captured on this run\'s fills against the fair value when each fill was read, minus fees, quote (QuoterStats)', labels: ['venue'] },
  ballast_fills_total: { kind: 'counter', help: 'Fills of our orders this run (de-duplicated by trade id)', labels: ['venue'] },
  ballast_filled_base_total: { kind: 'counter', help: 'Base amount of our fills this run', labels: ['venue'] },
  ballast_fees_quote_total: { kind: 'counter', help: 'Trading fees of our fills this run, quote (fees in base valued at the fill price)', labels: ['venue'] },
  ballast_orders_placed_total: { kind: 'counter', help: 'Orders placed by the quoter (accepted by the venue)', labels: ['venue'] },
  ballast_orders_cancelled_total: { kind: 'counter', help: 'Orders cancelled by the quoter', labels: ['venue'] },
  ballast_orders_rejected_total: { kind: 'counter', help: 'Placements the venue rejected (post-only would cross, insufficient funds, invalid order)', labels: ['venue'] },
  ballast_rate_limit_hits_total: { kind: 'counter', help: 'Quoting cycles that met VENUE.RATE_LIMITED', labels: ['venue'] },
  ballast_quoting_errors_total: { kind: 'counter', help: 'Quoting cycle steps that failed (other than rate limits)', labels: ['venue'] },
  ballast_kill_switch_tripped: { kind: 'gauge', help: '1 while a latched kill-switch trip (the venue\'s or a global one) halts the venue', labels: ['venue'] },
  ballast_kill_switch_trips_total: { kind: 'counter', help: 'Kill-switch trips this run, by scope venue (or "all") and reason', labels: ['venue', 'reason'] },
  ballast_quoting_mode: { kind: 'gauge', help: 'The operating mode in force for the venue: 1 for the current mode, 0 for the others', labels: ['venue', 'mode'] },
  ballast_quoting_modes_known: { kind: 'gauge', help: '1 while the quoting worker knows the coordinator\'s modes (0: every quote is pulled)', labels: [] },
  ballast_compliance_ok: { kind: 'gauge', help: 'Live book meets the listing requirement (the imbalance monitor\'s last COMPLIANCE_BREACH observation)', labels: ['venue'] },
  ballast_feed_age_seconds: { kind: 'gauge', help: 'Age of the venue\'s last order book, seconds', labels: ['venue'] },
  ballast_venue_healthy: { kind: 'gauge', help: '1 while the venue\'s streams and calls work', labels: ['venue'] },
  ballast_own_depth_quote: { kind: 'gauge', help: "Ballast's own resting quote notional within ±band % of the book's mid, per side (computeBookMetrics over our open orders)", labels: ['venue', 'side', 'band'] },
  ballast_mid_quote: { kind: 'gauge', help: "The venue book's mid, quote (computeBookMetrics)", labels: ['venue'] },
  ballast_fair_value_quote: { kind: 'gauge', help: 'The cross-venue fair value the quoters last used, quote (MarketState.fairValue)', labels: [] },
  ballast_inventory_quote: { kind: 'gauge', help: "Ballast's quote balance on the venue at the quoter's last balance read", labels: ['venue'] },
  ballast_pool_depth_quote: { kind: 'gauge', help: "The AMM pool's depth within ±band %, binding side, quote (pool liquidity provider)", labels: ['venue', 'band'] },
  ballast_pool_own_depth_quote: { kind: 'gauge', help: "Ballast's LP share of the pool's depth within ±band %, quote", labels: ['venue', 'band'] },
  ballast_pool_fees_quote: { kind: 'gauge', help: "LP fees earned by Ballast's pool position, quote (pool liquidity provider)", labels: ['venue'] },
  ballast_pool_impermanent_loss_quote: { kind: 'gauge', help: "Impermanent loss of Ballast's pool position against holding the deposits, quote (pool liquidity provider)", labels: ['venue'] },
  ballast_pool_position_quote: { kind: 'gauge', help: "Value of Ballast's pool position (principal + fees) at the pool price, quote", labels: ['venue'] },
} as const satisfies Record<string, FamilySpec>;

/** Metrics incremented where the event is recorded. */
export const EVENT_FAMILIES = {
  ballast_transfers_total: { kind: 'counter', help: 'Fund transfers booked in the ledger, by outcome (completed, reversed, suspense)', labels: ['outcome'] },
  ballast_price_action_executions_total: { kind: 'counter', help: 'Price-action executions (buybacks, liquidations) completed and booked, by kind', labels: ['kind'] },
  ballast_price_action_filled_base_total: { kind: 'counter', help: 'Base amount filled by completed price-action executions, by kind', labels: ['kind'] },
} as const satisfies Record<string, FamilySpec>;

export type SnapshotName = keyof typeof SNAPSHOT_FAMILIES;
export type EventName = keyof typeof EVENT_FAMILIES;
export type Sample = readonly [labels: Record<string, string>, value: number];
/** Returns the family's samples now; called once per scrape. */
export type Feed = () => Iterable<Sample>;

/** Every Ballast metric name a process may export (the dashboard test checks panels against these). */
export const BALLAST_METRIC_NAMES: readonly string[] = [...Object.keys(SNAPSHOT_FAMILIES), ...Object.keys(EVENT_FAMILIES)];

function family(registry: Registry, name: string, spec: FamilySpec, collect?: (m: Gauge | Counter) => void): Gauge | Counter {
  const common = { name, help: spec.help, labelNames: [...spec.labels], registers: [registry] };
  if (spec.kind === 'gauge') {
    return new Gauge({ ...common, ...(collect ? { collect(this: Gauge) { collect(this); } } : {}) });
  }
  return new Counter({ ...common, ...(collect ? { collect(this: Counter) { collect(this); } } : {}) });
}

/** One process's Ballast metrics on one prom-client registry. */
export class BallastMetrics {
  private readonly feeds = new Map<SnapshotName, Feed[]>();
  private readonly events: Record<EventName, Counter>;

  constructor(readonly registry: Registry = new Registry()) {
    for (const [name, spec] of Object.entries(SNAPSHOT_FAMILIES) as [SnapshotName, FamilySpec][]) {
      family(registry, name, spec, (m) => this.collect(name, spec.kind, m));
    }
    const ev = {} as Record<EventName, Counter>;
    for (const [name, spec] of Object.entries(EVENT_FAMILIES) as [EventName, FamilySpec][]) ev[name] = family(registry, name, spec);
    this.events = ev;
  }

  /** Adds a source of samples for a snapshot family (several sources may feed one family). */
  feed(name: SnapshotName, f: Feed): void {
    const list = this.feeds.get(name) ?? [];
    list.push(f);
    this.feeds.set(name, list);
  }

  /** Counts an event (a positive amount) on an event family. */
  count(name: EventName, labels: Record<string, string>, by = 1): void {
    if (by > 0) this.events[name].inc(labels, by);
  }

  /** The Prometheus exposition text (what /metrics serves). */
  async text(): Promise<string> {
    return this.registry.metrics();
  }

  private collect(name: SnapshotName, kind: Kind, m: Metric): void {
    // The figures are read afresh on every scrape: label sets that disappeared (a venue gone) go too.
    m.reset();
    for (const f of this.feeds.get(name) ?? []) {
      for (const [labels, value] of f()) {
        if (!Number.isFinite(value)) continue;
        if (kind === 'gauge') (m as Gauge).set(labels, value);
        else if (value >= 0) (m as Counter).inc(labels, value);
      }
    }
  }
}
