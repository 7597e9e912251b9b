// Imbalance detector: turns a stream of per-venue observations (inventory drift, one-sided selling, …)
// into a few `raised` / `cleared` events, so the quoting worker calls the coordinator workflow once per
// episode instead of on every book update. Hysteresis (enter > exit) stops flapping around one threshold
// from re-raising; a minimum duration debounces spikes; a cooldown bounds raises per (venue, kind).
// Pure: time comes in with each observation, the state is plain JSON (it can be logged or persisted).
import { z } from 'zod';

/**
 * SELL_OFF: one-sided selling that has pushed the venue's price below its trailing anchor (the
 * cross-venue fair value of the last hour, hotpath/imbalance-monitor.ts); its value is how far below,
 * in %. Plain ONE_SIDED_SELLING happens all day in ordinary flow; a sell-off is what a buyback answers.
 */
export const IMBALANCE_KINDS = ['INVENTORY_DRIFT', 'ONE_SIDED_SELLING', 'COMPLIANCE_BREACH', 'VENUE_UNHEALTHY', 'ONE_SIDED_BUYING', 'SELL_OFF'] as const;
export type ImbalanceKind = (typeof IMBALANCE_KINDS)[number];

export interface ImbalanceObservation {
  /** Epoch ms, from the caller's clock. */
  now: number;
  venueId: string;
  kind: ImbalanceKind;
  /** A magnitude where higher is worse (|inventory deviation| %, sell share of flow, seconds stale, …). */
  value: number;
  /** COMPLIANCE_BREACH: the listing rules that failed (remediation: depth → deepen, spread → tighten). */
  rules?: BreachRule[];
}

export const BREACH_RULES = ['spread', 'depth', 'book'] as const;
export type BreachRule = (typeof BREACH_RULES)[number];

export interface KindThresholds {
  /** Raise once `value >= enter` has held for `minDurationMs`. */
  enter: number;
  /** Clear once `value < exit`; strictly below `enter` (the hysteresis band). */
  exit: number;
  minDurationMs: number;
  /** Minimum time between two raises for the same (venue, kind). */
  cooldownMs: number;
}

export type ImbalanceConfig = Record<ImbalanceKind, KindThresholds>;

const KindThresholdsSchema = z
  .object({
    enter: z.number().finite(),
    exit: z.number().finite(),
    minDurationMs: z.number().int().nonnegative(),
    cooldownMs: z.number().int().nonnegative(),
  })
  .strict()
  .refine((t) => t.exit < t.enter, { message: 'exit must be below enter (hysteresis band)', path: ['exit'] });

export const ImbalanceConfigSchema = z
  .object({
    INVENTORY_DRIFT: KindThresholdsSchema,
    ONE_SIDED_SELLING: KindThresholdsSchema,
    COMPLIANCE_BREACH: KindThresholdsSchema,
    VENUE_UNHEALTHY: KindThresholdsSchema,
    /** Buy share of taker flow (0..1): buy-side pressure, when a liquidation may sell into it. */
    ONE_SIDED_BUYING: KindThresholdsSchema.default({ enter: 0.75, exit: 0.6, minDurationMs: 30_000, cooldownMs: 300_000 }),
    /** % below the trailing anchor under one-sided selling: a sell-off a buyback may answer. */
    SELL_OFF: KindThresholdsSchema.default({ enter: 0.6, exit: 0.2, minDurationMs: 60_000, cooldownMs: 300_000 }),
  })
  .strict();

/** Defaults for the demo: drift in % of target inventory, selling as sell share of flow (0..1), breaches and health as 0/1. */
export const DEFAULT_IMBALANCE_CONFIG: ImbalanceConfig = {
  INVENTORY_DRIFT: { enter: 20, exit: 10, minDurationMs: 5_000, cooldownMs: 60_000 },
  ONE_SIDED_SELLING: { enter: 0.8, exit: 0.6, minDurationMs: 10_000, cooldownMs: 60_000 },
  COMPLIANCE_BREACH: { enter: 1, exit: 0.5, minDurationMs: 30_000, cooldownMs: 300_000 },
  VENUE_UNHEALTHY: { enter: 1, exit: 0.5, minDurationMs: 3_000, cooldownMs: 60_000 },
  ONE_SIDED_BUYING: { enter: 0.75, exit: 0.6, minDurationMs: 30_000, cooldownMs: 300_000 },
  SELL_OFF: { enter: 0.6, exit: 0.2, minDurationMs: 60_000, cooldownMs: 300_000 },
};

export interface ImbalanceEvent {
  type: 'raised' | 'cleared';
  venueId: string;
  kind: ImbalanceKind;
  value: number;
  /** Epoch ms of the observation that produced the event. */
  at: number;
  /** COMPLIANCE_BREACH raised: the rules that failed (absent from monitors recorded before it). */
  rules?: BreachRule[];
}

/** The event as it crosses the worker → workflow boundary; validated again in the workflow. */
export const ImbalanceEventSchema = z
  .object({
    type: z.enum(['raised', 'cleared']),
    venueId: z.string().min(1, 'expected a venue id'),
    kind: z.enum(IMBALANCE_KINDS),
    value: z.number().finite(),
    at: z.number().int().nonnegative(),
    rules: z.array(z.enum(BREACH_RULES)).optional(),
  })
  .strict();

interface TrackState {
  phase: 'idle' | 'pending' | 'active';
  /** When the current breach started (pending and active). */
  since?: number;
  lastRaisedAt?: number;
}

export interface DetectorState {
  /** Keyed by `venueId|kind`. */
  tracks: Record<string, TrackState>;
}

export const emptyDetectorState = (): DetectorState => ({ tracks: {} });

export interface ObserveResult {
  state: DetectorState;
  events: ImbalanceEvent[];
}

/** Feed one observation; returns the new state (the input is not mutated) and 0 or 1 events. */
export function observeImbalance(state: DetectorState, obs: ImbalanceObservation, config: ImbalanceConfig): ObserveResult {
  const t = config[obs.kind];
  const key = `${obs.venueId}|${obs.kind}`;
  const prev: TrackState = state.tracks[key] ?? { phase: 'idle' };
  const event = (type: ImbalanceEvent['type']): ImbalanceEvent => ({
    type,
    venueId: obs.venueId,
    kind: obs.kind,
    value: obs.value,
    at: obs.now,
    ...(type === 'raised' && obs.rules?.length ? { rules: obs.rules } : {}),
  });
  const done = (next: TrackState, events: ImbalanceEvent[] = []): ObserveResult => ({ state: { tracks: { ...state.tracks, [key]: next } }, events });
  const idle: TrackState = { phase: 'idle', ...(prev.lastRaisedAt !== undefined ? { lastRaisedAt: prev.lastRaisedAt } : {}) };

  if (prev.phase === 'active') {
    return obs.value < t.exit ? done(idle, [event('cleared')]) : done(prev);
  }
  // idle or pending: a breach starts at `enter`, and (hysteresis) is only abandoned below `exit`.
  if (prev.phase === 'idle' && obs.value < t.enter) return done(prev);
  if (prev.phase === 'pending' && obs.value < t.exit) return done(idle);
  const since = prev.phase === 'pending' && prev.since !== undefined ? prev.since : obs.now;
  const sustained = obs.now - since >= t.minDurationMs;
  const cooled = prev.lastRaisedAt === undefined || obs.now - prev.lastRaisedAt >= t.cooldownMs;
  if (sustained && cooled) return done({ phase: 'active', since, lastRaisedAt: obs.now }, [event('raised')]);
  // Still breaching but too young or inside the cooldown: keep waiting; it raises once both allow it.
  return done({ ...prev, phase: 'pending', since });
}

/** A small stateful wrapper for the worker's hot path. */
export class ImbalanceDetector {
  private state: DetectorState;

  constructor(
    private readonly config: ImbalanceConfig = DEFAULT_IMBALANCE_CONFIG,
    initial: DetectorState = emptyDetectorState(),
  ) {
    this.state = initial;
  }

  observe(obs: ImbalanceObservation): ImbalanceEvent[] {
    const r = observeImbalance(this.state, obs, this.config);
    this.state = r.state;
    return r.events;
  }

  snapshot(): DetectorState {
    return this.state;
  }
}
