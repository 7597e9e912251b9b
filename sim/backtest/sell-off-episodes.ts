// Sell-off episodes of a scenario, and how far a venue's price fell beyond the fundamental in each
// and how long it took to come back: the scorecard's drawdown metric (scorecard.ts has the rest).
//
// Episode, precisely:
//   - a whale's sell-off: from its start to start + duration. The start is drawn at random in the
//     scenario's [start.from, start.to]; pass the drawn one (WhaleSeller.startAt) in `whaleStarts` by
//     agent id, otherwise the episode covers every possible start: [start.from, start.to + duration].
//     A whale entry with `count` > 1 gives one episode per copy (`<id>-1 …`) when their starts are
//     given, one covering window otherwise.
//   - a scheduled negative jump of the fundamental (`scheduledJumps[].logSize` < 0): from `at` for
//     `jumpWindowMs` (default 1 h), the time panic sellers (their `window`) and slow books react in.
//   - a panic: when the fundamental series is given, each time it falls more than a panic agent's
//     `drawdownPct` below its peak within the agent's `window` — the condition its panic sellers act
//     on — from the first such sample to the last one + `window` (runs closer than `window` join).
//     Measured on the fundamental, not on venue mids (what the sellers really watch), so that every
//     strategy on a seed is scored on the same episodes: a market maker changes the mids, not F.
//   Random jumps too small to set off panic are not episodes. Episodes are clipped to the run and
//   may overlap.
// Drawdown beyond the fundamental: min over the episode's healthy samples of log(mid / F), clamped at
// 0 (a venue that stays above the fundamental has none). Recovery: the first healthy sample at or
// after the deepest point, up to the end of the series, with |mid / F − 1| ≤ tolerance (0.5 %); the
// time to recover is the healthy time from the deepest point to it (0 when the deepest point is
// within tolerance or not below F; null when it never comes back within the run).
import type { Scenario } from '../market/scenario.schema';
import type { TimeWindow } from './fault-schedule';
import type { TimedValue } from './metrics';
import { healthyMs, isHealthy } from './scorecard';

export interface Episode extends TimeWindow {
  label: string;
}

export interface EpisodeScore extends Episode {
  /** min log(mid / F) over the episode, ≤ 0; null when the venue has no healthy sample in it. */
  deepestLog: number | null;
  /** The same as a percentage: (e^deepestLog − 1) × 100. */
  deepestPct: number | null;
  deepestAt: number | null;
  /** Healthy ms from the deepest point back to within tolerance; null if never within the run. */
  recoverMs: number | null;
}

const HOUR_MS = 3_600_000;

/** The scenario's sell-off episodes for a run that started at `startMs` (0 for the recorder's offsets). */
export function sellOffEpisodes(
  scenario: Scenario,
  startMs: number,
  opts: { whaleStarts?: Record<string, number>; jumpWindowMs?: number; fundamental?: readonly TimedValue[] } = {},
): Episode[] {
  const endMs = startMs + scenario.duration;
  const out: Episode[] = [];
  const push = (label: string, from: number, to: number) => {
    if (from < endMs) out.push({ label, startMs: from, endMs: Math.min(endMs, to) });
  };
  for (const a of scenario.agents) {
    if (a.kind !== 'whale') continue;
    const ids = a.count === 1 ? [a.id] : Array.from({ length: a.count }, (_, i) => `${a.id}-${i + 1}`);
    const drawn = ids.map((id) => opts.whaleStarts?.[id]);
    if (drawn.every((s): s is number => s !== undefined)) ids.forEach((id, i) => push(`whale ${id}`, drawn[i]!, drawn[i]! + a.duration));
    else push(`whale ${a.id}`, startMs + a.start.from, startMs + a.start.to + a.duration);
  }
  for (const j of scenario.fundamental.scheduledJumps) {
    if (j.logSize < 0) push(`jump ${(100 * (Math.exp(j.logSize) - 1)).toFixed(1)}%`, startMs + j.at, startMs + j.at + (opts.jumpWindowMs ?? HOUR_MS));
  }
  for (const a of scenario.agents) {
    if (a.kind !== 'panic' || !opts.fundamental) continue;
    for (const w of drawdownWindows(opts.fundamental, a.window, a.drawdownPct)) push(`panic ${a.id}`, w.startMs, w.endMs);
  }
  return out.sort((a, b) => a.startMs - b.startMs);
}

/**
 * Windows where the series is more than `drawdownPct` below its peak over the trailing `windowMs`
 * (peak over samples in [t − windowMs, t]): from the first such sample to the last + windowMs,
 * joined when they overlap.
 */
export function drawdownWindows(xs: readonly TimedValue[], windowMs: number, drawdownPct: number): TimeWindow[] {
  const out: TimeWindow[] = [];
  const peaks: { t: number; v: number }[] = []; // decreasing values: the front is the window's peak
  for (const x of xs) {
    if (x.v === null) continue;
    while (peaks.length && peaks[peaks.length - 1]!.v <= x.v) peaks.pop();
    peaks.push({ t: x.t, v: x.v });
    while (peaks[0]!.t < x.t - windowMs) peaks.shift();
    if (1 - x.v / peaks[0]!.v <= drawdownPct / 100) continue;
    const last = out[out.length - 1];
    if (last && x.t <= last.endMs) last.endMs = x.t + windowMs;
    else out.push({ startMs: x.t, endMs: x.t + windowMs });
  }
  return out;
}

/** Drawdown beyond the fundamental and time to recover, for one venue's mids in one episode. */
export function episodeDrawdown(mids: readonly TimedValue[], fundamental: readonly TimedValue[], episode: Episode, outages: readonly TimeWindow[], tolerance = 0.005): EpisodeScore {
  // log(mid/F) at each healthy mid sample, F held from its last sample at or before the mid's time.
  const xs: { t: number; x: number }[] = [];
  let fi = -1;
  for (const m of mids) {
    while (fi + 1 < fundamental.length && fundamental[fi + 1]!.t <= m.t) fi++;
    const f = fi >= 0 ? fundamental[fi]!.v : null;
    if (m.v === null || m.v <= 0 || f === null || f <= 0 || !isHealthy(m.t, outages)) continue;
    xs.push({ t: m.t, x: Math.log(m.v / f) });
  }
  let deepest: { t: number; x: number } | undefined;
  for (const p of xs) {
    if (p.t < episode.startMs || p.t > episode.endMs) continue;
    if (!deepest || p.x < deepest.x) deepest = p;
  }
  if (!deepest) return { ...episode, deepestLog: null, deepestPct: null, deepestAt: null, recoverMs: null };
  const deepestLog = Math.min(0, deepest.x);
  // Never below the fundamental: nothing to recover from.
  const back = deepest.x >= 0 ? deepest : xs.find((p) => p.t >= deepest.t && Math.abs(Math.exp(p.x) - 1) <= tolerance);
  return {
    ...episode,
    deepestLog,
    deepestPct: 100 * (Math.exp(deepestLog) - 1),
    deepestAt: deepest.t,
    recoverMs: back ? healthyMs(deepest.t, back.t, outages) : null,
  };
}
