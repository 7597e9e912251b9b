// `--seeds N`: the headline figures of N scorecards (one strategy, one scenario, N seeds) as the mean
// and the worst seed. "Worst" has a direction per figure (least uptime, most excess volatility, most
// cost, deepest drawdown...); each figure names its own worst seed, since one seed is rarely worst
// at everything.
import type { Scorecard } from './scorecard-report';

export interface SeedFigure {
  key: string;
  label: string;
  /** Higher is better (uptime) or lower is better (vol ratios, cost, leakage, trips). */
  better: 'higher' | 'lower';
  /** Null when the card has no value (e.g. a ratio without a no-market-maker run). */
  of(card: Scorecard): number | null;
}

const min = (xs: (number | null)[]): number | null => {
  const v = xs.filter((x): x is number => x !== null);
  return v.length ? Math.min(...v) : null;
};

export const SEED_FIGURES: readonly SeedFigure[] = [
  { key: 'spreadOkPct', label: 'spread ok % (overall)', better: 'higher', of: (c) => c.overall.spreadOkPct },
  { key: 'depthOkPct', label: 'depth ok % (overall, both sides)', better: 'higher', of: (c) => c.overall.depthOkPct },
  { key: 'worstVenueDepthOkPct', label: 'depth ok % (worst venue)', better: 'higher', of: (c) => min(c.venues.map((v) => v.depthOkPct)) },
  { key: 'worstVenueSpreadOkPct', label: 'spread ok % (worst venue)', better: 'higher', of: (c) => min(c.venues.map((v) => v.spreadOkPct)) },
  { key: 'excessVolRatio', label: 'excess vol × none', better: 'lower', of: (c) => c.overall.excessVolRatio },
  { key: 'volVsFundamentalRatio', label: 'realized vol × fundamental', better: 'lower', of: (c) => c.overall.volVsFundamentalRatio },
  { key: 'arbitrageRatio', label: 'arbitrage leakage × none', better: 'lower', of: (c) => c.overall.arbitrage.ratio },
  { key: 'deepestDrawdownPct', label: 'deepest drawdown vs F %', better: 'higher', of: (c) => c.overall.worstEpisode?.deepestPct ?? null },
  { key: 'costPerMDay', label: 'cost per $1M·day of depth', better: 'lower', of: (c) => c.overall.costPerMDay },
  { key: 'killSwitchTrips', label: 'kill-switch trips', better: 'lower', of: (c) => c.overall.killSwitchTrips },
];

export interface SeedStat {
  key: string;
  label: string;
  /** Mean over the seeds that have a value; null if none has. */
  mean: number | null;
  worst: number | null;
  worstSeed: number | null;
  seeds: number;
}

/** Mean and worst seed of each headline figure over `runs` (ties: the first seed listed). */
export function seedStats(runs: readonly { seed: number; card: Scorecard }[], figures: readonly SeedFigure[] = SEED_FIGURES): SeedStat[] {
  return figures.map((f) => {
    let sum = 0;
    let n = 0;
    let worst: { v: number; seed: number } | undefined;
    for (const r of runs) {
      const v = f.of(r.card);
      if (v === null || !Number.isFinite(v)) continue;
      sum += v;
      n++;
      if (!worst || (f.better === 'higher' ? v < worst.v : v > worst.v)) worst = { v, seed: r.seed };
    }
    return { key: f.key, label: f.label, mean: n ? sum / n : null, worst: worst?.v ?? null, worstSeed: worst?.seed ?? null, seeds: n };
  });
}

/** The stats as a text table. */
export function formatSeedStats(strategy: string, stats: readonly SeedStat[]): string {
  const f = (x: number | null) => (x === null ? '-' : Math.abs(x) >= 100 ? x.toFixed(1) : x.toFixed(3));
  const rows = stats.map((s) => [s.label, f(s.mean), f(s.worst), s.worstSeed === null ? '-' : String(s.worstSeed), String(s.seeds)]);
  const head = ['figure', 'mean', 'worst', 'worst seed', 'seeds'];
  const w = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (r: string[]) => r.map((c, i) => (i === 0 ? c.padEnd(w[i]!) : c.padStart(w[i]!))).join('  ');
  return [`${strategy} over ${Math.max(0, ...stats.map((s) => s.seeds))} seeds`, line(head), w.map((n) => '-'.repeat(n)).join('  '), ...rows.map(line)].join('\n') + '\n';
}
