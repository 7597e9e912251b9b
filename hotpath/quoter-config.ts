// A venue's quoting configuration from the Ballast config (strategy + the venue's listing
// requirements): one mapping, used by the live quoting worker and by the backtester alike.
import type { BallastConfig, VenueConfig } from '../domain/config.schema';
import { D, fmt } from '../domain/money';
import { defaultQuoteParams } from '../domain/quoting/default-params';
import type { VenueQuoterConfig } from './venue-quoter';

/** Quoting parameters for one venue from the config's strategy and the venue's listing requirements. */
export function quoterConfigFor(config: BallastConfig, v: VenueConfig, mid: number, baseBalance: string): VenueQuoterConfig {
  const s = config.strategy;
  const q = v.quoting ?? {};
  const req = v.requirements;
  const levels = q.orderLevels ?? s.orderLevels;
  const spacing = q.levelSpacingPct ?? s.levelSpacingPct;
  // Depth target a little above the requirement (fills between refreshes eat into it), over the levels.
  const depthQuote = new D(req.minDepthQuote).times(q.depthMargin ?? '1.1');
  const levelQuote = Math.max(depthQuote.div(levels).toNumber(), 10);
  // Inventory target: what the account holds when quoting starts; rebalancing moves it (Treasury issue).
  const target = new D(baseBalance).toDecimalPlaces(0);
  const band = new D(s.inventoryBandPct).div(100);
  return {
    model: defaultQuoteParams(q.model ?? s.model, mid, levelQuote, {
      orderLevels: levels,
      levelSpacingPct: spacing,
      ...(q.halfSpreadPct !== undefined ? { halfSpreadPct: q.halfSpreadPct } : {}),
      ...(q.riskAversionScale !== undefined ? { riskAversionScale: q.riskAversionScale } : {}),
    }),
    depth: { quote: fmt(depthQuote.toDecimalPlaces(2)), bandPct: req.depthBandPct, levels, stepPct: spacing },
    refresh: { pricePct: q.refreshTolerancePct ?? s.refreshTolerancePct, amountPct: '10' },
    sizeJitterPct: '5',
    // New levels first, then the cancels: a cancel-first refresh left a side without our depth for
    // the cancels' round trips (≈ 5 % of the time on stress-24h); the account holds far more than two ladders.
    sequencing: 'place-first',
    // Our own best quotes meet the listing's spread requirement whatever the model's width.
    maxSpreadPct: req.maxSpreadPct,
    ...(s.inventorySkew?.scope === 'portfolio' ? { inventorySkew: { scope: 'portfolio' as const, venueDeadZonePct: s.inventorySkew.venueDeadZonePct } } : {}),
    targetInventory: fmt(target),
    maxInventory: fmt(target.times(new D(1).plus(band.times(5)))),
    tickMs: 1_000,
    tickJitterPct: 20,
    reconcileEveryMs: 15_000,
    balanceEveryMs: 5_000,
    maxDataAgeMs: 60_000,
    volHalfLifeSec: 300,
    seedVolatility: 0.0005,
    killSwitch: { maxInventoryBase: fmt(target.times(new D(1).plus(band.times(10)))), maxDataAgeMs: 180_000 },
  };
}
