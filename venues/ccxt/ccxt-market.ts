// A ccxt market → the port's MarketRules: tick, lot, min notional and fee rates as exact decimals.
// Binance's raw filter strings are used when present; otherwise ccxt's precision numbers, read
// according to the exchange's precision mode (tick sizes, or numbers of decimal places).
import ccxt, { type Market } from 'ccxt';
import { z } from 'zod';
import { D, fmt } from '../../domain/money';
import { VenueError } from '../venue-errors';
import type { MarketRules } from '../venue.port';
import { badResponse, decimalsOf, finite, numberToDecimal, type Precision } from './ccxt-parse';

const MarketSchema = z.object({
  symbol: z.string().min(1),
  base: z.string().min(1),
  quote: z.string().min(1),
  precision: z.object({ price: finite.positive(), amount: finite.positive() }),
  limits: z.object({ cost: z.object({ min: finite.nonnegative().nullish() }).nullish() }).nullish(),
  maker: finite.nullish(),
  taker: finite.nullish(),
  info: z.unknown(),
});

/** A filter value from Binance's exchangeInfo (`info.filters`), when it is a plain decimal. */
function binanceFilter(info: unknown, type: string, key: string): string | undefined {
  const filters = (info as { filters?: unknown } | undefined)?.filters;
  if (!Array.isArray(filters)) return undefined;
  const f = (filters as Record<string, unknown>[]).find((x) => x?.filterType === type);
  const v = f?.[key];
  return typeof v === 'string' && /^\d+(\.\d+)?$/.test(v) ? fmt(v) : undefined;
}

/** ccxt precision → step size: TICK_SIZE mode gives the step, DECIMAL_PLACES the number of decimals. */
function step(value: number, precisionMode: number, venue: string, field: string): string {
  if (precisionMode === ccxt.TICK_SIZE) return numberToDecimal(value);
  if (precisionMode === ccxt.DECIMAL_PLACES && Number.isInteger(value)) return fmt(new D(10).pow(-value));
  throw new VenueError('VENUE.NOT_SUPPORTED', venue, `loadMarket: ${field}: precision mode ${precisionMode} (significant digits) is not supported`);
}

export function marketRules(
  market: Market,
  ctx: { venue: string; exchangeId: string; precisionMode: number; fees?: { maker: string; taker: string } },
): { rules: MarketRules; p: Precision } {
  const r = MarketSchema.safeParse(market);
  if (!r.success) throw badResponse(ctx.venue, 'loadMarket', r.error);
  const m = r.data;
  const isBinance = ctx.exchangeId === 'binance';
  const tickSize = (isBinance ? binanceFilter(m.info, 'PRICE_FILTER', 'tickSize') : undefined) ?? step(m.precision.price, ctx.precisionMode, ctx.venue, 'precision.price');
  const lotSize = (isBinance ? binanceFilter(m.info, 'LOT_SIZE', 'stepSize') : undefined) ?? step(m.precision.amount, ctx.precisionMode, ctx.venue, 'precision.amount');
  const minCost = m.limits?.cost?.min;
  const minNotional =
    (isBinance ? (binanceFilter(m.info, 'NOTIONAL', 'minNotional') ?? binanceFilter(m.info, 'MIN_NOTIONAL', 'minNotional')) : undefined) ??
    (minCost != null ? numberToDecimal(minCost) : '0');
  const rate = (given: string | undefined, n: number | null | undefined, field: string): string => {
    if (given !== undefined) return fmt(given);
    if (n == null) throw new VenueError('VENUE.BAD_RESPONSE', ctx.venue, `loadMarket: ${field}: missing fee rate`);
    return numberToDecimal(n, 10);
  };
  const rules: MarketRules = {
    symbol: m.symbol,
    base: m.base,
    quote: m.quote,
    tickSize,
    lotSize,
    minNotional,
    makerFee: rate(ctx.fees?.maker, m.maker, 'maker'),
    takerFee: rate(ctx.fees?.taker, m.taker, 'taker'),
  };
  const priceDp = decimalsOf(tickSize);
  const amountDp = decimalsOf(lotSize);
  return { rules, p: { priceDp, amountDp, assetDp: Math.max(8, priceDp, amountDp) } };
}
