// QuotingEngine: one VenueQuoter per venue, sharing a MarketState (books for the cross-venue fair
// value, the kill-switch latch) and a ModeSource. Starts and stops them together; a kill-switch
// trip of scope 'all' cancels every venue's orders. The mode source is the coordinator's, polled
// (PolledModeSource) in the live worker, and a StaticModeSource in backtests and tests.
import type { Logger } from 'pino';
import { mulberry32 } from '../domain/rng';
import { resetKillSwitch, type KillDecision } from '../domain/quoting/kill-switch';
import type { Clock } from '../domain/clock';
import type { ManagedVenue } from '../venues/managed-venue';
import { MarketState } from '../domain/quoting/market-state';
import { StaticModeSource, type ModeSource } from './mode-source';
import { VenueQuoter, type CancelAllReport, type VenueQuoterConfig } from './venue-quoter';

export interface QuotingEngineVenue {
  venue: ManagedVenue;
  config: VenueQuoterConfig;
}

export interface QuotingEngineOptions {
  venues: readonly QuotingEngineVenue[];
  clock: Clock;
  /** Seeds each venue's jitter Rng (seed + index), so a run replays exactly. */
  seed: number;
  modes?: ModeSource;
  logger?: Logger;
  /** Each kill-switch trip as it happens (the quoting worker reports it to the coordinator). */
  onTrip?: (d: KillDecision) => void;
}

export class QuotingEngine {
  readonly market = new MarketState();
  readonly modes: ModeSource;
  readonly quoters: VenueQuoter[];
  /** Every kill-switch trip of this run, in order (cleared latches included). */
  readonly trips: KillDecision[] = [];
  private readonly logger?: Logger;

  constructor(opts: QuotingEngineOptions) {
    this.modes = opts.modes ?? new StaticModeSource();
    if (opts.logger) this.logger = opts.logger;
    const ids = new Set<string>();
    this.quoters = opts.venues.map((v, i) => {
      if (ids.has(v.venue.id)) throw new Error(`venue ${v.venue.id} is configured twice`);
      ids.add(v.venue.id);
      return new VenueQuoter(v.venue.id, v.config, {
        venue: v.venue,
        market: this.market,
        modes: this.modes,
        clock: opts.clock,
        rng: mulberry32(opts.seed + i),
        ...(opts.logger ? { logger: opts.logger } : {}),
        onKill: (d) => this.killAll(d),
        onTrip: (d) => {
          this.trips.push(d);
          opts.onTrip?.(d);
        },
      });
    });
  }

  quoter(venueId: string): VenueQuoter | undefined {
    return this.quoters.find((q) => q.venueId === venueId);
  }

  async start(): Promise<void> {
    for (const q of this.quoters) await q.start();
  }

  /**
   * Stops every loop; with `cancel`, also cancels every live order of every venue, going on past
   * failures: the reports say, per venue, what was cancelled and what is still live.
   */
  async stop(opts: { cancel?: boolean } = {}): Promise<CancelAllReport[]> {
    for (const q of this.quoters) q.stop();
    if (!opts.cancel) return [];
    const results = await Promise.allSettled(this.quoters.map((q) => q.cancelAll()));
    return results.map((r, i) => {
      if (r.status === 'fulfilled') return r.value;
      const venueId = this.quoters[i]!.venueId;
      this.logger?.warn({ venue: venueId, err: String(r.reason) }, 'cancel on stop failed');
      return { venueId, canceled: [], left: [{ clientOrderId: '*', error: String(r.reason) }] };
    });
  }

  /** Clears a latched kill-switch trip (one venue's, or all of them): quoting resumes on the next cycle. */
  resetKillSwitch(venueId?: string): void {
    this.market.killSwitch = resetKillSwitch(this.market.killSwitch, venueId);
    for (const q of this.quoters) q.requestCycle();
  }

  private killAll(d: KillDecision): void {
    this.logger?.error({ decision: d }, 'global kill switch: cancelling every venue');
    // Each quoter sees the latched global trip on its next cycle and cancels its own orders there
    // (one cycle in flight per venue); asking for a cycle now makes that immediate.
    for (const q of this.quoters) q.requestCycle();
  }
}
