// The quoting settings both quoting benchmarks use: pure-mm, 2000 quote of depth per side within
// ±2 % on a 5-level ladder; each bench sizes orders and inventory for its own market.
import type { VenueQuoterConfig } from '../hotpath/venue-quoter';

export function benchQuoterConfig(sizes: { orderAmount: string; targetInventory: string; maxInventory: string; killInventory: string }): VenueQuoterConfig {
  return {
    model: { model: 'pure-mm', bidSpreadPct: '0.4', askSpreadPct: '0.4', orderAmount: sizes.orderAmount, orderLevels: 3, levelSpacingPct: '0.3' },
    depth: { quote: '2000', bandPct: '2', levels: 5, stepPct: '0.3' },
    refresh: { pricePct: '0.5', amountPct: '10' },
    sizeJitterPct: '5',
    targetInventory: sizes.targetInventory,
    maxInventory: sizes.maxInventory,
    tickMs: 1_000,
    tickJitterPct: 20,
    reconcileEveryMs: 10_000,
    balanceEveryMs: 5_000,
    maxDataAgeMs: 60_000,
    volHalfLifeSec: 60,
    seedVolatility: 0.0005,
    killSwitch: { maxInventoryBase: sizes.killInventory, maxDataAgeMs: 120_000 },
  };
}
