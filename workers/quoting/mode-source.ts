// Operating modes per venue, read by the quoting loop on every tick. Workflows set them through a
// durable source; `StaticModeSource` is the in-memory stand-in until that lands.
export const OPERATING_MODES = ['normal', 'paused', 'withdraw-only', 'deepen', 'tighten'] as const;
export type OperatingMode = (typeof OPERATING_MODES)[number];

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
