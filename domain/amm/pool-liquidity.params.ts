// Parameters of Ballast's pool-liquidity provision (both V2 top-ups and V3 ranges), validated once at
// the boundary. Margins are fractions of the venue's own depth requirement; the defaults keep a
// 10 % cushion, add below +2 %, and remove only above +30 % so a normal price swing never churns.
import { z } from 'zod';

export const PoolLiquidityParamsSchema = z
  .object({
    /** Depth aimed for after an add or a remove: requirement × (1 + targetMargin). */
    targetMargin: z.number().min(0).max(5).default(0.1),
    /** Add when depth < requirement × (1 + addBelowMargin). Must be below targetMargin (hysteresis). */
    addBelowMargin: z.number().min(0).max(5).default(0.02),
    /** Remove the excess when depth > requirement × (1 + removeAboveMargin). */
    removeAboveMargin: z.number().min(0).max(50).default(0.3),
    /** Minimum time between two liquidity actions (adds below the requirement itself are urgent and skip it). */
    cooldownMs: z.number().int().min(0).default(300_000),
    /** V3: range half-width = band × rangeWidthFactor (≥ 1: the range contains the band with a buffer). */
    rangeWidthFactor: z.number().min(1).max(50).default(1.5),
    /** How often the provider asks the planner. */
    checkEveryMs: z.number().int().positive().default(30_000),
    /** Slippage limit of adds/removes on chain. */
    maxSlippageBps: z.number().int().min(0).max(10_000).default(100),
  })
  .strict()
  .refine((p) => p.addBelowMargin < p.targetMargin && p.targetMargin < p.removeAboveMargin, {
    message: 'needs addBelowMargin < targetMargin < removeAboveMargin (the hysteresis band)',
    path: ['targetMargin'],
  });

export type PoolLiquidityParams = z.output<typeof PoolLiquidityParamsSchema>;
export type PoolLiquidityParamsInput = z.input<typeof PoolLiquidityParamsSchema>;

export const DEFAULT_POOL_LIQUIDITY_PARAMS: PoolLiquidityParams = PoolLiquidityParamsSchema.parse({});
