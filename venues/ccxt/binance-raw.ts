// Binance answers checked BEFORE ccxt parses them. ccxt's parsers turn a missing field into
// `undefined` and crash on others ("Cannot convert NaN to a BigInt"); checking the raw JSON first
// lets the error name the field. Only successful answers of the endpoints CcxtVenue uses are checked.
import { z } from 'zod';
import { toFieldIssues } from '../../domain/errors';

const show = (v: unknown): string => JSON.stringify(v) ?? typeof v;
const dec = z.string({ error: (i) => (i.input === undefined ? 'missing' : `expected a decimal string, got ${show(i.input)}`) }).regex(/^\d+(\.\d+)?$/, {
  error: (i) => `expected a decimal string, got ${show(i.input)}`,
});
const int = z.number({ error: (i) => (i.input === undefined ? 'missing' : `expected an integer, got ${show(i.input)}`) }).int();
const str = z.string({ error: (i) => (i.input === undefined ? 'missing' : `expected a string, got ${show(i.input)}`) }).min(1);

const Order = z.object({ orderId: int, price: dec, origQty: dec, executedQty: dec, status: str, side: z.enum(['BUY', 'SELL']) });
const Trade = z.object({ id: int, orderId: int, price: dec, qty: dec, commission: dec, commissionAsset: str, time: int, isMaker: z.boolean() });
const Level = z.tuple([dec, dec]);
const Transfer = z.object({ id: str, amount: dec, coin: str, status: int });

/** "METHOD path" → schema of a 2xx answer. */
const SCHEMAS: Record<string, z.ZodType> = {
  'POST /api/v3/order': Order,
  'GET /api/v3/order': Order,
  'DELETE /api/v3/order': Order,
  'GET /api/v3/openOrders': z.array(Order),
  'GET /api/v3/myTrades': z.array(Trade),
  'GET /api/v3/account': z.object({ balances: z.array(z.object({ asset: str, free: dec, locked: dec })) }),
  'GET /api/v3/depth': z.object({ lastUpdateId: int, bids: z.array(Level), asks: z.array(Level) }),
  'GET /api/v3/exchangeInfo': z.object({ symbols: z.array(z.object({ symbol: str, filters: z.array(z.object({ filterType: str }).loose()) }).loose()) }),
  'GET /sapi/v1/capital/withdraw/history': z.array(Transfer),
  'GET /sapi/v1/capital/deposit/hisrec': z.array(Transfer),
  'POST /sapi/v1/capital/withdraw/apply': z.object({ id: str }),
  'GET /sapi/v1/capital/deposit/address': z.object({ address: str, coin: str }),
};

/** Problems with a successful answer to `method` on `pathname` ("[0].price: missing"), or undefined. */
export function checkBinanceAnswer(method: string, pathname: string, body: unknown): string | undefined {
  const key = Object.keys(SCHEMAS).find((k) => {
    const [m, path] = k.split(' ');
    return m === method && pathname.endsWith(path!);
  });
  const schema = key === undefined ? undefined : SCHEMAS[key];
  if (!schema) return undefined;
  const r = schema.safeParse(body);
  if (r.success) return undefined;
  return toFieldIssues(r.error)
    .slice(0, 5)
    .map((i) => `${i.path}: ${i.message}`)
    .join('; ');
}
