// The compliance time series: every venue (the pool included) measured every `compliance.sampleEvery`
// (default 10 s) through the complianceCheck's own code path — fetchComplianceSnapshot, then
// measureCompliance (computeBookMetrics → evaluateCompliance) — and recorded in the ledger database.
// A failed measurement records nothing: the gap reads as unknown, never as compliant. Runs in the
// Temporal worker process (which holds every venue's market-data port); samples older than
// `compliance.retention` are pruned hourly. stop() waits for the samples in flight.
import type { Logger } from 'pino';
import { measureCompliance } from '../domain/compliance';
import { DAY_MS, durationMs, sampleFromVerdict, utcDay, type ComplianceSample } from '../domain/compliance-history';
import type { BallastConfig } from '../domain/config.schema';
import type { VenueRegistry } from '../venues/market-data.port';
import type { ComplianceHistoryStore } from './compliance-history-store';
import { createComplianceActivities } from './compliance.activities';

export interface ComplianceSamplerDeps {
  config: BallastConfig;
  venues: VenueRegistry;
  store: Pick<ComplianceHistoryStore, 'recordComplianceSamples' | 'recordDailyVolume' | 'pruneComplianceHistory'>;
  logger: Logger;
  now?: () => number;
  /** Called after each recorded sample (metrics, tests). */
  onSample?: (s: ComplianceSample) => void;
}

const PRUNE_EVERY_MS = 3_600_000;

export class ComplianceSampler {
  private readonly timers = new Map<string, NodeJS.Timeout>();
  private readonly inFlight = new Set<Promise<unknown>>();
  private readonly failures = new Map<string, number>();
  private stopped = true;
  private lastPruneMs = 0;
  private readonly now: () => number;
  private readonly acts: ReturnType<typeof createComplianceActivities>;

  constructor(private readonly deps: ComplianceSamplerDeps) {
    this.now = deps.now ?? Date.now;
    this.acts = createComplianceActivities({ config: deps.config, venues: deps.venues, logger: deps.logger });
  }

  /** Measures one venue now and records the sample (and the day's volume reading). */
  async sampleOnce(venueId: string): Promise<ComplianceSample> {
    const profile = await this.acts.loadVenueProfile({ venue: venueId });
    const snapshot = await this.acts.fetchComplianceSnapshot({ venue: venueId });
    const at = this.now();
    const { metrics, verdict } = measureCompliance(snapshot, profile.requirements);
    const sample = sampleFromVerdict(venueId, at, 'sampler', metrics, snapshot.volume24hQuote, verdict);
    await this.deps.store.recordComplianceSamples([sample]);
    await this.deps.store.recordDailyVolume(venueId, { day: utcDay(at), volume24hQuote: snapshot.volume24hQuote, at });
    this.deps.onSample?.(sample);
    return sample;
  }

  start(): void {
    if (!this.stopped) return;
    this.stopped = false;
    for (const v of this.deps.config.venues) {
      if (!this.deps.venues.has(v.id)) continue;
      this.schedule(v.id, durationMs(v.compliance.sampleEvery), 0);
    }
    this.deps.logger.info({ venues: [...this.timers.keys()] }, 'compliance sampler started');
  }

  private schedule(venueId: string, everyMs: number, delayMs: number): void {
    if (this.stopped) return;
    const t = setTimeout(() => {
      const started = this.now();
      const p = this.tick(venueId).finally(() => {
        this.inFlight.delete(p);
        // The next sample one period after this one started (a slow venue never makes samples pile up).
        this.schedule(venueId, everyMs, Math.max(0, everyMs - (this.now() - started)));
      });
      this.inFlight.add(p);
    }, delayMs);
    t.unref();
    this.timers.set(venueId, t);
  }

  private async tick(venueId: string): Promise<void> {
    try {
      await this.sampleOnce(venueId);
      if (this.failures.get(venueId)) this.deps.logger.info({ venue: venueId, failedBefore: this.failures.get(venueId) }, 'compliance sampling recovered');
      this.failures.set(venueId, 0);
    } catch (e) {
      const n = (this.failures.get(venueId) ?? 0) + 1;
      this.failures.set(venueId, n);
      // The first failure of a run and then every 30th: a venue down for hours is not a log storm.
      if (n === 1 || n % 30 === 0) this.deps.logger.warn({ venue: venueId, failures: n, err: (e as Error).message }, 'compliance sample failed (recorded as a gap)');
    }
    await this.maybePrune();
  }

  private async maybePrune(): Promise<void> {
    const now = this.now();
    if (now - this.lastPruneMs < PRUNE_EVERY_MS) return;
    this.lastPruneMs = now;
    const c = this.deps.config.compliance;
    try {
      const n = await this.deps.store.pruneComplianceHistory(now - durationMs(c.retention), utcDay(now - Math.max(durationMs(c.volumeRetention), DAY_MS)));
      if (n > 0) this.deps.logger.info({ deleted: n }, 'compliance history pruned');
    } catch (e) {
      this.deps.logger.warn({ err: (e as Error).message }, 'compliance history prune failed');
    }
  }

  /** Stops scheduling and waits for the samples in flight. */
  async stop(): Promise<void> {
    this.stopped = true;
    for (const t of this.timers.values()) clearTimeout(t);
    this.timers.clear();
    await Promise.allSettled([...this.inFlight]);
  }
}
