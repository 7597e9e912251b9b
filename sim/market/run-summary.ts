// What a scenario run reports: trades and volume per venue, sampled price paths (venue mids vs the
// fundamental), each agent's activity and trading PnL, arbitrage profits, and the event log's size
// and hash (same seed ⇒ same hash).
import { D, fmt, type Dec } from '../../domain/money';
import type { ActivityStats, ArbitrageStats } from './action-executor';
import type { AgentSetup, StartingBalances } from './agent-factory';
import type { AgentKind } from './agent.types';
import type { SimVenue } from './live-view';

/** Running totals of one venue's trades. */
export interface VenueStats {
  trades: number;
  /** CEX: Σ lots and Σ ticks×lots; AMM: Σ base and quote token units. */
  base: bigint;
  quote: bigint;
}

export interface PriceSample {
  /** Offset from the start, ms. */
  t: number;
  fundamental: number;
  factor: number;
  /** Mid per venue (null when a book side is empty). */
  mids: Record<string, number | null>;
}

export interface VenueSummary {
  kind: 'cex' | 'amm';
  trades: number;
  volumeBase: string;
  volumeQuote: string;
  lastPrice: number | null;
  finalMid: number | null;
}

export interface AgentSummary extends ActivityStats {
  id: string;
  kind: AgentKind;
  /** Fills (as maker or taker) and swaps. */
  trades: number;
  baseChange: string;
  quoteChange: string;
  /** Trading PnL: quote change + base change × the final fundamental. */
  pnlQuote: string;
}

export interface ArbitrageSummary {
  executed: number;
  expectedProfitQuote: string;
  realizedProfitQuote: string;
  gasQuote: string;
  /** Lowest realized profit of one arbitrage, at the planner's mark price (never below 0 if exact). */
  worstRealizedQuote: string | null;
  mismatches: number;
}

export interface BackgroundSummary {
  venue: string;
  account: string;
  placed: number;
  cancelled: number;
  rejected: number;
  reference: number | null;
}

export interface RunSummary {
  scenario: string;
  seed: number;
  startMs: number;
  endMs: number;
  simulatedMs: number;
  /** Event-log records (orders, cancels, trades, swaps, price steps, arbitrages, ladder refreshes). */
  events: number;
  /** Clock callbacks run by the runner (price steps, agent turns, refreshes, expiries). */
  timerEvents: number;
  eventHash: string;
  fundamental: { initial: number; final: number; min: number; max: number };
  venues: Record<string, VenueSummary>;
  pricePath: PriceSample[];
  agents: AgentSummary[];
  arbitrage: ArbitrageSummary;
  background: BackgroundSummary[];
}

export function summarizeArbitrage(all: Iterable<ArbitrageStats>): ArbitrageSummary {
  let executed = 0;
  let mismatches = 0;
  let expected = new D(0);
  let realized = new D(0);
  let gas = new D(0);
  let worst: InstanceType<typeof D> | undefined;
  for (const a of all) {
    executed += a.executed;
    mismatches += a.mismatches;
    expected = expected.plus(a.expected);
    realized = realized.plus(a.realized);
    gas = gas.plus(a.gas);
    if (a.worstRealized && (!worst || a.worstRealized.lt(worst))) worst = a.worstRealized;
  }
  return {
    executed,
    expectedProfitQuote: fmt(expected, 8),
    realizedProfitQuote: fmt(realized, 8),
    gasQuote: fmt(gas, 8),
    worstRealizedQuote: worst ? fmt(worst, 8) : null,
    mismatches,
  };
}

export function venueSummary(v: SimVenue, st: VenueStats, mid: number | undefined): VenueSummary {
  const volume =
    v.kind === 'cex'
      ? {
          volumeBase: fmt(new D(st.base.toString()).times(v.config.rules.lotSize)),
          volumeQuote: fmt(new D(st.quote.toString()).times(v.config.rules.lotSize).times(v.config.rules.tickSize)),
        }
      : {
          volumeBase: fmt(new D(st.base.toString()).div(new D(10).pow(v.config.baseDecimals)), 8),
          volumeQuote: fmt(new D(st.quote.toString()).div(new D(10).pow(v.config.quoteDecimals)), 8),
        };
  return { kind: v.kind, trades: st.trades, ...volume, lastPrice: v.lastPrice ?? null, finalMid: mid ?? null };
}

/** Activity and trading PnL of an agent: balance changes over all its venues, base marked at `mark`. */
export function agentSummary(
  s: AgentSetup,
  activity: ActivityStats & { trades: number },
  initial: Record<string, StartingBalances>,
  now: { base: Dec; quote: Dec },
  mark: Dec,
): AgentSummary {
  let base0 = new D(0);
  let quote0 = new D(0);
  for (const b of Object.values(initial)) {
    base0 = base0.plus(b.base);
    quote0 = quote0.plus(b.quote);
  }
  const db = now.base.minus(base0);
  const dq = now.quote.minus(quote0);
  return { id: s.agent.id, kind: s.agent.kind, ...activity, baseChange: fmt(db, 8), quoteChange: fmt(dq, 8), pnlQuote: fmt(dq.plus(db.times(mark)), 8) };
}
