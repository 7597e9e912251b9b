// Cross-venue arbitrageurs: at each check they screen every ordered pair of their venues on float
// touch prices, then ask the exact planner (arb-planner.ts) for a plan on the promising ones and
// take the most profitable. They hold inventory on every venue and never move it between venues,
// so their inventory limits how far they can close a gap.
import { D } from '../../domain/money';
import type { Rng } from '../../domain/rng';
import type { AgentAction, AgentView, ArbitrageAction, MarketAgent } from './agent.types';
import { poissonDelayMs } from './agent.types';
import { planAmmToCex, planCexCex, planCexToAmm, type ArbPlanParams } from './arb-planner';

export interface ArbitrageurParams extends ArbPlanParams {
  venues: string[];
  /** Checks per minute (Poisson), i.e. the arbitrageur's reaction time. */
  ratePerMinute: number;
  /** Book levels read per CEX side. */
  depth: number;
  /** Plans executed per check at most (each re-planned on the new state). */
  maxTradesPerCheck: number;
}

export class Arbitrageur implements MarketAgent {
  readonly kind = 'arbitrage' as const;
  readonly venues: readonly string[];
  readonly decisionsPerTurn: number;

  constructor(
    readonly id: string,
    readonly params: ArbitrageurParams,
  ) {
    this.venues = params.venues;
    this.decisionsPerTurn = params.maxTradesPerCheck;
  }

  nextDelayMs(_now: number, rng: Rng): number {
    return poissonDelayMs(this.params.ratePerMinute, rng);
  }

  /** The best plan now (at most one: the runner calls again after executing it). */
  decide(view: AgentView, _rng: Rng): AgentAction[] {
    const plan = this.bestPlan(view);
    return plan ? [plan] : [];
  }

  bestPlan(view: AgentView): ArbitrageAction | undefined {
    let best: ArbitrageAction | undefined;
    const consider = (a: ArbitrageAction | undefined): void => {
      if (a && (!best || new D(a.expectedProfitQuote).gt(best.expectedProfitQuote))) best = a;
    };
    for (const buyId of this.venues) {
      for (const sellId of this.venues) {
        if (buyId === sellId) continue;
        const b = view.venue(buyId);
        const s = view.venue(sellId);
        if (!b || !s || b.ask === undefined || s.bid === undefined) continue;
        if (b.kind === 'amm' && s.kind === 'amm') continue;
        // Float screen on the touch (an AMM's touch includes the pool fee, its takerFee is 0).
        const buyCost = b.ask * (1 + b.takerFee);
        const sellGain = s.bid * (1 - s.takerFee);
        if (sellGain <= buyCost) continue;
        const eb = view.exact(buyId, this.params.depth);
        const es = view.exact(sellId, this.params.depth);
        if (!eb || !es) continue;
        if (eb.kind === 'cex' && es.kind === 'cex') consider(planCexCex(eb, es, this.params));
        else if (eb.kind === 'amm' && es.kind === 'cex') consider(planAmmToCex(eb, es, this.params));
        else if (eb.kind === 'cex' && es.kind === 'amm') consider(planCexToAmm(eb, es, this.params));
      }
    }
    return best;
  }
}
