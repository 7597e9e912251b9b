// One run's recording → the scorecard's input (scorecard-report.ts builds and prints the card). Times
// are offsets from the run's start (the recorder's time base): outages and sell-off episodes are
// taken with startMs = 0, the whales' drawn starts as offsets.
import type { VenueRequirements } from '../../domain/compliance';
import { D, type Dec } from '../../domain/money';
import type { TransferRecord } from '../../venues/venue.port';
import type { SimExchange } from '../exchange/sim-exchange';
import type { ScenarioRunner } from '../market/scenario-runner';
import { WhaleSeller } from '../market/whale-seller';
import { outageWindows } from './fault-schedule';
import { decomposePnl, type Recording, type TimedValue } from './metrics';
import type { PoolStats } from './closed-loop';
import type { ScorecardInput, VenueSeries } from './scorecard-report';
import { hodlPnl, type VenuePnl } from './scorecard';
import { sellOffEpisodes } from './sell-off-episodes';
import type { RunSummary } from '../market/run-summary';

export interface CardSources {
  strategy: string;
  runner: ScenarioRunner;
  summary: RunSummary;
  recording: Recording;
  requirements: Record<string, VenueRequirements>;
  exchanges: Record<string, SimExchange>;
  /** Ballast's account; undefined in the `none` run (no economics). */
  account?: string;
  killSwitchTrips: number;
  pool?: PoolStats;
}

/** Withdrawals that left the account (consumed: broadcast or landed), deposits credited to it. */
function moved(ex: SimExchange, account: string): { out: TransferRecord[]; in: TransferRecord[] } {
  return {
    out: ex.withdrawalRecords(account).filter((r) => r.status === 'confirming' || r.status === 'ok'),
    in: ex.depositRecords(account).filter((r) => r.status === 'ok'),
  };
}

export function scorecardInput(x: CardSources): ScorecardInput {
  const { runner, summary, recording: rec } = x;
  const endT = summary.simulatedMs;
  const whaleStarts: Record<string, number> = {};
  for (const a of runner.agents) if (a.agent instanceof WhaleSeller && a.agent.startAt !== undefined) whaleStarts[a.agent.id] = a.agent.startAt - runner.startMs;
  const fundamental: TimedValue[] = summary.pricePath.map((p) => ({ t: p.t, v: p.fundamental }));
  const mark0 = new D((rec.fundamental[0]?.v ?? summary.fundamental.initial).toPrecision(12));
  const mark1 = new D(summary.fundamental.final.toPrecision(12));
  const pnls: VenuePnl[] = [];
  let transferFees: Dec = new D(0);
  let transfers = 0;
  let startingBase: Dec = new D(0);
  const venues: VenueSeries[] = Object.entries(rec.venues).map(([venue, samples]) => {
    const req = x.requirements[venue];
    const s: VenueSeries = {
      venue,
      ...(req ? { requirement: { maxSpreadPct: req.maxSpreadPct, minDepthQuote: req.minDepthQuote, minVolume24hQuote: req.minVolume24hQuote } } : {}),
      book: samples.map((b) => ({ t: b.t, spreadPct: b.spreadPct, bidDepthQuote: b.bidDepthQuote, askDepthQuote: b.askDepthQuote })),
      mids: summary.pricePath.flatMap((p) => (typeof p.mids[venue] === 'number' ? [{ t: p.t, v: p.mids[venue] }] : [])),
      cumVolumeQuote: samples.map((b) => ({ t: b.t, v: b.cumVolumeQuote })),
    };
    const ex = x.exchanges[venue];
    if (x.account === undefined) return s;
    s.ownDepth = samples.map((b) => ({ t: b.t, bidQuote: b.mmBidDepthQuote, askQuote: b.mmAskDepthQuote }));
    if (!ex) return s;
    s.mmBase = samples.map((b) => ({ t: b.t, v: Number(b.mmBase) }));
    // Transfers are moves, not gains: what left is added back, what arrived taken out; fees are charged once, below.
    const m = moved(ex, x.account);
    const back = { base: new D(0), quote: new D(0) };
    for (const r of m.out) {
      const side = r.asset === ex.market.base ? 'base' : 'quote';
      back[side] = back[side].plus(r.amount).plus(r.fee);
      transferFees = transferFees.plus(side === 'base' ? new D(r.fee).times(mark1) : r.fee);
    }
    for (const r of m.in) {
      const side = r.asset === ex.market.base ? 'base' : 'quote';
      back[side] = back[side].minus(r.amount);
    }
    transfers += m.out.length;
    const first = samples[0];
    const last = samples[samples.length - 1];
    startingBase = startingBase.plus(first?.mmBase ?? 0);
    const p = decomposePnl({
      base0: first?.mmBase ?? 0,
      quote0: first?.mmQuote ?? 0,
      base1: new D(last?.mmBase ?? 0).plus(back.base),
      quote1: new D(last?.mmQuote ?? 0).plus(back.quote),
      mark0,
      mark1,
      fills: rec.fills[venue] ?? [],
    });
    s.pnl = { realized: p.realized, inventory: p.inventory, fees: p.fees, total: p.total };
    pnls.push(s.pnl);
    return s;
  });
  const cex = Object.keys(x.exchanges);
  const totalBase: TimedValue[] = rec.fundamental.map((f, i) => ({ t: f.t, v: cex.reduce((sum, id) => sum + Number(rec.venues[id]?.[i]?.mmBase ?? 0), 0) }));
  const pool = x.pool;
  // The pool's half in base at the start, for the idle-holding comparison (deposits are valued at their own price).
  const poolBase0 = pool ? new D(Number(pool['depositedQuote'] ?? 0) / 2 / Math.max(1e-12, mark0.toNumber())) : new D(0);
  return {
    strategy: x.strategy,
    startT: 0,
    endT,
    fundamental,
    outages: outageWindows(runner.scenario, 0),
    episodes: sellOffEpisodes(runner.scenario, 0, { whaleStarts }),
    venues,
    arbitrageProfitQuote: summary.arbitrage.realizedProfitQuote,
    ...(x.account !== undefined
      ? {
          economics: {
            venues: pnls,
            ...(pool ? { pool: { pnl: (pool['capitalQuote'] ?? 0) - (pool['depositedQuote'] ?? 0), impermanentLoss: pool.impermanentLossQuote, feesEarned: pool.feesQuote } } : {}),
            transferFeesQuote: transferFees,
            hodlPnl: hodlPnl(startingBase.plus(poolBase0), mark0, mark1),
          },
          totalBase,
          transfers: { count: transfers, feesQuote: transferFees },
          killSwitchTrips: x.killSwitchTrips,
        }
      : {}),
  };
}
