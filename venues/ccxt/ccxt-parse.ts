// ccxt results → the venue port's types, validated with zod. ccxt hands out JS numbers (and
// `undefined`/NaN when an exchange answer lacks a field); nothing becomes a port value without a
// check that names the bad field, and money is turned into decimal strings exactly: the exchange's
// raw strings (`info`) when the adapter knows where they are, otherwise the number rounded to the
// market's precision (so float artefacts such as 0.30000000000000004 never leak out).
import { z } from 'zod';
import { toFieldIssues } from '../../domain/errors';
import { D, fmt } from '../../domain/money';
import type { BookLevel } from '../../domain/order-book';
import { VenueError } from '../venue-errors';
import type { Balance, Fill, PublicTrade, TransferRecord, TransferStatus, VenueOrder } from '../venue.port';

/** Where an exchange's raw answer keeps the exact decimal strings (only Binance is mapped so far). */
export interface RawFields {
  order: { price: string; amount: string; filled: string };
  trade: { price: string; amount: string; fee: string };
  transfer: { amount: string; fee: string; clientId: string };
}

export const RAW_FIELDS: Record<string, RawFields> = {
  binance: {
    order: { price: 'price', amount: 'origQty', filled: 'executedQty' },
    trade: { price: 'price', amount: 'qty', fee: 'commission' },
    transfer: { amount: 'amount', fee: 'transactionFee', clientId: 'withdrawOrderId' },
  },
};

const DECIMAL_RE = /^\d+(\.\d+)?$/;

/** Decimal places of a step like "0.01" (2) or "1" (0). */
export function decimalsOf(step: string): number {
  const s = fmt(step);
  return s.includes('.') ? s.split('.')[1]!.length : 0;
}

/**
 * A finite JS number as an exact decimal string. `String(n)` is the shortest representation that
 * round-trips, i.e. the digits the exchange sent when ccxt only parsed them; rounding to `dp`
 * removes what ccxt's own float arithmetic may have added.
 */
export function numberToDecimal(n: number, dp?: number): string {
  return fmt(new D(String(n)), dp);
}

/** The raw string at `info[key]` if it is a plain decimal, else undefined. */
function raw(info: unknown, key: string | undefined): string | undefined {
  if (key === undefined || info === null || typeof info !== 'object') return undefined;
  const v = (info as Record<string, unknown>)[key];
  return typeof v === 'string' && DECIMAL_RE.test(v) ? fmt(v) : undefined;
}

/** NaN and Infinity print as themselves, anything else as JSON. */
const show = (v: unknown): string => (typeof v === 'number' ? String(v) : (JSON.stringify(v) ?? typeof v));
export const finite = z.number({ error: (i) => (i.input === undefined ? 'missing' : `expected a finite number, got ${show(i.input)}`) });
const positive = finite.refine((n) => n > 0, { message: 'must be greater than 0' });
const nonNegative = finite.refine((n) => n >= 0, { message: 'must be 0 or more' });
const id = z.union([z.string().min(1), z.number().int().transform(String)], { error: (i) => (i.input === undefined ? 'missing' : `expected an id, got ${JSON.stringify(i.input)}`) });

export function badResponse(venue: string, what: string, error: z.ZodError): VenueError {
  const issues = toFieldIssues(error)
    .map((i) => `${i.path}: ${i.message}`)
    .join('; ');
  return new VenueError('VENUE.BAD_RESPONSE', venue, `${what}: malformed answer from the exchange: ${issues}`);
}

function parse<S extends z.ZodType>(schema: S, value: unknown, venue: string, what: string): z.output<S> {
  const r = schema.safeParse(value);
  if (!r.success) throw badResponse(venue, what, r.error);
  return r.data;
}

export interface Precision {
  /** Decimal places of prices (tick) and amounts (lot). */
  priceDp: number;
  amountDp: number;
  /** Decimal places for fees and balances. */
  assetDp: number;
}

const OrderSchema = z.object({
  id,
  clientOrderId: z.string().nullish(),
  side: z.enum(['buy', 'sell']),
  price: positive,
  amount: positive,
  filled: nonNegative,
  status: z.enum(['open', 'closed', 'canceled', 'expired', 'rejected']),
  timestamp: z.number().int().nonnegative().nullish(),
  info: z.unknown(),
});

export function toVenueOrder(o: unknown, ctx: { venue: string; what: string; raw?: RawFields; p: Precision; now: number }): VenueOrder {
  const v = parse(OrderSchema, o, ctx.venue, ctx.what);
  const rf = ctx.raw?.order;
  const price = raw(v.info, rf?.price) ?? numberToDecimal(v.price, ctx.p.priceDp);
  const amount = raw(v.info, rf?.amount) ?? numberToDecimal(v.amount, ctx.p.amountDp);
  const filled = raw(v.info, rf?.filled) ?? numberToDecimal(v.filled, ctx.p.amountDp);
  let status: VenueOrder['status'];
  switch (v.status) {
    case 'open':
      status = new D(filled).gt(0) ? 'partially_filled' : 'open';
      break;
    case 'closed':
      status = 'filled';
      break;
    case 'rejected':
      status = 'rejected';
      break;
    default:
      // An IOC remainder expires; for the port that is a cancel (with whatever was filled).
      status = 'canceled';
  }
  return {
    venueOrderId: v.id,
    ...(v.clientOrderId ? { clientOrderId: v.clientOrderId } : {}),
    side: v.side,
    price,
    amount,
    filled,
    status,
    timestamp: v.timestamp ?? ctx.now,
  };
}

const TradeSchema = z.object({
  id,
  order: id,
  side: z.enum(['buy', 'sell']),
  price: positive,
  amount: positive,
  takerOrMaker: z.enum(['maker', 'taker'], { error: 'expected "maker" or "taker"' }),
  fee: z.object({ cost: finite, currency: z.string().min(1) }, { error: 'missing' }),
  timestamp: z.number().int().nonnegative(),
  info: z.unknown(),
});

export function toFill(t: unknown, ctx: { venue: string; raw?: RawFields; p: Precision; clientIds: ReadonlyMap<string, string> }): Fill {
  const v = parse(TradeSchema, t, ctx.venue, 'fetchMyTrades');
  const rf = ctx.raw?.trade;
  const clientOrderId = ctx.clientIds.get(v.order);
  return {
    tradeId: v.id,
    venueOrderId: v.order,
    ...(clientOrderId ? { clientOrderId } : {}),
    side: v.side,
    price: raw(v.info, rf?.price) ?? numberToDecimal(v.price, ctx.p.priceDp),
    amount: raw(v.info, rf?.amount) ?? numberToDecimal(v.amount, ctx.p.amountDp),
    fee: raw(v.info, rf?.fee) ?? numberToDecimal(v.fee.cost, ctx.p.assetDp),
    feeAsset: v.fee.currency,
    liquidity: v.takerOrMaker,
    timestamp: v.timestamp,
  };
}

const LevelSchema = z.tuple([positive, positive], { error: 'expected [price, amount]' }).rest(z.unknown());
const BookSchema = z.object({ bids: z.array(LevelSchema), asks: z.array(LevelSchema), timestamp: z.number().int().nullish() });

export function toBook(b: unknown, ctx: { venue: string; what: string; p: Precision; limit?: number }): { bids: BookLevel[]; asks: BookLevel[]; timestamp?: number } {
  const v = parse(BookSchema, b, ctx.venue, ctx.what);
  const level = (l: [number, number, ...unknown[]]): BookLevel => ({ price: numberToDecimal(l[0], ctx.p.priceDp), amount: numberToDecimal(l[1], ctx.p.amountDp) });
  const cut = <T>(xs: T[]): T[] => (ctx.limit === undefined ? xs : xs.slice(0, ctx.limit));
  return { bids: cut(v.bids).map(level), asks: cut(v.asks).map(level), ...(v.timestamp ? { timestamp: v.timestamp } : {}) };
}

const TransferSchema = z.object({
  id,
  txid: z.string().nullish(),
  timestamp: z.number().int().nonnegative(),
  network: z.string().nullish(),
  address: z.string().nullish(),
  tag: z.string().nullish(),
  type: z.enum(['deposit', 'withdrawal']),
  amount: positive,
  currency: z.string().min(1),
  status: z.enum(['pending', 'ok', 'failed', 'canceled']),
  fee: z.object({ cost: finite.nullish() }).nullish(),
  info: z.unknown(),
});

/** Confirmations from the raw answer where the exchange reports them (Binance: confirmNo, confirmTimes "n/N"). */
function confirmationsOf(info: unknown): number | undefined {
  if (info === null || typeof info !== 'object') return undefined;
  const i = info as Record<string, unknown>;
  if (typeof i.confirmNo === 'number' && Number.isInteger(i.confirmNo)) return i.confirmNo;
  if (typeof i.confirmTimes === 'string' && /^\d+\/\d+$/.test(i.confirmTimes)) return Number(i.confirmTimes.split('/')[0]);
  return undefined;
}

export function toTransfer(t: unknown, ctx: { venue: string; what: string; raw?: RawFields; assetDp: number }): TransferRecord {
  const v = parse(TransferSchema, t, ctx.venue, ctx.what);
  const info = (v.info ?? {}) as Record<string, unknown>;
  const confirmations = confirmationsOf(info) ?? 0;
  const txHash = v.txid || undefined;
  // ccxt folds "processing", "broadcast" and "confirming" into 'pending'; a tx hash means it is on chain.
  const status: TransferStatus = v.status === 'pending' && txHash !== undefined ? 'confirming' : v.status;
  const rf = ctx.raw?.transfer;
  const amountRaw = raw(info, rf?.amount);
  const feeRaw = raw(info, rf?.fee);
  const keyRaw = rf ? info[rf.clientId] : undefined;
  const key = typeof keyRaw === 'string' && keyRaw !== '' ? keyRaw : undefined;
  return {
    id: v.id,
    type: v.type,
    asset: v.currency,
    amount: amountRaw ?? numberToDecimal(v.amount, ctx.assetDp),
    fee: feeRaw ?? (v.fee?.cost != null ? numberToDecimal(v.fee.cost, ctx.assetDp) : '0'),
    address: v.address ?? '',
    network: v.network ?? '',
    ...(v.tag ? { memo: v.tag } : {}),
    ...(txHash !== undefined ? { txHash } : {}),
    confirmations,
    status,
    ...(key !== undefined ? { idempotencyKey: key } : {}),
    timestamp: v.timestamp,
  };
}

const PublicTradeSchema = z.object({ id, side: z.enum(['buy', 'sell']), price: positive, amount: positive, timestamp: z.number().int().nonnegative() });

export function toPublicTrade(t: unknown, ctx: { venue: string; p: Precision }): PublicTrade {
  const v = parse(PublicTradeSchema, t, ctx.venue, 'watchTrades');
  return { tradeId: v.id, side: v.side, price: numberToDecimal(v.price, ctx.p.priceDp), amount: numberToDecimal(v.amount, ctx.p.amountDp), timestamp: v.timestamp };
}

/** Non-zero balances; Binance's raw `balances` strings when present, ccxt's numbers otherwise. */
export function toBalances(b: object, venue: string, dp: number, preferRaw: boolean): Balance[] {
  const info = (b as { info?: { balances?: unknown } }).info;
  const rows: { asset: unknown; free: unknown; locked: unknown }[] = [];
  if (preferRaw && Array.isArray(info?.balances)) {
    for (const r of info.balances as Record<string, unknown>[]) rows.push({ asset: r?.asset, free: r?.free, locked: r?.locked });
  } else {
    for (const [asset, v] of Object.entries(b as Record<string, unknown>)) {
      if (['info', 'free', 'used', 'total', 'timestamp', 'datetime', 'debt'].includes(asset)) continue;
      const acc = v as { free?: unknown; used?: unknown };
      rows.push({ asset, free: acc?.free, locked: acc?.used });
    }
  }
  const dec = (x: unknown, field: string): string => {
    if (typeof x === 'string' && /^\d+(\.\d+)?$/.test(x)) return fmt(x);
    if (typeof x === 'number' && Number.isFinite(x) && x >= 0) return fmt(new D(String(x)), dp);
    throw new VenueError('VENUE.BAD_RESPONSE', venue, `fetchBalance: malformed answer from the exchange: ${field}: expected a non-negative decimal, got ${JSON.stringify(x) ?? 'nothing'}`);
  };
  return rows
    .map((r, i) => {
      if (typeof r.asset !== 'string' || r.asset === '') {
        throw new VenueError('VENUE.BAD_RESPONSE', venue, `fetchBalance: malformed answer from the exchange: balances[${i}].asset: missing`);
      }
      const free = dec(r.free, `${r.asset}.free`);
      const locked = dec(r.locked ?? '0', `${r.asset}.locked`);
      return { asset: r.asset, free, locked, total: fmt(new D(free).plus(locked)) };
    })
    .filter((r) => !new D(r.total).isZero());
}
