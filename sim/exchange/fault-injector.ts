// Faults a simulated exchange can suffer, switchable at run time or scheduled for a window of
// (virtual) time. The exchange asks `decide()` for every request; the other faults are read where
// they matter (book snapshots, withdrawals).
import { z } from 'zod';
import { parseOrThrow } from '../../domain/errors';
import type { Rng } from '../../domain/rng';
import type { Clock } from '../../domain/clock';

const fraction = z.number().min(0).max(1);

export const FaultSpecSchema = z.discriminatedUnion('kind', [
  /** Every request fails with VENUE.UNAVAILABLE; streams fall silent. */
  z.object({ kind: z.literal('outage') }).strict(),
  /** This fraction of requests fails with VENUE.UNAVAILABLE (HTTP 5xx); the rest work. */
  z.object({ kind: z.literal('http5xx'), fraction }).strict(),
  /**
   * Requests get no answer; the caller gives up after the exchange's `requestTimeoutMs`.
   * `executedFraction` of them still reached the matching engine — the ambiguous case (was my order
   * placed?) that forces a client to reconcile.
   */
  z.object({ kind: z.literal('timeouts'), executedFraction: fraction.default(0) }).strict(),
  /** The book served (REST and stream) is frozen at the moment the fault starts; matching goes on. */
  z.object({ kind: z.literal('staleBook') }).strict(),
  /** New withdrawals fail with VENUE.WITHDRAWALS_SUSPENDED and pending ones are not broadcast. */
  z.object({ kind: z.literal('withdrawalsSuspended') }).strict(),
]);
export type FaultSpec = z.input<typeof FaultSpecSchema>;
type ParsedFault = z.output<typeof FaultSpecSchema>;
export type FaultKind = ParsedFault['kind'];
export type ActiveFault<K extends FaultKind> = Extract<ParsedFault, { kind: K }>;

export type RequestFate = { kind: 'ok' } | { kind: 'fail'; message: string } | { kind: 'timeout'; executes: boolean };

export type FaultListener = (kind: FaultKind, active: boolean) => void;

export class FaultInjector {
  private readonly active = new Map<FaultKind, ParsedFault>();
  /** Pending auto-disable timers, so re-enabling a fault replaces its old expiry. */
  private readonly expiries = new Map<FaultKind, () => void>();
  private readonly listeners = new Set<FaultListener>();

  constructor(
    private readonly clock: Clock,
    private readonly rng: Rng,
  ) {}

  /** Switches a fault on now, for `durationMs` if given (otherwise until `disable`). */
  enable(spec: FaultSpec, opts: { durationMs?: number } = {}): void {
    const parsed = parseOrThrow(FaultSpecSchema, spec, 'fault');
    const kind = parsed.kind;
    this.expiries.get(kind)?.();
    this.expiries.delete(kind);
    const wasActive = this.active.has(kind);
    this.active.set(kind, parsed);
    if (opts.durationMs !== undefined) {
      const cancel = this.clock.schedule(opts.durationMs, () => {
        this.expiries.delete(kind);
        this.disable(kind);
      });
      this.expiries.set(kind, cancel);
    }
    if (!wasActive) this.emit(kind, true);
  }

  disable(kind: FaultKind): void {
    this.expiries.get(kind)?.();
    this.expiries.delete(kind);
    if (this.active.delete(kind)) this.emit(kind, false);
  }

  /** Switches a fault on after `startInMs` for `durationMs`. Returns a cancel for the plan (not for a started fault). */
  schedule(spec: FaultSpec, window: { startInMs: number; durationMs: number }): () => void {
    parseOrThrow(FaultSpecSchema, spec, 'fault'); // fail now, not when the timer fires
    return this.clock.schedule(window.startInMs, () => this.enable(spec, { durationMs: window.durationMs }));
  }

  get<K extends FaultKind>(kind: K): ActiveFault<K> | undefined {
    return this.active.get(kind) as ActiveFault<K> | undefined;
  }

  isActive(kind: FaultKind): boolean {
    return this.active.has(kind);
  }

  activeKinds(): FaultKind[] {
    return [...this.active.keys()];
  }

  onChange(listener: FaultListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** The fate of one request arriving now. Draws from the rng only while a random fault is on. */
  decide(): RequestFate {
    if (this.active.has('outage')) return { kind: 'fail', message: 'service unavailable (outage)' };
    const timeouts = this.get('timeouts');
    if (timeouts) return { kind: 'timeout', executes: timeouts.executedFraction > 0 && this.rng() < timeouts.executedFraction };
    const http = this.get('http5xx');
    if (http && this.rng() < http.fraction) return { kind: 'fail', message: 'HTTP 503 service unavailable' };
    return { kind: 'ok' };
  }

  private emit(kind: FaultKind, active: boolean): void {
    for (const l of [...this.listeners]) l(kind, active);
  }
}
