// Pool liquidity: how much Ballast supplies to an AMM pool so it meets its own depth requirement
// with the least capital (V2 top-ups, V3 ranges), and the LP's impermanent loss against fees.
export * from './pool-liquidity.params';
export * from './v2-liquidity-planner';
export * from './v3-range-planner';
export * from './v3-ticks';
export * from './lp-accounting';
