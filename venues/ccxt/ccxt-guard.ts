// A ccxt exchange instance that refuses broken answers before its parsers see them.
import ccxt, { type Exchange } from 'ccxt';
import { checkBinanceAnswer } from './binance-raw';

/** Checks of successful raw answers, per exchange, before ccxt parses them. */
export const RAW_CHECKS: Record<string, (method: string, pathname: string, body: unknown) => string | undefined> = { binance: checkBinanceAnswer };

/**
 * ccxt hands a 2xx body that is not JSON to the parser as a plain string, and most parsers then
 * return empty results (an empty balance, no orders) instead of failing; and its parsers crash or
 * yield `undefined` on missing fields. Refuse such answers here, naming what is wrong.
 */
export function guardAnswers(ex: Exchange, check: ((method: string, pathname: string, body: unknown) => string | undefined) | undefined): void {
  const original = ex.onRestResponse.bind(ex) as (...a: unknown[]) => unknown;
  ex.onRestResponse = (statusCode: unknown, statusText: unknown, url: unknown, method: unknown, ...rest: unknown[]): unknown => {
    const body = original(statusCode, statusText, url, method, ...rest);
    if (typeof statusCode !== 'number' || statusCode < 200 || statusCode >= 300 || typeof body !== 'string' || body === '') return body;
    const pathname = typeof url === 'string' ? new URL(url).pathname : '';
    const where = `${ex.id} ${String(method)} ${pathname}`;
    let json: unknown;
    try {
      json = JSON.parse(body);
    } catch {
      throw new ccxt.BadResponse(`${where}: the answer is not valid JSON: ${JSON.stringify(body.slice(0, 60))}`);
    }
    const problems = check?.(String(method), pathname, json);
    if (problems !== undefined) throw new ccxt.BadResponse(`${where}: malformed answer from the exchange: ${problems}`);
    return body;
  };
}
