// The market's rules turned into integer units, once, at construction: tick and lot as integers,
// each asset's smallest unit, the quote cost of one tick × one lot, fee rates as exact fractions.
import { z } from 'zod';
import { parseOrThrow } from '../../domain/errors';
import { D, zDecimal, zNonNegativeDecimal, zPositiveDecimal } from '../../domain/money';
import type { EngineMarketConfig } from './engine.types';
import { parseSignedDecimal, pow10 } from './units';

export const DEFAULT_FEE_ACCOUNT = '__fees__';
export const DEFAULT_HISTORY_LIMIT = 10_000;
/** Default smallest unit of both assets: 1e-8, like most exchanges' balance precision. */
export const DEFAULT_ASSET_DECIMALS = 8;

export const STP_EXPIRE_TAKER = 0;
export const STP_EXPIRE_MAKER = 1;
export const STP_EXPIRE_BOTH = 2;

const zRate = zDecimal.refine((v) => new D(v).abs().lte(1), { message: 'must be between -1 and 1' });
const zDecimals = z.number().int().min(0).max(15);

const EngineMarketConfigSchema = z
  .object({
    symbol: z.string().min(1),
    base: z.string().min(1),
    quote: z.string().min(1),
    tickSize: zPositiveDecimal,
    lotSize: zPositiveDecimal,
    minNotional: zNonNegativeDecimal,
    makerFee: zRate,
    takerFee: zRate,
    selfTradePrevention: z.enum(['expire_taker', 'expire_maker', 'expire_both']).default('expire_maker'),
    feeAccount: z.string().min(1).default(DEFAULT_FEE_ACCOUNT),
    baseDecimals: zDecimals.optional(),
    quoteDecimals: zDecimals.optional(),
    historyLimit: z.number().int().min(1).max(10_000_000).default(DEFAULT_HISTORY_LIMIT),
  })
  .refine((c) => c.base !== c.quote, { message: 'base and quote must differ', path: ['quote'] });

export interface MarketUnits {
  readonly symbol: string;
  readonly base: string;
  readonly quote: string;
  /** Order and trade ids: `${idPrefix}-o-${n}` / `${idPrefix}-t-${n}` (the symbol without "/"). */
  readonly idPrefix: string;
  readonly feeAccount: string;
  readonly historyLimit: number;
  readonly stp: number;
  /** tickSize = tickMant × 10^-tickDp; lotSize likewise. */
  readonly tickMant: number;
  readonly tickDp: number;
  readonly lotMant: number;
  readonly lotDp: number;
  /** Smallest unit of each asset is 10^-dp. */
  readonly baseDp: number;
  readonly quoteDp: number;
  /** Base smallest units in one lot. */
  readonly lotUnits: number;
  /** Quote smallest units of one tick × one lot: notional(price, lots) = ticks × lots × tickLotUnits. */
  readonly tickLotUnits: number;
  readonly minNotionalUnits: number;
  readonly makerNum: number;
  readonly makerDen: number;
  readonly takerNum: number;
  readonly takerDen: number;
  /** Largest price (ticks) and amount (lots) whose derived integers stay safe. */
  readonly maxTicks: number;
  readonly maxLots: number;
}

function decimalParts(v: string, field: string): { mant: number; dp: number } {
  const p = parseSignedDecimal(v);
  if (p === undefined) throw new Error(`engine config ${field}: ${v} has too many digits for exact integer math`);
  return p;
}

export function deriveMarketUnits(input: EngineMarketConfig): MarketUnits {
  const c = parseOrThrow(EngineMarketConfigSchema, input, 'matching engine market config');
  const tick = decimalParts(c.tickSize, 'tickSize');
  const lot = decimalParts(c.lotSize, 'lotSize');
  const baseDp = c.baseDecimals ?? Math.max(DEFAULT_ASSET_DECIMALS, lot.dp);
  const quoteDp = c.quoteDecimals ?? Math.max(DEFAULT_ASSET_DECIMALS, tick.dp + lot.dp);
  // Every lot and every tick × lot must be a whole number of smallest units, or fills would round.
  if (baseDp < lot.dp) throw new Error(`engine config baseDecimals: ${baseDp} cannot represent lotSize ${c.lotSize}`);
  if (quoteDp < tick.dp + lot.dp) {
    throw new Error(`engine config quoteDecimals: ${quoteDp} cannot represent tickSize × lotSize exactly`);
  }
  const lotUnits = lot.mant * pow10(baseDp - lot.dp);
  const tickLotUnits = tick.mant * lot.mant * pow10(quoteDp - tick.dp - lot.dp);
  if (!Number.isSafeInteger(lotUnits) || !Number.isSafeInteger(tickLotUnits)) {
    throw new Error('engine config: tick/lot/decimals too large for exact integer math');
  }
  // A notional must reach minNotional exactly: compare against the minimum rounded up to a unit.
  const minNotionalUnits = Number(new D(c.minNotional).times(pow10(quoteDp)).ceil().toFixed());
  const maker = decimalParts(c.makerFee, 'makerFee');
  const taker = decimalParts(c.takerFee, 'takerFee');
  if (maker.dp > 15 || taker.dp > 15) throw new Error('engine config makerFee/takerFee: at most 15 decimals');
  const max = Number.MAX_SAFE_INTEGER;
  return {
    symbol: c.symbol,
    base: c.base,
    quote: c.quote,
    idPrefix: c.symbol.replace(/\//g, ''),
    feeAccount: c.feeAccount,
    historyLimit: c.historyLimit,
    stp: c.selfTradePrevention === 'expire_taker' ? STP_EXPIRE_TAKER : c.selfTradePrevention === 'expire_both' ? STP_EXPIRE_BOTH : STP_EXPIRE_MAKER,
    tickMant: tick.mant,
    tickDp: tick.dp,
    lotMant: lot.mant,
    lotDp: lot.dp,
    baseDp,
    quoteDp,
    lotUnits,
    tickLotUnits,
    minNotionalUnits,
    makerNum: maker.mant,
    makerDen: pow10(maker.dp),
    takerNum: taker.mant,
    takerDen: pow10(taker.dp),
    maxTicks: Math.floor(max / Math.max(tick.mant, tickLotUnits)),
    maxLots: Math.floor(max / lotUnits),
  };
}
