// Binance SIGNED-endpoint security as the emulator checks it, against the examples published in
// Binance's API documentation (HMAC-SHA256 over query string + body).
import { authenticate, hmacHex, signedPayload, type ApiCredential } from '../../sim/emulator/binance-auth';
import { BinanceError } from '../../sim/emulator/binance-wire';

// Binance docs, "SIGNED Endpoint Examples for POST /api/v3/order".
const DOC_SECRET = 'NhqPtmdSJYdKjVHjA7PZj4Mge3R5YNiP1e3UZjInClVN65XAbvqqM6A7H5fATj0j';
const DOC_KEY = 'vmPUZE6mv9SD5VNHk4HlWFsOr6aKE2zvsw0MuIgwCIPy6utIco14y7Ju91duEh8A';
const DOC_QUERY = 'symbol=LTCBTC&side=BUY&type=LIMIT&timeInForce=GTC&quantity=1&price=0.1&recvWindow=5000&timestamp=1499827319559';
const DOC_SIG_QUERY = 'c8db56825ae71d6d79447849e617115f4a920fa2acdcab2b053c4b2838bd6b71';
const DOC_SIG_MIXED = '0fd168b8ddb4876a0358a8d14d0c9f3da0e9b20c5d52b2a00fcf7d1c602f9a77';
const T = 1499827319559;

const keys = new Map<string, ApiCredential>([[DOC_KEY, { account: 'doc', apiKey: DOC_KEY, secret: DOC_SECRET }]]);
const req = (rawQuery: string, rawBody = '', apiKey: string | null = DOC_KEY) => {
  const params = new URLSearchParams(rawQuery);
  for (const [k, v] of new URLSearchParams(rawBody)) params.append(k, v);
  return { rawQuery, rawBody, params, ...(apiKey !== null ? { apiKey } : {}) };
};
const codeOf = (fn: () => unknown): number | string => {
  try {
    fn();
    return 'accepted';
  } catch (e) {
    return e instanceof BinanceError ? e.code : String(e);
  }
};

describe('Binance request signing', () => {
  it('matches the documented signatures (query string; query + body concatenated)', () => {
    expect(hmacHex(DOC_SECRET, DOC_QUERY)).toBe(DOC_SIG_QUERY);
    const mixed = signedPayload('symbol=LTCBTC&side=BUY&type=LIMIT&timeInForce=GTC', `quantity=1&price=0.1&recvWindow=5000&timestamp=${T}&signature=${DOC_SIG_MIXED}`);
    expect(mixed).toEqual({ payload: `symbol=LTCBTC&side=BUY&type=LIMIT&timeInForce=GTCquantity=1&price=0.1&recvWindow=5000&timestamp=${T}`, signature: DOC_SIG_MIXED });
    expect(hmacHex(DOC_SECRET, mixed.payload)).toBe(DOC_SIG_MIXED);
  });

  it('accepts the documented requests, signed in the query or in the body', () => {
    expect(authenticate(req(`${DOC_QUERY}&signature=${DOC_SIG_QUERY}`), keys, T + 10).account).toBe('doc');
    expect(authenticate(req('', `${DOC_QUERY}&signature=${DOC_SIG_QUERY}`), keys, T + 10).account).toBe('doc');
    expect(authenticate(req('symbol=LTCBTC&side=BUY&type=LIMIT&timeInForce=GTC', `quantity=1&price=0.1&recvWindow=5000&timestamp=${T}&signature=${DOC_SIG_MIXED}`), keys, T).account).toBe('doc');
  });

  it('rejects a tampered parameter or a wrong secret with -1022', () => {
    expect(codeOf(() => authenticate(req(`${DOC_QUERY.replace('quantity=1', 'quantity=2')}&signature=${DOC_SIG_QUERY}`), keys, T))).toBe(-1022);
    const other = hmacHex('another-secret', DOC_QUERY);
    expect(codeOf(() => authenticate(req(`${DOC_QUERY}&signature=${other}`), keys, T))).toBe(-1022);
  });

  it('rejects a missing or malformed key with -2014, an unknown one with -2015, no signature with -1102', () => {
    expect(codeOf(() => authenticate(req(`${DOC_QUERY}&signature=${DOC_SIG_QUERY}`, '', null), keys, T))).toBe(-2014);
    expect(codeOf(() => authenticate(req(`${DOC_QUERY}&signature=${DOC_SIG_QUERY}`, '', 'bad key!'), keys, T))).toBe(-2014);
    expect(codeOf(() => authenticate(req(`${DOC_QUERY}&signature=${DOC_SIG_QUERY}`, '', 'unknownKey'), keys, T))).toBe(-2015);
    expect(codeOf(() => authenticate(req(DOC_QUERY), keys, T))).toBe(-1102);
  });

  it('enforces recvWindow (5000 ms here) and refuses requests from more than 1 s in the future with -1021', () => {
    const signed = req(`${DOC_QUERY}&signature=${DOC_SIG_QUERY}`);
    expect(codeOf(() => authenticate(signed, keys, T + 5000))).toBe('accepted');
    expect(codeOf(() => authenticate(signed, keys, T + 5001))).toBe(-1021);
    expect(codeOf(() => authenticate(signed, keys, T - 999))).toBe('accepted');
    expect(codeOf(() => authenticate(signed, keys, T - 1000))).toBe(-1021);
  });

  it('requires a timestamp and caps recvWindow at 60000', () => {
    const noTs = 'symbol=LTCBTC&recvWindow=5000';
    expect(codeOf(() => authenticate(req(`${noTs}&signature=${hmacHex(DOC_SECRET, noTs)}`), keys, T))).toBe(-1102);
    const wide = `symbol=LTCBTC&recvWindow=60001&timestamp=${T}`;
    expect(codeOf(() => authenticate(req(`${wide}&signature=${hmacHex(DOC_SECRET, wide)}`), keys, T))).toBe(-1131);
  });
});
