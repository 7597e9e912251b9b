// Binance SIGNED endpoint security: X-MBX-APIKEY selects the account; `signature` is the hex
// HMAC-SHA256, keyed by the account's secret, of the query string (without `signature`)
// immediately followed by the request body; `timestamp` must fall inside `recvWindow`.
import { createHmac, timingSafeEqual } from 'node:crypto';
import { BinanceError, errors } from './binance-wire';

export interface ApiCredential {
  /** Engine account id. */
  account: string;
  apiKey: string;
  secret: string;
}

export function hmacHex(secret: string, payload: string): string {
  return createHmac('sha256', secret).update(payload).digest('hex');
}

/** Removes `signature=` from a raw url-encoded string, keeping every other byte as sent. */
function withoutSignature(raw: string): { rest: string; signature?: string } {
  if (raw === '') return { rest: '' };
  let signature: string | undefined;
  const kept = raw.split('&').filter((part) => {
    if (part.startsWith('signature=')) {
      signature = decodeURIComponent(part.slice('signature='.length));
      return false;
    }
    return true;
  });
  return { rest: kept.join('&'), ...(signature !== undefined ? { signature } : {}) };
}

/** The string Binance signs: query (minus signature) then body (minus signature), concatenated. */
export function signedPayload(rawQuery: string, rawBody: string): { payload: string; signature?: string } {
  const q = withoutSignature(rawQuery);
  const b = withoutSignature(rawBody);
  const signature = q.signature ?? b.signature;
  return { payload: q.rest + b.rest, ...(signature !== undefined ? { signature } : {}) };
}

export interface SignedRequest {
  apiKey?: string;
  rawQuery: string;
  rawBody: string;
  params: URLSearchParams;
}

const MAX_RECV_WINDOW = 60_000;

/** Returns the account of a correctly signed, timely request; throws the Binance error otherwise. */
export function authenticate(req: SignedRequest, keys: ReadonlyMap<string, ApiCredential>, serverTime: number): ApiCredential {
  const cred = requireApiKey(req.apiKey, keys);
  const { payload, signature } = signedPayload(req.rawQuery, req.rawBody);
  if (signature === undefined || signature === '') throw errors.mandatory('signature');
  const expected = Buffer.from(hmacHex(cred.secret, payload), 'utf8');
  const got = Buffer.from(signature, 'utf8');
  if (expected.length !== got.length || !timingSafeEqual(expected, got)) throw errors.badSignature();
  const ts = req.params.get('timestamp');
  if (ts === null || !/^\d+$/.test(ts)) throw errors.mandatory('timestamp');
  const rw = req.params.get('recvWindow') ?? '5000';
  if (!/^\d+$/.test(rw) || Number(rw) > MAX_RECV_WINDOW) {
    throw new BinanceError(400, -1131, `recvWindow must be less than ${MAX_RECV_WINDOW}.`);
  }
  const t = Number(ts);
  // Binance: reject requests from the future (beyond 1 s) and requests older than recvWindow.
  if (t >= serverTime + 1000 || serverTime - t > Number(rw)) throw errors.timestamp();
  return cred;
}

/** The account behind an X-MBX-APIKEY header (-2014 malformed or missing, -2015 unknown). */
export function requireApiKey(apiKey: string | undefined, keys: ReadonlyMap<string, ApiCredential>): ApiCredential {
  if (apiKey === undefined || apiKey === '' || !/^[A-Za-z0-9_-]{1,128}$/.test(apiKey)) throw errors.apiKeyFormat();
  const cred = keys.get(apiKey);
  if (!cred) throw errors.apiKeyInvalid();
  return cred;
}
