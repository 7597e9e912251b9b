// Two clocks, one interface: the engine, exchanges and agents only ever see `Clock`.
// VirtualClock runs scheduled events as fast as possible in time order (backtests);
// RealClock fires them on wall time (the `npm start` demo).
export interface Clock {
  /** Current time, epoch ms. */
  now(): number;
  /** Run `fn` after `delayMs` (>= 0). Returns a cancel function. */
  schedule(delayMs: number, fn: () => void): () => void;
}
