// Boundary schemas of the AMM venue: its options and the requests of its AMM-specific methods.
// Every error names the field (parseOrThrow → ValidationError → VenueError 'VENUE.INVALID_ORDER').
import { isAddress } from 'ethers';
import { z } from 'zod';
import { zNonNegativeDecimal, zPositiveDecimal } from '../../domain/money';

const zAddress = z.string().refine((v) => isAddress(v), { message: 'expected an EVM address (0x + 40 hex digits)' });
const zBps = z.number().int().min(0).max(10_000);
const zDeadlineSec = z.number().int().positive().max(86_400);

export const AmmVenueOptionsSchema = z
  .object({
    id: z.string().min(1),
    rpcUrl: z.url(),
    chainId: z.number().int().positive(),
    router: zAddress,
    pair: zAddress,
    /** Token addresses of the market's base (BLST) and quote (USDC). */
    base: zAddress,
    quote: zAddress,
    /** A local key (live) or one of the node's unlocked accounts (local chain only). */
    wallet: z.union([z.object({ privateKey: z.string().regex(/^0x[0-9a-fA-F]{64}$/, 'expected 0x + 64 hex digits') }).strict(), z.object({ account: z.number().int().min(0) }).strict()]),
    /** Network name in deposit addresses and transfer records. */
    network: z.string().min(1).default('evm-local'),
    /** Pool fee as a fraction; Uniswap V2 is 0.3 %. */
    fee: zNonNegativeDecimal.default('0.003'),
    /** Distance between implied-book price points, percent of mid. */
    bookStepPct: zPositiveDecimal.default('0.1'),
    /** Decimal places of implied-book prices (asks rounded up, bids down). */
    priceDp: z.number().int().min(0).max(36).default(12),
    rpcTimeoutMs: z.number().int().positive().default(10_000),
    /** How long to wait for a receipt before reporting a transaction as pending. */
    confirmTimeoutMs: z.number().int().positive().default(30_000),
    defaultDeadlineSec: zDeadlineSec.default(120),
  })
  .strict();
export type AmmVenueOptions = z.input<typeof AmmVenueOptionsSchema> & { now?: () => number };
export type AmmVenueSettings = z.output<typeof AmmVenueOptionsSchema>;

export const zSide = z.enum(['buy', 'sell']);

export const QuoteRequestSchema = z.object({ side: zSide, amountIn: zPositiveDecimal }).strict();
export type QuoteRequest = z.input<typeof QuoteRequestSchema>;

const deadlineFields = {
  /** Seconds from the chain's latest block time. */
  deadlineSec: zDeadlineSec.optional(),
  /** Absolute deadline, unix seconds (wins over deadlineSec). */
  deadline: z.number().int().nonnegative().optional(),
};

export const SwapRequestSchema = z
  .object({
    side: zSide,
    amountIn: zPositiveDecimal,
    maxSlippageBps: zBps.optional(),
    minAmountOut: zNonNegativeDecimal.optional(),
    ...deadlineFields,
  })
  .strict()
  .refine((r) => (r.maxSlippageBps === undefined) !== (r.minAmountOut === undefined), {
    message: 'give exactly one of maxSlippageBps and minAmountOut',
    path: ['maxSlippageBps'],
  });
export type SwapRequest = z.input<typeof SwapRequestSchema>;

export const AddLiquidityRequestSchema = z
  .object({ base: zPositiveDecimal, quote: zPositiveDecimal, maxSlippageBps: zBps.default(50), ...deadlineFields })
  .strict();
export type AddLiquidityRequest = z.input<typeof AddLiquidityRequestSchema>;

export const RemoveLiquidityRequestSchema = z
  .object({ liquidity: zPositiveDecimal, maxSlippageBps: zBps.default(50), ...deadlineFields })
  .strict();
export type RemoveLiquidityRequest = z.input<typeof RemoveLiquidityRequestSchema>;

export const WithdrawRequestSchema = z
  .object({ asset: z.string().min(1), amount: zPositiveDecimal, address: zAddress, network: z.string().min(1), idempotencyKey: z.string().min(1) })
  .strict();

export const DepthPctSchema = zPositiveDecimal.refine((v) => Number(v) < 100, { message: 'must be below 100' });
