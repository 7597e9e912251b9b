// Operating modes per venue, read by the quoting loop on every tick. Live, the liquidityCoordinator
// workflow holds them and the quoting worker polls them into a StaticModeSource; in a backtest the
// in-simulation executor of durable decisions sets them directly.
import type { OperatingMode } from '../domain/quoting/operating-mode';

export { OPERATING_MODES, type OperatingMode } from '../domain/quoting/operating-mode';

export interface ModeSource {
  /** The mode in force for a venue now (cheap: called on every tick and every book event). */
  current(venueId: string): OperatingMode;
}

/** Modes held in memory: a default plus per-venue overrides. */
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
