// Ready-made settings for a simulated exchange, for tests and quick scenarios: a BLST/USDT market
// with round numbers (so expected fees can be worked out by hand) and ERC20-like withdrawals.
import type { EngineMarketConfig } from '../engine/engine.types';
import type { CexScenarioVenue } from '../market/scenario.schema';
import type { SimExchangeConfig } from './sim-exchange';
import type { WithdrawalsConfig } from './transfer-desk';

export const PRESET_MARKET: EngineMarketConfig = {
  symbol: 'BLST/USDT',
  base: 'BLST',
  quote: 'USDT',
  tickSize: '0.01',
  lotSize: '0.1',
  minNotional: '5',
  makerFee: '0.001',
  takerFee: '0.002',
};

export const PRESET_WITHDRAWALS: WithdrawalsConfig = {
  fees: { BLST: '2', USDT: '1' },
  minConfirmations: 3,
  blockTimeMs: 12_000,
  processingDelayMs: 30_000,
};

/** The preset exchange settings with `id`; override any part. */
export function presetExchangeConfig(id: string, overrides: Partial<Omit<SimExchangeConfig, 'id'>> = {}): SimExchangeConfig {
  return {
    id,
    market: PRESET_MARKET,
    latencyMs: { min: 5, max: 25 },
    rateLimit: { capacity: 50, refillPerSec: 20 },
    requestTimeoutMs: 10_000,
    withdrawals: PRESET_WITHDRAWALS,
    ...overrides,
  };
}

/**
 * A scenario CEX venue as a SimExchange: request latency, rate limit, withdrawal fees. The demo's
 * simulated market (workers/market.ts) and the closed-loop backtester build their exchanges with it,
 * so what a backtest measures is the market `npm start` runs.
 */
export function scenarioExchangeConfig(v: CexScenarioVenue): SimExchangeConfig {
  const [base, quote] = v.market.split('/') as [string, string];
  return {
    id: v.id,
    market: { symbol: v.market, base, quote, tickSize: v.rules.tickSize, lotSize: v.rules.lotSize, minNotional: v.rules.minNotional, makerFee: v.fees.maker, takerFee: v.fees.taker },
    latencyMs: { min: 5, max: 40 },
    rateLimit: { capacity: 200, refillPerSec: 100 },
    requestTimeoutMs: 10_000,
    withdrawals: { ...PRESET_WITHDRAWALS, fees: { [base]: '2', [quote]: '1' } },
  };
}
