// What an external trader sees and what it may do. Decisions are pure functions of an `AgentView`
// and an rng, so each agent is unit-tested on hand-made views; the scenario runner builds live views
// from the engines and the pool, and executes the actions (quantizing, checking budgets).
import type { Rng } from '../../domain/rng';
import type { Side } from '../engine/engine.types';

export type AgentKind = 'noise' | 'informed' | 'momentum' | 'panic' | 'whale' | 'arbitrage' | 'background';

/** A venue as model math sees it: floats, for decisions only. */
export interface VenueView {
  readonly id: string;
  readonly kind: 'cex' | 'amm';
  /** Best bid/ask (an AMM's are its marginal prices after the 0.3 % fee). */
  readonly bid: number | undefined;
  readonly ask: number | undefined;
  readonly mid: number | undefined;
  /** Last trade price and its time (an AMM: its last swap's average price). */
  readonly last: number | undefined;
  readonly lastTradeAt: number | undefined;
  /** Fee a taker pays on top of bid/ask: the CEX taker fee; 0 on an AMM (its bid/ask include the pool fee). */
  readonly takerFee: number;
  /** The sampled mid `ms` ago (undefined before history reaches that far). */
  midAgo(ms: number): number | undefined;
  /** The highest sampled mid within the last `ms`, including now. */
  peakWithin(ms: number): number | undefined;
}

/** Free balances of the agent on one venue, floats (decisions only; the runner re-checks exactly). */
export interface Holdings {
  base: number;
  quote: number;
}

/** Exact venue state for agents that must not lose money at decision time (arbitrageurs). */
export interface ExactBookLevel {
  price: string;
  amount: string;
}

export interface ExactCexState {
  kind: 'cex';
  id: string;
  bids: ExactBookLevel[];
  asks: ExactBookLevel[];
  takerFee: string;
  tickSize: string;
  lotSize: string;
  minNotional: string;
  /** The agent's free balances on the venue, decimal strings. */
  freeBase: string;
  freeQuote: string;
}

export interface ExactAmmState {
  kind: 'amm';
  id: string;
  reserveBase: bigint;
  reserveQuote: bigint;
  baseDecimals: number;
  quoteDecimals: number;
  /** The agent's wallet balances, token units. */
  walletBase: bigint;
  walletQuote: bigint;
}

export type ExactVenueState = ExactCexState | ExactAmmState;

export interface AgentView {
  readonly now: number;
  venue(id: string): VenueView | undefined;
  holdings(venueId: string): Holdings;
  /**
   * The true fundamental now, or `aheadMs` in the future. Only informed traders read it; everyone
   * else trades on what venues show.
   */
  fundamental(aheadMs?: number): number;
  /** Exact state for arbitrage (depth levels per CEX side). */
  exact(venueId: string, depth: number): ExactVenueState | undefined;
}

/** A float order: the runner quantizes it (price to tick against the agent, amount down to lot). */
export interface LimitAction {
  type: 'limit';
  venue: string;
  side: Side;
  price: number;
  amount: number;
  /** IOC = marketable up to `price`; GTC = rests (for `ttlMs` if given). On an AMM, only IOC: a swap up to `price`. */
  tif: 'IOC' | 'GTC';
  ttlMs?: number;
  postOnly?: boolean;
}

/** An exact IOC order (arbitrage legs): price and amount already on the venue's tick and lot. */
export interface ExactOrderAction {
  type: 'exactOrder';
  venue: string;
  side: Side;
  price: string;
  amount: string;
}

/** An exact-input swap; 'buy' pays quote for base. */
export interface SwapAction {
  type: 'swap';
  venue: string;
  side: Side;
  amountIn: bigint;
  minAmountOut: bigint;
}

export interface CancelAllAction {
  type: 'cancelAll';
  venue: string;
}

/** Legs executed together; `expectedProfitQuote` is what the planner proved at decision time. */
export interface ArbitrageAction {
  type: 'arbitrage';
  legs: (ExactOrderAction | SwapAction)[];
  expectedProfitQuote: string;
  /** Price at which the planner valued any base left over or missing (conservative). */
  markPrice: string;
  gasQuote: string;
}

export type AgentAction = LimitAction | ExactOrderAction | SwapAction | CancelAllAction | ArbitrageAction;

export interface MarketAgent {
  readonly id: string;
  readonly kind: AgentKind;
  readonly venues: readonly string[];
  /** Decisions per turn: the runner executes the actions and asks again, up to this many times (default 1). */
  readonly decisionsPerTurn?: number;
  /** Ms until this agent next acts, measured from `now`; undefined when it is done for the run. */
  nextDelayMs(now: number, rng: Rng): number | undefined;
  decide(view: AgentView, rng: Rng): AgentAction[];
}

/** Exponential inter-arrival time (Poisson process with `ratePerMinute`). */
export function poissonDelayMs(ratePerMinute: number, rng: Rng): number {
  return (-Math.log(1 - rng()) / ratePerMinute) * 60_000;
}
