// The two implementations of `Clock` (domain/clock.ts). Simulation code only ever sees `Clock`, so the
// same engine, exchange and agent code runs in a backtest (VirtualClock: events as fast as the CPU
// allows, in time order, bit-for-bit repeatable) and in the live demo (RealClock: wall time).
import type { Clock } from '../domain/clock';

interface TimerEntry {
  time: number;
  /** Insertion order: the deterministic tie-break between events due at the same time. */
  seq: number;
  fn: () => void;
  cancelled: boolean;
}

/** Events run back to back (continuations drained in between) before one event-loop turn. */
const YIELD_EVERY = 4096;

function before(a: TimerEntry, b: TimerEntry): boolean {
  return a.time < b.time || (a.time === b.time && a.seq < b.seq);
}

function checkDelay(delayMs: number): void {
  if (!Number.isFinite(delayMs) || delayMs < 0) throw new RangeError(`delayMs must be a finite number >= 0, got ${delayMs}`);
}

/** Lets every pending promise continuation run (they may schedule the next virtual event). */
function drainMicrotasks(): Promise<void> {
  // setImmediate runs after the whole microtask queue: it never reads wall time, so runs stay deterministic.
  return new Promise((resolve) => setImmediate(resolve));
}

/**
 * Virtual time: a binary min-heap of timers ordered by (time, insertion seq). Nothing happens until
 * the owner calls `step`, `runUntil`, `runFor` or `runAll`; then events execute in order, and timers
 * scheduled while they run are honoured in the same pass (a zero delay runs at the same virtual
 * time, after everything already due then).
 */
export class VirtualClock implements Clock {
  private nowMs: number;
  private seq = 0;
  private live = 0;
  private readonly heap: TimerEntry[] = [];

  constructor(startMs = 0) {
    checkDelay(startMs);
    this.nowMs = startMs;
  }

  now(): number {
    return this.nowMs;
  }

  schedule(delayMs: number, fn: () => void): () => void {
    checkDelay(delayMs);
    const entry: TimerEntry = { time: this.nowMs + delayMs, seq: this.seq++, fn, cancelled: false };
    this.push(entry);
    this.live++;
    return () => {
      // Lazy deletion: the entry stays in the heap and is skipped when it surfaces.
      if (entry.cancelled) return;
      entry.cancelled = true;
      this.live--;
    };
  }

  /** Number of scheduled, not cancelled, not yet run timers. */
  pending(): number {
    return this.live;
  }

  /** Virtual time of the next live timer, if any. */
  nextEventTime(): number | undefined {
    return this.peekLive()?.time;
  }

  /** Runs the next timer (advancing `now` to its time). Returns false when nothing is scheduled. */
  step(): boolean {
    const next = this.peekLive();
    if (!next) return false;
    this.pop();
    next.cancelled = true; // a cancel() from inside fn must not decrement `live` twice
    this.live--;
    this.nowMs = next.time;
    // Exceptions propagate to the caller: a clock that swallows them hides bugs. State is consistent
    // (the entry is already removed), so the caller may keep running after handling it.
    next.fn();
    return true;
  }

  /** Runs every timer due at or before `t`, then sets `now` to `t`. Returns the number run. */
  runUntil(t: number): number {
    if (!(t >= this.nowMs)) throw new RangeError(`runUntil(${t}) is before now (${this.nowMs})`);
    let n = 0;
    for (let next = this.peekLive(); next && next.time <= t; next = this.peekLive()) {
      this.step();
      n++;
    }
    this.nowMs = t;
    return n;
  }

  runFor(ms: number): number {
    checkDelay(ms);
    return this.runUntil(this.nowMs + ms);
  }

  /** Runs until no timer is left. `maxEvents` guards against self-rescheduling timers. */
  runAll(maxEvents = 10_000_000): number {
    let n = 0;
    while (this.step()) {
      if (++n >= maxEvents && this.live > 0) throw new Error(`runAll: still ${this.live} timers after ${maxEvents} events`);
    }
    return n;
  }

  /**
   * `runUntil` for code that awaits promises between virtual events (a request's response resumes
   * an `async` caller, which then sends the next request): pending continuations run after every
   * event, before virtual time moves on.
   */
  runUntilAsync(t: number): Promise<number> {
    if (!(t >= this.nowMs)) return Promise.reject(new RangeError(`runUntilAsync(${t}) is before now (${this.nowMs})`));
    // After each event, every continuation it queued (and theirs) runs before the next event. Node's
    // tick processing runs ticks, then drains the whole microtask queue (continuations queued while it
    // drains included), then runs the ticks queued meanwhile: so a microtask queued right after the
    // event that queues the next step as a tick resumes us once the queue is empty — the ordering of a
    // setImmediate turn per event, without an event-loop turn (an epoll poll) per event. Our code never
    // uses queueMicrotask or nextTick itself, so nothing else is ordered against that tick. Every
    // YIELD_EVERY events the loop still goes through setImmediate, so I/O is never starved for long.
    return new Promise((resolve, reject) => {
      let n = 0;
      let sinceYield = 0;
      const resume = (): void => process.nextTick(loop);
      const settled = Promise.resolve();
      const loop = (): void => {
        try {
          const next = this.peekLive();
          if (!next || next.time > t) {
            this.nowMs = t;
            resolve(n);
            return;
          }
          this.step();
          n++;
          if (++sinceYield >= YIELD_EVERY) {
            sinceYield = 0;
            setImmediate(loop);
          } else {
            settled.then(resume, reject);
          }
        } catch (e) {
          reject(e instanceof Error ? e : new Error(String(e)));
        }
      };
      setImmediate(loop);
    });
  }

  async runForAsync(ms: number): Promise<number> {
    checkDelay(ms);
    return this.runUntilAsync(this.nowMs + ms);
  }

  /** Runs events (draining continuations in between) until `promise` settles; returns its value. */
  async resolve<T>(promise: Promise<T>, maxEvents = 1_000_000): Promise<T> {
    let settled = false;
    const watched = promise.finally(() => {
      settled = true;
    });
    watched.catch(() => undefined); // the rejection is delivered by the `await` below
    await drainMicrotasks();
    for (let n = 0; !settled; n++) {
      if (n >= maxEvents || !this.step()) throw new Error(`VirtualClock.resolve: the promise did not settle (${n} events run, ${this.live} left)`);
      await drainMicrotasks();
    }
    return watched;
  }

  private peekLive(): TimerEntry | undefined {
    while (this.heap.length > 0 && this.heap[0]!.cancelled) this.pop();
    return this.heap[0];
  }

  private push(e: TimerEntry): void {
    const h = this.heap;
    h.push(e);
    let i = h.length - 1;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (!before(e, h[parent]!)) break;
      h[i] = h[parent]!;
      i = parent;
    }
    h[i] = e;
  }

  private pop(): void {
    const h = this.heap;
    const last = h.pop();
    if (h.length === 0 || !last) return;
    let i = 0;
    for (;;) {
      const l = 2 * i + 1;
      if (l >= h.length) break;
      const r = l + 1;
      const child = r < h.length && before(h[r]!, h[l]!) ? r : l;
      if (!before(h[child]!, last)) break;
      h[i] = h[child]!;
      i = child;
    }
    h[i] = last;
  }
}

/**
 * Wall time. Timers are unref'd, so a forgotten timer never keeps the process alive; `stop()`
 * cancels every pending timer, and later `schedule` calls are ignored (the process is shutting down).
 */
export class RealClock implements Clock {
  private readonly timers = new Set<NodeJS.Timeout>();
  private stopped = false;

  now(): number {
    // eslint-disable-next-line no-restricted-properties -- the one wall-clock read of the hot path
    return Date.now();
  }

  schedule(delayMs: number, fn: () => void): () => void {
    checkDelay(delayMs);
    if (this.stopped) return () => undefined;
    const timer = setTimeout(() => {
      this.timers.delete(timer);
      fn();
    }, delayMs);
    timer.unref();
    this.timers.add(timer);
    return () => {
      clearTimeout(timer);
      this.timers.delete(timer);
    };
  }

  pending(): number {
    return this.timers.size;
  }

  stop(): void {
    this.stopped = true;
    for (const t of this.timers) clearTimeout(t);
    this.timers.clear();
  }
}
