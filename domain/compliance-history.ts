// Compliance over time: 10-second samples of a venue's verdict, and the rolling windows exchanges
// write their market-maker rules in (% of snapshots within the spread over 24 h, depth uptime,
// average daily volume over 15 days, uptime over 7 d, breach intervals). Pure: the stores, the API,
// the dashboard, the daily report and the complianceCheck workflow all summarize through here.
import { D, fmt } from './money';
import type { BookMetrics, ComplianceCheckItem, ComplianceVerdict, VenueRequirements } from './compliance';

export const HOUR_MS = 3_600_000;
export const DAY_MS = 24 * HOUR_MS;

/** "10s", "5m", "8d" → milliseconds (the config's zDuration form). */
export function durationMs(d: string): number {
  const m = /^(\d+)(ms|s|m|h|d)$/.exec(d);
  if (!m) throw new Error(`not a duration: "${d}"`);
  const unit = { ms: 1, s: 1_000, m: 60_000, h: HOUR_MS, d: DAY_MS }[m[2] as 'ms' | 's' | 'm' | 'h' | 'd'];
  return Number(m[1]) * unit;
}

/** Which rule a failed check breaks, as remediation and alerts name it. */
export type ComplianceRule = 'spread' | 'depth' | 'volume24h' | 'book';

/** One measurement of a venue's book against its requirements. */
export interface ComplianceSample {
  venue: string;
  /** Epoch ms of the measurement (venue book time). */
  at: number;
  /** 'sampler': the 10-second sampler; 'check': a complianceCheck workflow run. */
  source: 'sampler' | 'check';
  /** Two-sided, uncrossed book. */
  bookOk: boolean;
  /** (ask − bid) / mid × 100; absent when the book was not measurable. */
  spreadPct?: string;
  spreadOk: boolean;
  /** Depth per band (pct → min side quote, bid and ask quote). */
  depth: { pct: string; bidQuote: string; askQuote: string; minSideQuote: string }[];
  depthOk: boolean;
  volume24hQuote: string;
  volumeOk: boolean;
  compliant: boolean;
  /** The rules that failed (empty when compliant). */
  failed: ComplianceRule[];
}

/** The sample a verdict makes: the same figures the complianceCheck workflow returns. */
export function sampleFromVerdict(
  venue: string,
  at: number,
  source: ComplianceSample['source'],
  metrics: BookMetrics,
  volume24hQuote: string,
  verdict: ComplianceVerdict,
): ComplianceSample {
  const ok = (name: ComplianceCheckItem['name']) => verdict.checks.find((c) => c.name === name)?.ok ?? false;
  return {
    venue,
    at,
    source,
    bookOk: metrics.ok,
    ...(metrics.ok ? { spreadPct: metrics.spreadPct } : {}),
    spreadOk: metrics.ok && ok('spread'),
    depth: metrics.ok ? metrics.depth.map((b) => ({ pct: b.pct, bidQuote: b.bidQuote, askQuote: b.askQuote, minSideQuote: b.minSideQuote })) : [],
    depthOk: metrics.ok && ok('depth'),
    volume24hQuote,
    volumeOk: ok('volume24h'),
    compliant: verdict.compliant,
    failed: verdict.checks.filter((c) => !c.ok).map((c) => c.name),
  };
}

export interface BreachInterval {
  /** First non-compliant sample, epoch ms. */
  from: number;
  /** End of the last non-compliant sample's slot (its time + the sampling period, within the window). */
  to: number;
  /** Every rule that failed at some point in the interval. */
  failed: ComplianceRule[];
  /** The interval runs to the newest sample in the window: the breach has not cleared (yet). */
  open: boolean;
}

export interface ComplianceSummary {
  venue: string;
  fromMs: number;
  toMs: number;
  sampleEveryMs: number;
  samples: number;
  compliantSamples: number;
  /** compliantSamples / samples; null without samples. Gaps are left out, never counted compliant. */
  uptimeRatio: number | null;
  /** Share of samples within the spread rule (the exchanges' "% of 10-second snapshots"). */
  spreadUptimeRatio: number | null;
  /** Share of samples meeting the depth rule. */
  depthUptimeRatio: number | null;
  /** samples / the samples the window should hold at the sampling period (capped at 1): 1 − unknown time. */
  coverageRatio: number;
  breaches: BreachInterval[];
}

/** The few columns a summary needs (what a store reads for a window). */
export type SamplePoint = Pick<ComplianceSample, 'at' | 'compliant' | 'spreadOk' | 'depthOk' | 'failed'>;

const ratio = (n: number, d: number): number | null => (d === 0 ? null : n / d);
const RULE_ORDER: ComplianceRule[] = ['book', 'spread', 'depth', 'volume24h'];

/**
 * Breach intervals: consecutive non-compliant samples merged. A gap longer than `maxGapMs` between
 * two samples (sampling stopped: unknown) ends an interval, so a breach never spans unknown time.
 * `points` sorted by time.
 */
export function breachIntervals(points: readonly SamplePoint[], o: { sampleEveryMs: number; toMs: number; maxGapMs?: number }): BreachInterval[] {
  const maxGap = o.maxGapMs ?? 3 * o.sampleEveryMs;
  const out: BreachInterval[] = [];
  let cur: { from: number; last: number; failed: Set<ComplianceRule> } | undefined;
  const close = (open: boolean) => {
    if (!cur) return;
    const failed = RULE_ORDER.filter((r) => cur!.failed.has(r));
    out.push({ from: cur.from, to: Math.min(cur.last + o.sampleEveryMs, o.toMs), failed, open });
    cur = undefined;
  };
  points.forEach((p, i) => {
    const prev = points[i - 1];
    if (cur && prev && p.at - prev.at > maxGap) close(false);
    if (p.compliant) {
      close(false);
      return;
    }
    cur ??= { from: p.at, last: p.at, failed: new Set() };
    cur.last = p.at;
    for (const r of p.failed) cur.failed.add(r);
  });
  close(true);
  return out;
}

export interface SampleCounts {
  samples: number;
  compliant: number;
  spreadOk: number;
  depthOk: number;
}

export function countSamples(points: readonly SamplePoint[]): SampleCounts {
  const c: SampleCounts = { samples: points.length, compliant: 0, spreadOk: 0, depthOk: 0 };
  for (const p of points) {
    if (p.compliant) c.compliant++;
    if (p.spreadOk) c.spreadOk++;
    if (p.depthOk) c.depthOk++;
  }
  return c;
}

/**
 * The summary from the window's counts and the points breach intervals need: every point, or just the
 * non-compliant ones each with the point right after it (what a store can select without reading the
 * whole window: breachIntervals gives the same intervals either way).
 */
export function summarizeCounted(venue: string, counts: SampleCounts, breachPoints: readonly SamplePoint[], o: { fromMs: number; toMs: number; sampleEveryMs: number }): ComplianceSummary {
  const n = counts.samples;
  const expected = Math.max(1, Math.floor((o.toMs - o.fromMs) / o.sampleEveryMs));
  return {
    venue,
    fromMs: o.fromMs,
    toMs: o.toMs,
    sampleEveryMs: o.sampleEveryMs,
    samples: n,
    compliantSamples: counts.compliant,
    uptimeRatio: ratio(counts.compliant, n),
    spreadUptimeRatio: ratio(counts.spreadOk, n),
    depthUptimeRatio: ratio(counts.depthOk, n),
    coverageRatio: Math.min(1, n / expected),
    breaches: breachIntervals(breachPoints, { sampleEveryMs: o.sampleEveryMs, toMs: o.toMs }),
  };
}

/** The summary of one venue's samples in [fromMs, toMs). `points` sorted by time, all inside the window. */
export function summarizeCompliance(venue: string, points: readonly SamplePoint[], o: { fromMs: number; toMs: number; sampleEveryMs: number }): ComplianceSummary {
  return summarizeCounted(venue, countSamples(points), points, o);
}

/** A UTC day's 24 h volume as last read that day (the daily series average daily volume is taken over). */
export interface DailyVolume {
  /** YYYY-MM-DD (UTC). */
  day: string;
  volume24hQuote: string;
  /** When it was read, epoch ms. */
  at: number;
}

export const utcDay = (ms: number): string => new Date(ms).toISOString().slice(0, 10);

/**
 * Average daily volume over the `days` complete UTC days before `nowMs` (today excluded: it is not
 * over). Days without a reading are left out (and counted in `daysMissing`), never read as zero.
 */
export function averageDailyVolume(daily: readonly DailyVolume[], nowMs: number, days = 15): { advQuote: string | null; daysCovered: number; daysMissing: number } {
  const today = utcDay(nowMs);
  const want = new Set(Array.from({ length: days }, (_, i) => utcDay(nowMs - (i + 1) * DAY_MS)));
  const got = daily.filter((d) => d.day !== today && want.has(d.day));
  const byDay = new Map(got.map((d) => [d.day, d.volume24hQuote]));
  const covered = byDay.size;
  const total = [...byDay.values()].reduce((a, v) => a.plus(v), new D(0));
  return { advQuote: covered === 0 ? null : fmt(total.div(covered), 8), daysCovered: covered, daysMissing: days - covered };
}

/** The rolling-window rules of one venue (config `requirements`, with defaults). */
export interface WindowRequirements {
  /** Minimum % of samples within the spread over 24 h. */
  minSpreadUptimePct: string;
  /** Minimum % of samples meeting the depth rule over 24 h. */
  minDepthUptimePct: string;
  /** Minimum average daily volume over 15 days (quote); absent ⇒ minVolume24hQuote. */
  minAdv15dQuote?: string;
}

export interface ComplianceWindows {
  venue: string;
  asOf: number;
  last24h: ComplianceSummary;
  last7d: ComplianceSummary;
  /** Per measured band, the share of 24 h samples whose thinner side met minDepthQuote. */
  depthUptimeByBand24h: { pct: string; ratio: number | null }[];
  adv15d: { advQuote: string | null; daysCovered: number; daysMissing: number };
  checks: { name: 'spreadUptime24h' | 'depthUptime24h' | 'adv15d'; required: string; actual: string; ok: boolean }[];
  /** Every window rule met (a rule without data yet is not a failure; see each check's actual). */
  compliant: boolean;
}

const pct = (r: number | null): string => (r === null ? 'no samples' : `${(r * 100).toFixed(2)}%`);

/** Per band, the share of samples with min side ≥ minDepthQuote. */
export function depthUptimeByBand(samples: readonly Pick<ComplianceSample, 'depth'>[], minDepthQuote: string): { pct: string; ratio: number | null }[] {
  const bands = [...new Set(samples.flatMap((s) => s.depth.map((b) => b.pct)))].sort((a, b) => new D(a).cmp(b));
  return bands.map((band) => ({
    pct: band,
    ratio: ratio(samples.filter((s) => s.depth.some((b) => b.pct === band && new D(b.minSideQuote).gte(minDepthQuote))).length, samples.length),
  }));
}

export function evaluateWindows(
  base: Pick<ComplianceWindows, 'venue' | 'asOf' | 'last24h' | 'last7d' | 'depthUptimeByBand24h' | 'adv15d'>,
  req: VenueRequirements & Partial<WindowRequirements>,
): ComplianceWindows {
  const minSpread = req.minSpreadUptimePct ?? DEFAULT_WINDOW_REQUIREMENTS.minSpreadUptimePct;
  const minDepth = req.minDepthUptimePct ?? DEFAULT_WINDOW_REQUIREMENTS.minDepthUptimePct;
  const minAdv = req.minAdv15dQuote ?? req.minVolume24hQuote;
  const s = base.last24h.spreadUptimeRatio;
  const d = base.last24h.depthUptimeRatio;
  const adv = base.adv15d.advQuote;
  const checks: ComplianceWindows['checks'] = [
    { name: 'spreadUptime24h', required: `>= ${minSpread}%`, actual: pct(s), ok: s === null || new D(s).times(100).gte(minSpread) },
    { name: 'depthUptime24h', required: `>= ${minDepth}% within ±${req.depthBandPct}%`, actual: pct(d), ok: d === null || new D(d).times(100).gte(minDepth) },
    { name: 'adv15d', required: `>= ${minAdv}`, actual: adv === null ? 'no complete day yet' : `${adv} over ${base.adv15d.daysCovered} d`, ok: adv === null || new D(adv).gte(minAdv) },
  ];
  return { ...base, checks, compliant: checks.every((c) => c.ok) };
}

export const DEFAULT_WINDOW_REQUIREMENTS: Required<Omit<WindowRequirements, 'minAdv15dQuote'>> = { minSpreadUptimePct: '95', minDepthUptimePct: '95' };
