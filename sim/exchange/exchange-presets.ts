// Ready-made settings for a simulated exchange, for tests and quick scenarios: a BLST/USDT market
// with round numbers (so expected fees can be worked out by hand) and ERC20-like withdrawals.
import type { EngineMarketConfig } from '../engine/engine.types';
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
