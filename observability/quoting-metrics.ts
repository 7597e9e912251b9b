// Feeds for the quoting worker's metrics: each reads the object that already holds the figure.
//   depth, spread     → computeBookMetrics on the venue's last book (the function compliance uses)
//   inventory, PnL    → the kill switch's VenueObservation (MarketState)
//   orders, fills, fees, realized PnL, rate limits → QuoterStats
//   kill switch       → MarketState.killSwitch (haltedBy) and the engine's trips
//   mode              → the ModeSource the quoters read
//   compliance        → the ImbalanceMonitor's last COMPLIANCE_BREACH observation
//   pool depth, fees, IL, position → the PoolLiquidityProvider's stats
//   own depth         → computeBookMetrics over our resting orders (MarketState.own) around the book's mid
//   mid, fair value   → the book's computeBookMetrics mid; the fair value the quoters last used
import { bandsFor, computeBookMetrics, DEFAULT_DEPTH_BANDS_PCT, type BookMetrics, type VenueRequirements } from '../domain/compliance';
import type { Clock } from '../domain/clock';
import type { OrderBookSnapshot } from '../domain/order-book';
import type { OwnOrder } from '../domain/quoting/market-state';
import { haltedBy } from '../domain/quoting/kill-switch';
import type { ImbalanceMonitor } from '../hotpath/imbalance-monitor';
import { OPERATING_MODES } from '../hotpath/mode-source';
import type { PoolLiquidityStats } from '../hotpath/pool-liquidity';
import type { PoolBookWatcher } from '../hotpath/pool-book-watcher';
import type { QuotingEngine } from '../hotpath/quoting-engine';
import type { BallastMetrics, Sample } from './metrics';

export interface QuotingMetricsOptions {
  clock: Clock;
  /** Per venue id, its listing requirements (the depth bands measured and the targets shown). */
  requirements?: Readonly<Record<string, VenueRequirements>>;
  monitor?: ImbalanceMonitor;
}

const num = (s: string | undefined): number => (s === undefined ? NaN : Number(s));

/**
 * Book metrics per book and receipt time: depth and spread read one computation per book update
 * (keyed by bookAt too, in case an adapter updates its book object in place).
 */
const measured = new WeakMap<OrderBookSnapshot, { key: string; metrics: BookMetrics }>();
function measure(book: OrderBookSnapshot, at: number | undefined, bands: readonly string[]): BookMetrics {
  const key = `${at ?? ''}|${bands.join(',')}`;
  const hit = measured.get(book);
  if (hit?.key === key) return hit.metrics;
  const metrics = computeBookMetrics(book, bands);
  measured.set(book, { key, metrics });
  return metrics;
}

/**
 * Our own depth per band: computeBookMetrics over our resting orders, with the book's best bid and
 * ask added at zero amount so the bands are measured around the book's mid (not our quotes' mid).
 * Cached per own-orders array (MarketState gets a new one only when our orders change) and book top.
 */
const ownMeasured = new WeakMap<readonly OwnOrder[], { key: string; metrics: BookMetrics }>();
export function measureOwn(own: readonly OwnOrder[], bestBid: string, bestAsk: string, bands: readonly string[]): BookMetrics {
  const key = `${bestBid}|${bestAsk}|${bands.join(',')}`;
  const hit = ownMeasured.get(own);
  if (hit?.key === key) return hit.metrics;
  const bids = [{ price: bestBid, amount: '0' }, ...own.filter((o) => o.side === 'buy').map((o) => ({ price: o.price, amount: o.amount }))];
  const asks = [{ price: bestAsk, amount: '0' }, ...own.filter((o) => o.side === 'sell').map((o) => ({ price: o.price, amount: o.amount }))];
  const metrics = computeBookMetrics({ bids, asks }, bands);
  ownMeasured.set(own, { key, metrics });
  return metrics;
}

export function observeQuotingEngine(m: BallastMetrics, engine: QuotingEngine, opts: QuotingMetricsOptions): void {
  const { market } = engine;
  const req = opts.requirements ?? {};
  const ids = () => engine.quoters.map((q) => q.venueId);
  const bandsOf = (id: string): readonly string[] => (req[id] ? bandsFor(req[id]) : DEFAULT_DEPTH_BANDS_PCT);
  const perVenue = (f: (id: string) => Sample[]): (() => Sample[]) => () => ids().flatMap(f);
  const stat = (key: 'placed' | 'canceled' | 'rejected' | 'rateLimited' | 'errors' | 'fills') =>
    () => engine.quoters.map((q): Sample => [{ venue: q.venueId }, q.stats[key]]);

  m.feed('ballast_depth_quote', perVenue((id) => {
    const v = market.venue(id);
    const metrics = v?.book ? measure(v.book, v.bookAt, bandsOf(id)) : undefined;
    if (!metrics?.ok) return [];
    return metrics.depth.flatMap((b): Sample[] => [
      [{ venue: id, side: 'bid', band: b.pct }, num(b.bidQuote)],
      [{ venue: id, side: 'ask', band: b.pct }, num(b.askQuote)],
    ]);
  }));
  m.feed('ballast_spread_ratio', perVenue((id) => {
    const v = market.venue(id);
    const metrics = v?.book ? measure(v.book, v.bookAt, bandsOf(id)) : undefined;
    return metrics?.ok ? [[{ venue: id }, num(metrics.spreadPct) / 100]] : [];
  }));
  m.feed('ballast_own_depth_quote', perVenue((id) => {
    const v = market.venue(id);
    const book = v?.book ? measure(v.book, v.bookAt, bandsOf(id)) : undefined;
    if (!v || !book?.ok) return [];
    const own = measureOwn(v.own, book.bestBid, book.bestAsk, bandsOf(id));
    if (!own.ok) return [];
    return own.depth.flatMap((b): Sample[] => [
      [{ venue: id, side: 'bid', band: b.pct }, num(b.bidQuote)],
      [{ venue: id, side: 'ask', band: b.pct }, num(b.askQuote)],
    ]);
  }));
  m.feed('ballast_mid_quote', perVenue((id) => {
    const v = market.venue(id);
    const metrics = v?.book ? measure(v.book, v.bookAt, bandsOf(id)) : undefined;
    return metrics?.ok ? [[{ venue: id }, num(metrics.mid)]] : [];
  }));
  m.feed('ballast_fair_value_quote', () => {
    const fv = engine.quoters.map((q) => q.lastFairValue).find((x) => x !== undefined);
    return fv === undefined ? [] : [[{}, fv]];
  });
  m.feed('ballast_inventory_quote', () => engine.quoters.map((q): Sample => [{ venue: q.venueId }, num(q.quoteBalance)]));
  m.feed('ballast_depth_required_quote', perVenue((id) => (req[id] ? [[{ venue: id, band: req[id].depthBandPct }, num(req[id].minDepthQuote)]] : [])));
  m.feed('ballast_spread_max_ratio', perVenue((id) => (req[id] ? [[{ venue: id }, num(req[id].maxSpreadPct) / 100]] : [])));

  m.feed('ballast_inventory_base', perVenue((id) => {
    const o = market.venue(id)?.observation;
    return o ? [[{ venue: id }, num(o.inventoryBase)]] : [];
  }));
  m.feed('ballast_pnl_quote', perVenue((id) => {
    const o = market.venue(id)?.observation;
    return o ? [[{ venue: id }, num(o.pnlQuote)]] : [];
  }));
  m.feed('ballast_realized_pnl_quote', () => engine.quoters.map((q): Sample => [{ venue: q.venueId }, num(q.stats.realizedPnlQuote)]));
  m.feed('ballast_fills_total', stat('fills'));
  m.feed('ballast_filled_base_total', () => engine.quoters.map((q): Sample => [{ venue: q.venueId }, num(q.stats.filledBase)]));
  m.feed('ballast_fees_quote_total', () => engine.quoters.map((q): Sample => [{ venue: q.venueId }, num(q.stats.feesQuote)]));
  m.feed('ballast_orders_placed_total', stat('placed'));
  m.feed('ballast_orders_cancelled_total', stat('canceled'));
  m.feed('ballast_orders_rejected_total', stat('rejected'));
  m.feed('ballast_rate_limit_hits_total', stat('rateLimited'));
  m.feed('ballast_quoting_errors_total', stat('errors'));

  m.feed('ballast_kill_switch_tripped', perVenue((id) => [[{ venue: id }, haltedBy(market.killSwitch, id) ? 1 : 0]]));
  m.feed('ballast_kill_switch_trips_total', () => {
    const counts = new Map<string, Sample>();
    for (const t of engine.trips) {
      const venue = t.scope === 'all' ? 'all' : (t.venueId ?? 'unknown');
      const key = `${venue}\u0000${t.reason}`;
      const prev = counts.get(key)?.[1] ?? 0;
      counts.set(key, [{ venue, reason: t.reason }, prev + 1]);
    }
    return counts.values();
  });
  m.feed('ballast_quoting_mode', perVenue((id) => {
    const current = engine.modes.current(id);
    return OPERATING_MODES.map((mode): Sample => [{ venue: id, mode }, mode === current ? 1 : 0]);
  }));
  m.feed('ballast_quoting_modes_known', () => [[{}, engine.modes.blocked?.(opts.clock.now()) === undefined ? 1 : 0]]);
  m.feed('ballast_feed_age_seconds', perVenue((id) => {
    const at = market.venue(id)?.bookAt;
    return at === undefined ? [] : [[{ venue: id }, Math.max(0, opts.clock.now() - at) / 1000]];
  }));
  m.feed('ballast_venue_healthy', perVenue((id) => {
    const v = market.venue(id);
    return v ? [[{ venue: id }, v.healthy ? 1 : 0]] : [];
  }));
  const monitor = opts.monitor;
  if (monitor) {
    m.feed('ballast_compliance_ok', () =>
      monitor.lastObservations.filter((o) => o.kind === 'COMPLIANCE_BREACH').map((o): Sample => [{ venue: o.venueId }, o.value === 0 ? 1 : 0]),
    );
  }
}

/**
 * The AMM pool's depth as the liquidity provider last measured it (binding side, ±band), its
 * position's value, fees and IL; with the pool's book watcher, the pool's market-quality figures in
 * the exchanges' families (depth per band and side, spread, mid, feed age, health): computeBookMetrics
 * of its implied book, the compliance check's measure. Our depth there is our LP share of it (V2 depth
 * is linear in the reserves), as the provider counts it.
 */
export function observePoolLiquidity(
  m: BallastMetrics,
  pool: { stats(): PoolLiquidityStats },
  req: Pick<VenueRequirements, 'depthBandPct' | 'minDepthQuote'> & Partial<Pick<VenueRequirements, 'maxSpreadPct'>>,
  watch?: { book: PoolBookWatcher; clock: Clock },
): void {
  if (watch) observePoolBook(m, pool, req, watch.book, watch.clock);
  m.feed('ballast_pool_depth_quote', () => {
    const s = pool.stats();
    return s.checks > 0 ? [[{ venue: s.poolId, band: req.depthBandPct }, s.poolDepthQuote]] : [];
  });
  m.feed('ballast_pool_own_depth_quote', () => {
    const s = pool.stats();
    return s.checks > 0 ? [[{ venue: s.poolId, band: req.depthBandPct }, s.ballastDepthQuote]] : [];
  });
  const position = (f: (s: PoolLiquidityStats) => number) => (): Sample[] => {
    const s = pool.stats();
    return s.checks > 0 ? [[{ venue: s.poolId }, f(s)]] : [];
  };
  m.feed('ballast_pool_fees_quote', position((s) => s.feesQuote));
  m.feed('ballast_pool_impermanent_loss_quote', position((s) => s.impermanentLossQuote));
  m.feed('ballast_pool_position_quote', position((s) => s.capitalQuote));
  m.feed('ballast_depth_required_quote', () => [[{ venue: pool.stats().poolId, band: req.depthBandPct }, Number(req.minDepthQuote)]]);
}

function observePoolBook(m: BallastMetrics, pool: { stats(): PoolLiquidityStats }, req: Pick<VenueRequirements, 'depthBandPct'> & Partial<Pick<VenueRequirements, 'maxSpreadPct'>>, w: PoolBookWatcher, clock: Clock): void {
  const id = w.venueId;
  const bands = bandsFor(req);
  const metrics = (): BookMetrics | undefined => (w.book ? measure(w.book, w.bookAt, bands) : undefined);
  m.feed('ballast_depth_quote', () => {
    const b = metrics();
    if (!b?.ok) return [];
    return b.depth.flatMap((d): Sample[] => [
      [{ venue: id, side: 'bid', band: d.pct }, num(d.bidQuote)],
      [{ venue: id, side: 'ask', band: d.pct }, num(d.askQuote)],
    ]);
  });
  m.feed('ballast_own_depth_quote', () => {
    const b = metrics();
    const s = pool.stats();
    if (!b?.ok || s.checks === 0) return [];
    const share = s.lpSharePct / 100;
    return b.depth.flatMap((d): Sample[] => [
      [{ venue: id, side: 'bid', band: d.pct }, num(d.bidQuote) * share],
      [{ venue: id, side: 'ask', band: d.pct }, num(d.askQuote) * share],
    ]);
  });
  m.feed('ballast_spread_ratio', () => {
    const b = metrics();
    return b?.ok ? [[{ venue: id }, num(b.spreadPct) / 100]] : [];
  });
  if (req.maxSpreadPct !== undefined) m.feed('ballast_spread_max_ratio', () => [[{ venue: id }, num(req.maxSpreadPct) / 100]]);
  m.feed('ballast_mid_quote', () => {
    const b = metrics();
    return b?.ok ? [[{ venue: id }, num(b.mid)]] : [];
  });
  m.feed('ballast_feed_age_seconds', () => (w.bookAt === undefined ? [] : [[{ venue: id }, Math.max(0, clock.now() - w.bookAt) / 1000]]));
  m.feed('ballast_venue_healthy', () => [[{ venue: id }, w.healthy ? 1 : 0]]);
}
