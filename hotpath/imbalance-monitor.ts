// What the quoting worker watches for and reports to the liquidityCoordinator: per venue, inventory
// drift from its target, sustained one-sided selling in the tape, a listing-requirement breach on
// the live book, and an unhealthy venue. Observations go through the debounced detector (hysteresis,
// minimum duration, cooldown), so a sustained condition yields one signal, not a storm.
import { computeBookMetrics, evaluateCompliance, type VenueRequirements } from '../domain/compliance';
import { D } from '../domain/money';
import { ImbalanceDetector, type ImbalanceConfig, type ImbalanceEvent, type ImbalanceObservation } from '../domain/quoting/imbalance';
import { tradeImbalance } from '../domain/signals/order-flow';
import type { MarketState } from '../domain/quoting/market-state';
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
}

export class ImbalanceMonitor {
  private readonly detector: ImbalanceDetector;
  private readonly flowWindowMs: number;

  constructor(
    private readonly market: MarketState,
    private readonly signal: (e: ImbalanceEvent) => Promise<unknown>,
    private readonly opts: ImbalanceMonitorOptions,
  ) {
    this.detector = new ImbalanceDetector(opts.config);
    this.flowWindowMs = opts.flowWindowMs ?? 5 * 60_000;
  }

  /** The observations for `now` (pure reads of the shared market state). */
  observe(now: number): ImbalanceObservation[] {
    const out: ImbalanceObservation[] = [];
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
      if (v.requirements && m.book) {
        // A verdict clear in floats is taken as is; at the edge, the exact measure decides, on the
        // requirement's own band only (the book cut to it: the same verdict, far fewer decimals).
        const band = v.requirements.depthBandPct;
        const compliant =
          clearVerdict(m.book, v.requirements) ??
          evaluateCompliance(computeBookMetrics(withinBand(m.book, Number(band) / 100), [band]), '0', { ...v.requirements, minVolume24hQuote: '0' }).compliant;
        out.push({ now, venueId: v.venueId, kind: 'COMPLIANCE_BREACH', value: compliant ? 0 : 1 });
      }
      out.push({ now, venueId: v.venueId, kind: 'VENUE_UNHEALTHY', value: m.healthy ? 0 : 1 });
    }
    return out;
  }

  /** Observe, debounce, and signal what was raised or cleared. Returns the events signalled. */
  async tick(now: number): Promise<ImbalanceEvent[]> {
    const events = this.observe(now).flatMap((o) => this.detector.observe(o));
    for (const e of events) await this.signal(e);
    return events;
  }
}
