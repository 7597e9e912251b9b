// Turns a scenario's agent entries into agents with accounts and starting balances (`count` copies,
// ids `<id>-1 … <id>-n`, each its own account and seed).
import type { MarketAgent } from './agent.types';
import { Arbitrageur } from './arbitrageur';
import { InformedTrader } from './informed-trader';
import { MomentumTrader } from './momentum-trader';
import { NoiseTrader } from './noise-trader';
import { PanicSeller } from './panic-seller';
import type { ScenarioAgent } from './scenario.schema';
import { WhaleSeller } from './whale-seller';

export interface StartingBalances {
  base: string;
  quote: string;
}

export interface AgentSetup {
  agent: MarketAgent;
  /** The agent's account on every venue (equal to its id). */
  account: string;
  balances: Record<string, StartingBalances>;
}

function build(spec: ScenarioAgent, id: string): MarketAgent {
  const venues = [...spec.venues];
  switch (spec.kind) {
    case 'noise':
      return new NoiseTrader(id, {
        venues,
        ratePerMinute: spec.ratePerMinute,
        sizeQuote: spec.sizeQuote,
        marketableProb: spec.marketableProb,
        buyProb: spec.buyProb,
        maxSlippagePct: spec.maxSlippagePct,
        passiveOffsetPct: spec.passiveOffsetPct,
        passiveTtlMs: spec.passiveTtl,
      });
    case 'informed':
      return new InformedTrader(id, {
        venues,
        ratePerMinute: spec.ratePerMinute,
        leadMs: spec.lead,
        noisePct: spec.noisePct,
        thresholdPct: spec.thresholdPct,
        maxQuote: spec.maxQuote,
      });
    case 'momentum':
      return new MomentumTrader(id, {
        venues,
        ratePerMinute: spec.ratePerMinute,
        lookbackMs: spec.lookback,
        thresholdPct: spec.thresholdPct,
        sizeQuote: spec.sizeQuote,
        maxSlippagePct: spec.maxSlippagePct,
      });
    case 'panic':
      return new PanicSeller(id, {
        venues,
        ratePerMinute: spec.ratePerMinute,
        windowMs: spec.window,
        drawdownPct: spec.drawdownPct,
        sellFraction: spec.sellFraction,
        maxSlippagePct: spec.maxSlippagePct,
        cooldownMs: spec.cooldown,
      });
    case 'whale':
      return new WhaleSeller(id, {
        venues,
        startFromMs: spec.start.from,
        startToMs: spec.start.to,
        durationMs: spec.duration,
        totalBase: Number(spec.totalBase),
        slices: spec.slices,
        maxSlippagePct: spec.maxSlippagePct,
        jitter: spec.jitter,
      });
    case 'arbitrage':
      return new Arbitrageur(id, {
        venues,
        ratePerMinute: spec.ratePerMinute,
        minProfitQuote: spec.minProfitQuote,
        gasQuote: spec.gasQuote,
        maxTradeQuote: spec.maxTradeQuote,
        depth: spec.depth,
        maxTradesPerCheck: spec.maxTradesPerCheck,
      });
  }
}

export function buildAgents(specs: readonly ScenarioAgent[]): AgentSetup[] {
  const out: AgentSetup[] = [];
  for (const spec of specs) {
    for (let i = 1; i <= spec.count; i++) {
      const id = spec.count === 1 ? spec.id : `${spec.id}-${i}`;
      const balances: Record<string, StartingBalances> = {};
      for (const v of spec.venues) balances[v] = spec.venueBalances?.[v] ?? spec.balances;
      out.push({ agent: build(spec, id), account: id, balances });
    }
  }
  return out;
}

/** How far back any agent looks (sizes the mid history). */
export function maxLookbackMs(specs: readonly ScenarioAgent[]): number {
  let max = 0;
  for (const s of specs) {
    if (s.kind === 'momentum') max = Math.max(max, s.lookback);
    if (s.kind === 'panic') max = Math.max(max, s.window);
  }
  return max;
}
