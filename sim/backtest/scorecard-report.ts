// The scorecard of one backtest run, per venue and overall, built from the recorded series with the
// metrics of scorecard.ts and sell-off-episodes.ts, and printed as text tables. Ratios to the
// no-market-maker run come from passing that run's card as `none`.
import type Decimal from 'decimal.js';
import { D, type Dec } from '../../domain/money';
import type { TimeWindow } from './fault-schedule';
import type { TimedValue } from './metrics';
import { episodeDrawdown, type Episode, type EpisodeScore } from './sell-off-episodes';
import {
  addUptime,
  arbitrageLeakage,
  costPerMillionDepthDay,
  depthMillionDays,
  economics,
  excessVolatility,
  healthyMs,
  maxDeviation,
  pooledVol,
  ratioOf,
  requirementUptime,
  uptimePct,
  volumeScore,
  volVsFundamental,
  type BookSample,
  type DepthSample,
  type Economics,
  type EconomicsInput,
  type Requirement,
  type Uptime,
  type VenuePnl,
  type VolStat,
  type VolumeScore,
} from './scorecard';

/** What the recorder gathered for one venue (times in the card's time base). */
export interface VenueSeries {
  venue: string;
  /** Without one, the venue gets no uptime or volume verdicts. */
  requirement?: Requirement;
  book: readonly BookSample[];
  mids: readonly TimedValue[];
  /** The venue's cumulative traded quote volume (everyone's). */
  cumVolumeQuote?: readonly TimedValue[];
  /** Ballast's own depth within ±2 % (its orders; on a pool, its share of the implied depth). */
  ownDepth?: readonly DepthSample[];
  /** Ballast's base holdings on the venue. */
  mmBase?: readonly TimedValue[];
  pnl?: VenuePnl;
}

export interface ScorecardInput {
  strategy: string;
  startT: number;
  endT: number;
  fundamental: readonly TimedValue[];
  /** Per venue (outageWindows); a venue missing here is healthy throughout. */
  outages: Readonly<Record<string, readonly TimeWindow[]>>;
  episodes: readonly Episode[];
  venues: readonly VenueSeries[];
  arbitrageProfitQuote: Decimal.Value;
  /** Absent for the no-market-maker run. */
  economics?: EconomicsInput;
  /** Ballast's base over all venues, the pool and transfers in flight (for the overall deviation). */
  totalBase?: readonly TimedValue[];
  transfers?: { count: number; feesQuote: Decimal.Value };
  killSwitchTrips?: number;
}

export interface UptimePcts {
  spreadOkPct: number | null;
  depthBidOkPct: number | null;
  depthAskOkPct: number | null;
  /** Both sides at once (the thinner side meets the requirement): today's `depthOkPct`. */
  depthOkPct: number | null;
}

export interface VenueScore extends UptimePcts {
  venue: string;
  /** Healthy share of the run, %. */
  healthyPct: number;
  uptime: Uptime | null;
  volume: VolumeScore | null;
  excessVol: VolStat;
  /** Excess vol / the no-market-maker run's on this venue. */
  excessVolRatio: number | null;
  volVsFundamental: { mid: VolStat; fundamental: VolStat; ratio: number | null };
  episodes: EpisodeScore[];
  pnl: VenuePnl | null;
  ownDepthMDay: number;
  maxInventoryDev: number | null;
}

export interface Scorecard {
  strategy: string;
  /** The run's start in the card's time base (episode times print from it). */
  startT: number;
  venues: VenueScore[];
  overall: UptimePcts & {
    excessVol: VolStat;
    excessVolRatio: number | null;
    /**
     * The floor of excess vol without foresight: the fundamental's own 1-minute vol on the same
     * minutes. Δlog(mid/F) = Δlog mid − Δlog F; a mid that does not anticipate this minute's change
     * of F is uncorrelated with it, so E[(Δlog mid − Δlog F)²] = E[Δlog mid²] + σ_F² ≥ σ_F². Only
     * prices that lead the fundamental (informed flow) get below it.
     */
    excessVolFloor: VolStat;
    /** excessVolFloor / the no-market-maker run's excess vol: the lowest excessVolRatio reachable without foresight. */
    excessVolFloorRatio: number | null;
    /** Pooled venues' mid vol / the fundamental's on the same minutes. */
    volVsFundamentalRatio: number | null;
    /** The deepest drawdown of any venue in any episode. */
    worstEpisode: (EpisodeScore & { venue: string }) | null;
    arbitrage: { quote: Dec; ratio: number | null };
    economics: Economics | null;
    ownDepthMDay: number;
    costPerMDay: number | null;
    maxInventoryDev: number | null;
    transfers: { count: number; feesQuote: Dec };
    killSwitchTrips: number;
  };
}

function pcts(u: Uptime | null): UptimePcts {
  return {
    spreadOkPct: u ? uptimePct(u, 'spreadOkMs') : null,
    depthBidOkPct: u ? uptimePct(u, 'bidOkMs') : null,
    depthAskOkPct: u ? uptimePct(u, 'askOkMs') : null,
    depthOkPct: u ? uptimePct(u, 'bothOkMs') : null,
  };
}

function scoreVenue(x: ScorecardInput, s: VenueSeries, none: VenueScore | undefined): VenueScore {
  const out = x.outages[s.venue] ?? [];
  const uptime = s.requirement ? requirementUptime(s.book, s.requirement, x.endT, out) : null;
  const excessVol = excessVolatility(s.mids, x.fundamental, x.startT, x.endT, out);
  return {
    venue: s.venue,
    healthyPct: x.endT > x.startT ? (100 * healthyMs(x.startT, x.endT, out)) / (x.endT - x.startT) : 100,
    uptime,
    ...pcts(uptime),
    volume: s.cumVolumeQuote ? volumeScore(s.cumVolumeQuote, out, s.requirement?.minVolume24hQuote) : null,
    excessVol,
    excessVolRatio: ratioOf(excessVol.perStep, none?.excessVol.perStep),
    volVsFundamental: volVsFundamental(s.mids, x.fundamental, x.startT, x.endT, out),
    episodes: x.episodes.map((e) => episodeDrawdown(s.mids, x.fundamental, e, out)),
    pnl: s.pnl ?? null,
    ownDepthMDay: s.ownDepth ? depthMillionDays(s.ownDepth, x.endT) : 0,
    maxInventoryDev: s.mmBase ? maxDeviation(s.mmBase) : null,
  };
}

/** The card of one run; `none` (the no-market-maker run's card on the same seed) gives the ratios. */
export function buildScorecard(x: ScorecardInput, none?: Scorecard): Scorecard {
  const venues = x.venues.map((s) => scoreVenue(x, s, none?.venues.find((v) => v.venue === s.venue)));
  const withReq = venues.map((v) => v.uptime).filter((u): u is Uptime => u !== null);
  const excessVol = pooledVol(venues.map((v) => v.excessVol));
  const midVol = pooledVol(venues.map((v) => v.volVsFundamental.mid));
  const fVol = pooledVol(venues.map((v) => v.volVsFundamental.fundamental));
  let worst: (EpisodeScore & { venue: string }) | null = null;
  for (const v of venues) {
    for (const e of v.episodes) if (e.deepestLog !== null && (worst === null || e.deepestLog < worst.deepestLog!)) worst = { ...e, venue: v.venue };
  }
  const econ = x.economics ? economics(x.economics) : null;
  const depth = venues.reduce((s, v) => s + v.ownDepthMDay, 0);
  return {
    strategy: x.strategy,
    startT: x.startT,
    venues,
    overall: {
      ...pcts(withReq.length ? addUptime(withReq) : null),
      excessVol,
      excessVolRatio: ratioOf(excessVol.perStep, none?.overall.excessVol.perStep),
      excessVolFloor: fVol,
      excessVolFloorRatio: ratioOf(fVol.perStep, none?.overall.excessVol.perStep),
      volVsFundamentalRatio: ratioOf(midVol.perStep, fVol.perStep),
      worstEpisode: worst,
      arbitrage: arbitrageLeakage(x.arbitrageProfitQuote, none?.overall.arbitrage.quote),
      economics: econ,
      ownDepthMDay: depth,
      costPerMDay: econ ? costPerMillionDepthDay(econ.cost, depth) : null,
      maxInventoryDev: x.totalBase ? maxDeviation(x.totalBase) : null,
      transfers: { count: x.transfers?.count ?? 0, feesQuote: new D(x.transfers?.feesQuote ?? 0) },
      killSwitchTrips: x.killSwitchTrips ?? 0,
    },
  };
}

// ---- text ------------------------------------------------------------------------------------

const dash = '-';
const pct = (x: number | null, dp = 1): string => (x === null ? dash : `${x.toFixed(dp)}%`);
const times = (x: number | null): string => (x === null ? dash : `${x.toFixed(2)}×`);
const bp = (v: VolStat): string => (v.perStep === null ? dash : (v.perStep * 1e4).toFixed(2));
const money = (x: Dec | null | undefined): string => (x ? x.toFixed(2) : dash);
const num = (x: number | null, dp = 0): string => (x === null ? dash : x.toFixed(dp));
const dur = (ms: number | null): string => (ms === null ? 'never' : ms < 60_000 ? `${Math.round(ms / 1000)}s` : `${(ms / 60_000).toFixed(1)}m`);
/** Offset from the run start as +hh:mm. */
const at = (ms: number): string => {
  const m = Math.round(ms / 60_000);
  return `+${String(Math.floor(m / 60)).padStart(2, '0')}:${String(m % 60).padStart(2, '0')}`;
};

/** Text columns (the first `left`) align left, figures right. */
function table(head: string[], rows: string[][], left = 1): string {
  const w = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (r: string[]) => r.map((c, i) => (i < left ? c.padEnd(w[i]!) : c.padStart(w[i]!))).join('  ');
  return [line(head), w.map((n) => '-'.repeat(n)).join('  '), ...rows.map(line)].join('\n');
}

/** The card as text: market quality per venue and overall, sell-off episodes, economics. */
export function formatScorecard(card: Scorecard): string {
  const o = card.overall;
  const quality = table(
    ['venue', 'healthy', 'spread ok', 'bid ok', 'ask ok', 'depth ok', 'vol 24h', 'vs req', 'xs vol bp/1m', 'vs none', 'vol/F'],
    [
      ...card.venues.map((v) => [
        v.venue,
        pct(v.healthyPct),
        pct(v.spreadOkPct, 2),
        pct(v.depthBidOkPct, 2),
        pct(v.depthAskOkPct, 2),
        pct(v.depthOkPct, 2),
        num(v.volume?.per24hQuote ?? null),
        times(v.volume?.ratio ?? null),
        bp(v.excessVol),
        times(v.excessVolRatio),
        times(v.volVsFundamental.ratio),
      ]),
      ['overall', dash, pct(o.spreadOkPct, 2), pct(o.depthBidOkPct, 2), pct(o.depthAskOkPct, 2), pct(o.depthOkPct, 2), dash, dash, bp(o.excessVol), times(o.excessVolRatio), times(o.volVsFundamentalRatio)],
    ],
  );
  const e = o.economics;
  const maker =
    e &&
    table(
        ['venue', 'fees', 'realized', 'inventory', 'own depth $M·d', 'max inv dev'],
        [
          ...card.venues.map((v) => [v.venue, money(v.pnl?.fees), money(v.pnl?.realized), money(v.pnl?.inventory), num(v.ownDepthMDay, 3), num(v.maxInventoryDev)]),
          ['overall', money(e.fees), money(e.realized), money(e.inventory), num(o.ownDepthMDay, 3), num(o.maxInventoryDev)],
        ],
      );
  const t0 = card.startT;
  const episodes = card.venues.flatMap((v) =>
    v.episodes.map((ep) => [v.venue, ep.label, `${at(ep.startMs - t0)}–${at(ep.endMs - t0)}`, pct(ep.deepestPct, 2), ep.deepestAt === null ? dash : at(ep.deepestAt - t0), ep.deepestLog === null ? dash : dur(ep.recoverMs)]),
  );
  const lines = [
    `scorecard: ${card.strategy} (uptime, volume and volatility count healthy time only)`,
    quality,
    '',
    episodes.length ? table(['venue', 'sell-off episode', 'window', 'deepest vs F', 'at', 'recovered in'], episodes, 2) : 'no sell-off episodes',
    '',
    `excess-vol floor    ${bp(o.excessVolFloor)} bp/1m, the fundamental's own 1-minute vol (${times(o.excessVolFloorRatio)} the no-market-maker run): no mid that does not lead the fundamental gets below it`,
    `arbitrage leakage   ${money(o.arbitrage.quote)} quote (${times(o.arbitrage.ratio)} the no-market-maker run)`,
  ];
  if (e && maker) {
    lines.push(
      '',
      maker,
      `pool position       PnL ${money(e.poolPnl)} (impermanent loss ${money(e.impermanentLoss)}, fees earned ${money(e.poolFeesEarned)})`,
      `transfers           ${o.transfers.count} (fees ${money(o.transfers.feesQuote)})`,
      `mark-to-market      ${money(e.mtmPnl)} quote; holding the starting capital idle: ${money(e.hodlPnl)}`,
      `cost of liquidity   ${money(e.cost)} quote over ${num(o.ownDepthMDay, 3)} $M·day of ±2 % depth = ${num(o.costPerMDay, 2)} per $1M·day`,
    );
  }
  lines.push(`kill-switch trips   ${o.killSwitchTrips}`);
  return `${lines.join('\n')}\n`;
}
