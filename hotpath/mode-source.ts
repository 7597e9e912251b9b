// Operating modes per venue, read by the quoting loop on every tick. Live, the liquidityCoordinator
// workflow holds them and the quoting worker polls them into a PolledModeSource; in a backtest the
// in-simulation executor of durable decisions sets a StaticModeSource directly.
import type { OperatingMode } from '../domain/quoting/operating-mode';

export { OPERATING_MODES, type OperatingMode } from '../domain/quoting/operating-mode';

export interface ModeSource {
  /** The mode in force for a venue now (cheap: called on every tick and every book event). */
  current(venueId: string): OperatingMode;
  /**
   * Why no venue may quote now (the modes are not known yet, or their source has been unreachable
   * too long), or undefined when quoting is allowed. A blocked source pulls every quote.
   */
  blocked?(now: number): string | undefined;
}

/** Modes held in memory: a default plus per-venue overrides. Always known (backtests, tests). */
export class StaticModeSource implements ModeSource {
  private readonly modes = new Map<string, OperatingMode>();

  constructor(private fallback: OperatingMode = 'normal') {}

  current(venueId: string): OperatingMode {
    return this.modes.get(venueId) ?? this.fallback;
  }

  set(venueId: string, mode: OperatingMode): void {
    this.modes.set(venueId, mode);
  }

  setAll(mode: OperatingMode): void {
    this.modes.clear();
    this.fallback = mode;
  }
}

/**
 * Modes read from a remote source (the coordinator): fail-safe. Until a first successful read nothing
 * may quote, and once the last successful read is older than `maxAgeMs` every quote is pulled, until
 * the source answers again. A venue the source does not name quotes normally.
 */
export class PolledModeSource implements ModeSource {
  private modes = new Map<string, OperatingMode>();
  private readAt: number | undefined;

  constructor(private readonly maxAgeMs: number) {
    if (!(maxAgeMs > 0)) throw new Error(`PolledModeSource: maxAgeMs must be > 0, got ${maxAgeMs}`);
  }

  /** A successful read at `now`: these are the modes in force (venues not named: normal). */
  update(modes: Readonly<Record<string, OperatingMode>>, now: number): void {
    this.modes = new Map(Object.entries(modes));
    this.readAt = now;
  }

  /** When the modes were last read successfully (undefined: never). */
  lastReadAt(): number | undefined {
    return this.readAt;
  }

  current(venueId: string): OperatingMode {
    return this.modes.get(venueId) ?? 'normal';
  }

  blocked(now: number): string | undefined {
    if (this.readAt === undefined) return 'operating modes not known yet';
    const age = now - this.readAt;
    if (age > this.maxAgeMs) return `operating modes unreadable for ${age} ms (limit ${this.maxAgeMs} ms)`;
    return undefined;
  }
}
