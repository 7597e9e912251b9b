// The Binance emulator on the wire (what ccxt relies on), with plain HTTP and WebSocket clients:
// symbol filters and parameter errors, the depth stream's update-id chain against REST snapshots,
// withdrawOrderId idempotency, the request-weight limit. Backed by a real SimExchange on wall time.
import WebSocket from 'ws';
import { D, fmt } from '../../domain/money';
import { mulberry32 } from '../../domain/rng';
import { RealClock } from '../../hotpath/clocks';
import { hmacHex } from '../../sim/emulator/binance-auth';
import { BinanceEmulator } from '../../sim/emulator/binance-emulator';
import { presetExchangeConfig } from '../../sim/exchange/exchange-presets';
import { SimExchange } from '../../sim/exchange/sim-exchange';
import { TransferNetwork } from '../../sim/exchange/transfer-network';

const MM = { account: 'mm', apiKey: 'mmKey0001', secret: 'mm-secret-0001' };
const COLD = '0x00000000000000000000000000000000c01dc01d';

let clock: RealClock;
let sim: SimExchange;
let emu: BinanceEmulator;
let rest: string;
let ws: string;
const sockets: WebSocket[] = [];

async function call(method: string, path: string, params: Record<string, string> = {}, opts: { signed?: boolean; secret?: string; timestamp?: number } = {}) {
  let query = new URLSearchParams(params).toString();
  const headers: Record<string, string> = {};
  if (opts.signed) {
    query = `${query}${query ? '&' : ''}timestamp=${opts.timestamp ?? Date.now()}`;
    query += `&signature=${hmacHex(opts.secret ?? MM.secret, query)}`;
    headers['X-MBX-APIKEY'] = MM.apiKey;
  }
  const body = method === 'POST' ? query : undefined;
  if (body) headers['Content-Type'] = 'application/x-www-form-urlencoded';
  const url = `${rest}${path}${body === undefined && query ? `?${query}` : ''}`;
  const res = await fetch(url, { method, headers, ...(body ? { body } : {}) });
  return { status: res.status, headers: res.headers, json: (await res.json()) as any };
}

function open(path: string): Promise<{ socket: WebSocket; messages: any[] }> {
  const socket = new WebSocket(`${ws.replace(/\/stream$/, '')}${path}`);
  sockets.push(socket);
  const messages: any[] = [];
  socket.on('message', (d: Buffer) => messages.push(JSON.parse(d.toString('utf8'))));
  return new Promise((resolve, reject) => {
    socket.once('open', () => resolve({ socket, messages }));
    socket.once('error', reject);
  });
}

async function until<T>(probe: () => T | undefined, what: string): Promise<T> {
  for (let i = 0; i < 200; i++) {
    const v = probe();
    if (v !== undefined) return v;
    await new Promise((r) => setTimeout(r, 25));
  }
  throw new Error(`timed out waiting for ${what}`);
}

beforeAll(async () => {
  clock = new RealClock();
  const network = new TransferNetwork({ delayMs: { min: 10, max: 10 } }, { clock, rng: mulberry32(3) });
  sim = new SimExchange(
    presetExchangeConfig('emu', {
      latencyMs: { min: 1, max: 2 },
      rateLimit: { capacity: 1000, refillPerSec: 1000 },
      withdrawals: { fees: { BLST: '2', USDT: '1' }, minConfirmations: 1, blockTimeMs: 20, processingDelayMs: 20 },
    }),
    { clock, rng: mulberry32(4), network },
  );
  sim.fund('mm', 'USDT', '10000');
  sim.fund('mm', 'BLST', '1000');
  sim.fund('agent', 'USDT', '10000');
  sim.fund('agent', 'BLST', '1000');
  emu = new BinanceEmulator({ backend: sim, accounts: [MM], streams: { intervalMs: 50 } });
  ({ restUrl: rest, wsUrl: ws } = await emu.start());
});

afterAll(async () => {
  for (const s of sockets) s.terminate();
  await emu.stop();
  clock.stop();
});

describe('Binance emulator wire protocol', () => {
  it('checks symbol filters before the engine, like Binance (-1013)', async () => {
    const base = { symbol: 'BLSTUSDT', side: 'BUY', type: 'LIMIT', timeInForce: 'GTC' };
    const post = (p: Record<string, string>) => call('POST', '/api/v3/order', { ...base, ...p }, { signed: true });
    expect(await post({ price: '1.005', quantity: '10' })).toMatchObject({ status: 400, json: { code: -1013, msg: 'Filter failure: PRICE_FILTER' } });
    expect(await post({ price: '1', quantity: '10.05' })).toMatchObject({ status: 400, json: { code: -1013, msg: 'Filter failure: LOT_SIZE' } });
    expect(await post({ price: '1', quantity: '4.9' })).toMatchObject({ status: 400, json: { code: -1013, msg: 'Filter failure: NOTIONAL' } });
    expect(await post({ price: '1', quantity: '1e3' })).toMatchObject({ status: 400, json: { code: -1100 } });
    expect(await call('POST', '/api/v3/order', { symbol: 'BLSTUSDT', side: 'BUY', type: 'LIMIT', price: '1', quantity: '10' }, { signed: true })).toMatchObject({
      json: { code: -1102, msg: "Mandatory parameter 'timeInForce' was not sent, was empty/null, or malformed." },
    });
    expect(await post({ symbol: 'ETHBTC', price: '1', quantity: '10' })).toMatchObject({ status: 400, json: { code: -1121 } });
    expect((await call('GET', '/api/v3/openOrders', { symbol: 'BLSTUSDT' }, { signed: true })).json).toEqual([]);
  });

  it('refuses a stale timestamp (-1021), a bad signature (-1022) and unknown endpoints (404)', async () => {
    expect(await call('GET', '/api/v3/account', {}, { signed: true, timestamp: Date.now() - 60_000 })).toMatchObject({ status: 400, json: { code: -1021 } });
    expect(await call('GET', '/api/v3/account', {}, { signed: true, secret: 'wrong' })).toMatchObject({ status: 400, json: { code: -1022 } });
    expect((await call('GET', '/api/v3/nope')).status).toBe(404);
  });

  it('keeps the depth stream chained to the REST snapshot: snapshot + diffs = the book', async () => {
    const { socket, messages } = await open('/ws');
    socket.send(JSON.stringify({ method: 'SUBSCRIBE', params: ['blstusdt@depth@100ms'], id: 7 }));
    await until(() => messages.find((m) => m.id === 7), 'the subscription ack');
    expect(messages[0]).toEqual({ result: null, id: 7 });
    const snap = (await call('GET', '/api/v3/depth', { symbol: 'BLSTUSDT', limit: '1000' })).json;
    const book = { bids: new Map<string, string>(snap.bids), asks: new Map<string, string>(snap.asks) };
    // Activity from another account: new levels, a partial fill, a cancel.
    await sim.placeOrder('agent', { side: 'buy', type: 'limit', price: '0.9', amount: '10', postOnly: true, clientOrderId: 'a1' });
    await sim.placeOrder('agent', { side: 'sell', type: 'limit', price: '1.1', amount: '20', postOnly: true, clientOrderId: 'a2' });
    await sim.placeOrder('agent', { side: 'buy', type: 'limit', price: '0.95', amount: '30', postOnly: true, clientOrderId: 'a3' });
    await sim.placeOrder('mm', { side: 'sell', type: 'limit', price: '0.95', amount: '12', timeInForce: 'IOC' });
    await sim.cancelOrder('agent', { clientOrderId: 'a1' });
    const final = await until(() => {
      const last = messages.filter((m) => m.e === 'depthUpdate').pop();
      return last && last.b.some((l: string[]) => l[0] === '0.90000000' && l[1] === '0.00000000') ? last : undefined;
    }, 'the cancel on the depth stream');
    const events = messages.filter((m) => m.e === 'depthUpdate' && m.u > snap.lastUpdateId);
    expect(events.length).toBeGreaterThan(0);
    expect(events[0].U).toBeLessThanOrEqual(snap.lastUpdateId + 1);
    for (let i = 1; i < events.length; i++) expect(events[i].U).toBe(events[i - 1].u + 1);
    for (const e of events) {
      const apply = (side: Map<string, string>, [px, q]: [string, string]): void => {
        if (new D(q).isZero()) side.delete(px);
        else side.set(px, q);
      };
      e.b.forEach((l: [string, string]) => apply(book.bids, l));
      e.a.forEach((l: [string, string]) => apply(book.asks, l));
    }
    const now = (await call('GET', '/api/v3/depth', { symbol: 'BLSTUSDT', limit: '1000' })).json;
    expect(now.lastUpdateId).toBe(final.u);
    const sorted = (m: Map<string, string>, dir: 1 | -1) => [...m].sort((a, b) => dir * new D(a[0]).cmp(b[0]));
    expect(sorted(book.bids, -1)).toEqual(now.bids);
    expect(sorted(book.asks, 1)).toEqual(now.asks);
    // Hand check: 30 bid at 0.95 minus the 12 sold into it.
    expect(now.bids).toEqual([['0.95000000', '18.00000000']]);
    expect(now.asks).toEqual([['1.10000000', '20.00000000']]);
    await sim.cancelOrder('agent', { clientOrderId: 'a2' });
    await sim.cancelOrder('agent', { clientOrderId: 'a3' });
  });

  it('frames combined streams as {stream, data} and sends trades', async () => {
    const { messages } = await open('/stream?streams=blstusdt@trade');
    await new Promise((r) => setTimeout(r, 50));
    await sim.placeOrder('agent', { side: 'sell', type: 'limit', price: '1.2', amount: '5', postOnly: true, clientOrderId: 'a4' });
    await sim.placeOrder('mm', { side: 'buy', type: 'limit', price: '1.2', amount: '5', timeInForce: 'IOC' });
    const msg = await until(() => messages.find((m) => m.stream === 'blstusdt@trade'), 'a trade event');
    expect(msg.data).toMatchObject({ e: 'trade', s: 'BLSTUSDT', p: '1.20000000', q: '5.00000000', m: false });
  });

  it('de-duplicates withdrawals on withdrawOrderId, and only then', async () => {
    const usdt = async () => {
      const b = (await call('GET', '/api/v3/account', {}, { signed: true })).json.balances.find((x: any) => x.asset === 'USDT');
      return new D(b.free); // held at once, sent later: `free` drops at the request
    };
    const before = await usdt();
    const w = (extra: Record<string, string>) => call('POST', '/sapi/v1/capital/withdraw/apply', { coin: 'USDT', address: COLD, amount: '10', network: 'ETH', ...extra }, { signed: true });
    const a = await w({ withdrawOrderId: 'same-key' });
    const b = await w({ withdrawOrderId: 'same-key' });
    expect(a.status).toBe(200);
    expect(b.json.id).toBe(a.json.id);
    const c = await w({});
    const d = await w({});
    expect(new Set([a.json.id, c.json.id, d.json.id]).size).toBe(3);
    const history = (await call('GET', '/sapi/v1/capital/withdraw/history', { coin: 'USDT' }, { signed: true })).json;
    expect(history).toHaveLength(3);
    expect(history.filter((h: any) => h.withdrawOrderId === 'same-key')).toHaveLength(1);
    expect(await w({ network: 'TRX', withdrawOrderId: 'k2' })).toMatchObject({ status: 400, json: { code: -4003 } });
    // Three withdrawals of 10 + 1 fee each.
    expect(fmt(await usdt())).toBe(fmt(before.minus('33')));
  });

  it('answers 429 / -1003 with Retry-After once the request weight per minute is used up', async () => {
    // The window is a wall-clock minute: the three requests must not straddle its end.
    const toNextMinute = 60_000 - (clock.now() % 60_000);
    if (toNextMinute < 5_000) await new Promise((r) => setTimeout(r, toNextMinute + 50));
    const small = new BinanceEmulator({ backend: sim, accounts: [MM], weightLimitPerMinute: 45 });
    const addr = await small.start();
    try {
      const get = () => fetch(`${addr.restUrl}/api/v3/exchangeInfo`);
      expect((await get()).status).toBe(200); // weight 20
      expect((await get()).status).toBe(200); // 40
      const third = await get();
      expect(third.status).toBe(429);
      expect(Number(third.headers.get('retry-after'))).toBeGreaterThan(0);
      expect(await third.json()).toMatchObject({ code: -1003 });
    } finally {
      await small.stop();
    }
  });
});
