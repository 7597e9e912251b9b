// What the quoting worker watches for and reports to the liquidityCoordinator: per venue, inventory
// drift from its target, sustained one-sided selling in the tape, a listing-requirement breach on
// the live book, and an unhealthy venue. Observations go through the debounced detector (hysteresis,
// minimum duration, cooldown), so a sustained condition yields one signal, not a storm.
import { computeBookMetrics, evaluateCompliance, type VenueRequirements } from '../domain/compliance';
import { D } from '../domain/money';
import { ImbalanceDetector, type ImbalanceConfig, type ImbalanceEvent, type ImbalanceObservation } from '../domain/quoting/imbalance';
import { tradeImbalance } from '../domain/signals/order-flow';
import type { MarketState } from '../domain/quoting/market-state';
import { DEFAULT_PRICE_ANCHOR, PriceAnchor, sellOffDislocationPct, type PriceAnchorOptions } from '../domain/signals/price-anchor';
import { clearVerdict, withinBand } from './book-band';

export interface MonitoredVenue {
  venueId: string;
  /** Base inventory the venue should hold (decimal). */
  targetInventory: string;
  requirements?: VenueRequirements;
}

export interface ImbalanceMonitorOptions {
  venues: readonly MonitoredVenue[];
  /** Taker-flow window for one-sided selling. */
  flowWindowMs?: number;
  config?: ImbalanceConfig;
  /**
   * SELL_OFF: the reference the venue's mid is measured against (the cross-venue fair value's trailing
   * median) and the sell share of flow from which selling counts as one-sided.
   */
  sellOff?: { anchor?: PriceAnchorOptions; minSellShare?: number };
}

/** Books older than this are left out of the fair value the anchor samples. */
const ANCHOR_FAIR_MAX_AGE_MS = 30_000;

export class ImbalanceMonitor {
  private readonly detector: ImbalanceDetector;
  private readonly flowWindowMs: number;
  private readonly anchor: PriceAnchor;
  private readonly minSellShare: number;
  /** The observations of the last tick (what the metrics report: the compliance verdict is not computed twice). */
  lastObservations: readonly ImbalanceObservation[] = [];

  constructor(
    private readonly market: MarketState,
    private readonly signal: (e: ImbalanceEvent) => Promise<unknown>,
    private readonly opts: ImbalanceMonitorOptions,
  ) {
    this.detector = new ImbalanceDetector(opts.config);
    this.flowWindowMs = opts.flowWindowMs ?? 5 * 60_000;
    this.anchor = new PriceAnchor(opts.sellOff?.anchor ?? DEFAULT_PRICE_ANCHOR);
    this.minSellShare = opts.sellOff?.minSellShare ?? 0.55;
  }

  /** The observations for `now` (pure reads of the shared market state). */
  observe(now: number): ImbalanceObservation[] {
    const out: ImbalanceObservation[] = [];
    const fair = this.market.fairValue(now, { maxAgeMs: ANCHOR_FAIR_MAX_AGE_MS });
    if (fair.ok) this.anchor.sample(now, fair.fairValue);
    const anchor = this.anchor.anchor(now);
    for (const v of this.opts.venues) {
      const m = this.market.venue(v.venueId);
      if (!m) continue;
      const obs = m.observation;
      const target = new D(v.targetInventory);
      if (obs && target.gt(0)) {
        out.push({ now, venueId: v.venueId, kind: 'INVENTORY_DRIFT', value: new D(obs.inventoryBase).minus(target).abs().div(target).times(100).toNumber() });
      }
      // Share of taker volume that sold (0.5 = balanced); only meaningful once something traded.
      const flow = tradeImbalance(m.trades, { now, windowMs: this.flowWindowMs });
      if (flow.total > 0) {
        out.push({ now, venueId: v.venueId, kind: 'ONE_SIDED_SELLING', value: flow.sellVolume / flow.total });
        out.push({ now, venueId: v.venueId, kind: 'ONE_SIDED_BUYING', value: 1 - flow.sellVolume / flow.total });
      }
      // A sell-off: the venue's (independent) mid below the anchor while selling dominates the flow.
      const touch = this.market.externalTouch(v.venueId);
      const mid = touch.bid !== undefined && touch.ask !== undefined ? (Number(touch.bid) + Number(touch.ask)) / 2 : undefined;
      const sellShare = flow.total > 0 ? flow.sellVolume / flow.total : 0;
      out.push({ now, venueId: v.venueId, kind: 'SELL_OFF', value: sellOffDislocationPct({ price: mid, anchor, sellShare, minSellShare: this.minSellShare }) });
      if (v.requirements && m.book) {
        // A verdict clear in floats is taken as is; at the edge, the exact measure decides, on the
        // requirement's own band only (the book cut to it: the same verdict, far fewer decimals).
        const { requirements: req } = v;
        const book = m.book;
        const band = req.depthBandPct;
        const exact = () => evaluateCompliance(computeBookMetrics(withinBand(book, Number(band) / 100), [band]), '0', { ...req, minVolume24hQuote: '0' });
        const compliant = clearVerdict(book, req) ?? exact().compliant;
        // A breach names the rules that failed (the coordinator deepens on depth, tightens on spread):
        // measured exactly, only on a non-compliant tick.
        const rules = compliant ? [] : exact().checks.flatMap((c) => (!c.ok && (c.name === 'spread' || c.name === 'depth' || c.name === 'book') ? [c.name] : []));
        out.push({ now, venueId: v.venueId, kind: 'COMPLIANCE_BREACH', value: compliant ? 0 : 1, ...(rules.length ? { rules } : {}) });
      }
      out.push({ now, venueId: v.venueId, kind: 'VENUE_UNHEALTHY', value: m.healthy ? 0 : 1 });
    }
    return out;
  }

  /** Observe, debounce, and signal what was raised or cleared. Returns the events signalled. */
  async tick(now: number): Promise<ImbalanceEvent[]> {
    const observed = this.observe(now);
    this.lastObservations = observed;
    const events = observed.flatMap((o) => this.detector.observe(o));
    for (const e of events) await this.signal(e);
    return events;
  }
}
