// A scenario's fault windows (`venues[].faults`, sim/market/scenario.schema.ts) put on the clock of a
// run, and the same windows as absolute time ranges for the scorecard's healthy-time accounting.
//
// Who an outage hits. The faults live in each venue's SimExchange (its FaultInjector): they act on
// API requests and market-data streams — that is, on Ballast, which reaches the venue through its
// Venue adapter. The scenario's external agents (noise, informed, whales, arbitrageurs, background
// liquidity) trade on the matching engine directly and go on trading through an outage. We keep it
// so on purpose:
//   - it is the case that hurts a market maker: its resting orders stay on the book and keep being
//     filled (picked off by informed traders and arbitrageurs across the outage) while it is blind
//     and cannot cancel — exactly what the kill switch and venueRisk must handle;
//   - an exchange's API and its matching often fail separately (API gateway / websocket outages are
//     the common incident; a full matching halt is rarer and then nobody trades);
//   - the venue's price keeps following the market, so metrics after the outage are not dominated
//     by an artificial reopening gap.
// Since the venue's book during an outage is not something Ballast can answer for, the scorecard
// leaves outage time out ("healthy time", `outageWindows`).
//
// A full halt (nobody trades while the venue is down) would need a runner hook, not done here:
// `ScenarioRunner.setHalted(venueId, on)` that (1) makes LiveAgentView report no bid/ask/mid for the
// venue, so agents (arbitrageurs included) skip it, (2) makes ActionExecutor refuse actions there,
// and (3) skips the venue's background-liquidity refresh; applyFaultSchedule would then call it from
// the outage fault's onChange listener when a window says `halt: true`.
import type { Clock } from '../../domain/clock';
import type { FaultInjector, FaultKind } from '../exchange/fault-injector';
import type { Scenario, ScheduledFault } from '../market/scenario.schema';

/** A half-open time range [startMs, endMs). */
export interface TimeWindow {
  startMs: number;
  endMs: number;
}

export interface FaultWindow extends TimeWindow {
  venue: string;
  kind: FaultKind;
  fault: ScheduledFault;
}

/** What applyFaultSchedule needs of an exchange (a SimExchange has it). */
export interface FaultTarget {
  readonly faults: FaultInjector;
}

/**
 * Every fault window of the scenario in absolute time for a run that started at `startMs` (pass 0 to
 * get offsets, the time base of the backtest recorder's `t`), clipped to the run's end. Sorted by
 * start. Windows that start after the end (a run shortened with `--duration`) are left out.
 */
export function faultWindows(scenario: Scenario, startMs: number): FaultWindow[] {
  const endMs = startMs + scenario.duration;
  const out: FaultWindow[] = [];
  for (const v of scenario.venues) {
    if (v.kind !== 'cex') continue;
    for (const f of v.faults) {
      const start = startMs + f.at;
      if (start >= endMs) continue;
      out.push({ venue: v.id, kind: f.kind, fault: f, startMs: start, endMs: Math.min(endMs, start + f.duration) });
    }
  }
  return out.sort((a, b) => a.startMs - b.startMs || a.venue.localeCompare(b.venue));
}

/**
 * Outage windows per venue (every venue of the scenario has an entry, empty when it never goes down),
 * absolute for a run that started at `startMs`, merged and sorted. `kinds` widens what counts as
 * unhealthy (e.g. a 100 % `timeouts` burst); by default only `outage`.
 */
export function outageWindows(scenario: Scenario, startMs: number, kinds: readonly FaultKind[] = ['outage']): Record<string, TimeWindow[]> {
  const out: Record<string, TimeWindow[]> = {};
  for (const v of scenario.venues) out[v.id] = [];
  for (const w of faultWindows(scenario, startMs)) {
    if (kinds.includes(w.kind)) out[w.venue]!.push({ startMs: w.startMs, endMs: w.endMs });
  }
  for (const id of Object.keys(out)) out[id] = mergeWindows(out[id]!);
  return out;
}

/** Sorted, non-overlapping union of windows (touching windows join). */
export function mergeWindows(ws: readonly TimeWindow[]): TimeWindow[] {
  const sorted = [...ws].filter((w) => w.endMs > w.startMs).sort((a, b) => a.startMs - b.startMs);
  const out: TimeWindow[] = [];
  for (const w of sorted) {
    const last = out[out.length - 1];
    if (last && w.startMs <= last.endMs) last.endMs = Math.max(last.endMs, w.endMs);
    else out.push({ ...w });
  }
  return out;
}

function faultSpec(f: ScheduledFault): Parameters<FaultInjector['enable']>[0] {
  switch (f.kind) {
    case 'http5xx':
      return { kind: f.kind, fraction: f.fraction };
    case 'timeouts':
      return { kind: f.kind, executedFraction: f.executedFraction };
    default:
      return { kind: f.kind };
  }
}

/**
 * Schedules each fault window of the scenario on the venue's FaultInjector, relative to `startMs`
 * (default: now — call it when the run starts, like the runner's own timers). A window already under
 * way is switched on at once for what is left of it; one already over is skipped. A venue with
 * faults but no exchange here is an error: a closed loop must not silently run without its faults.
 * Returns a cancel for the windows not yet started.
 */
export function applyFaultSchedule(scenario: Scenario, exchanges: Readonly<Record<string, FaultTarget>>, clock: Clock, opts: { startMs?: number } = {}): () => void {
  const startMs = opts.startMs ?? clock.now();
  const now = clock.now();
  const cancels: (() => void)[] = [];
  for (const w of faultWindows(scenario, startMs)) {
    const ex = exchanges[w.venue];
    if (!ex) throw new RangeError(`applyFaultSchedule: venue "${w.venue}" has faults in scenario "${scenario.name}" but no exchange was given`);
    if (w.endMs <= now) continue;
    const spec = faultSpec(w.fault);
    if (w.startMs <= now) ex.faults.enable(spec, { durationMs: w.endMs - now });
    else cancels.push(ex.faults.schedule(spec, { startInMs: w.startMs - now, durationMs: w.endMs - w.startMs }));
  }
  return () => {
    for (const c of cancels) c();
  };
}
