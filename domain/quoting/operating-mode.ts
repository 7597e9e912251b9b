// Operating modes per venue: how the durable plane steers the hot path. normal quotes the model;
// paused and withdraw-only cancel everything; deepen doubles the depth obligation; tighten halves spreads.
export const OPERATING_MODES = ['normal', 'paused', 'withdraw-only', 'deepen', 'tighten'] as const;
export type OperatingMode = (typeof OPERATING_MODES)[number];
