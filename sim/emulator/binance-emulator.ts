// An HTTP + WebSocket server that speaks Binance spot, backed by the simulated exchange (a
// SimExchange: its latency, rate limits and faults apply). Real clients (ccxt) point their URLs at it.
//   const emu = new BinanceEmulator({ backend: simExchange, accounts: [{ account: 'mm', apiKey, secret }] });
//   const { restUrl, wsUrl } = await emu.start();   // 127.0.0.1, a free port
// REST: /api/v3 ping, time, exchangeInfo, depth, trades, aggTrades, ticker/24hr, ticker/bookTicker;
// SIGNED: account, order (POST/GET/DELETE), openOrders (GET/DELETE), myTrades; /sapi/v1 asset/tradeFee,
// capital/deposit/address, capital/withdraw/apply, capital/deposit/hisrec, capital/withdraw/history.
// Streams (binance-streams.ts): <symbol>@depth@100ms, @trade, @aggTrade. Errors are Binance's
// { code, msg } with its HTTP statuses. Test hooks: `faults` (emulator-faults.ts), disconnectStreams().
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import { authenticate, type ApiCredential } from './binance-auth';
import { marketRoutes } from './binance-market-routes';
import type { Route, RouteDeps, RouteRequest } from './binance-routes.types';
import { BinanceStreams } from './binance-streams';
import { tradeRoutes } from './binance-trade-routes';
import { walletRoutes } from './binance-wallet-routes';
import { BinanceError, errors, IdMap, toBinanceError, wireDecimals } from './binance-wire';
import type { EmulatorBackend } from './emulator-backend';
import { FaultInjector, type Fault } from './emulator-faults';
import { WeightLimiter } from './weight-limiter';

export interface BinanceEmulatorOptions {
  backend: EmulatorBackend;
  accounts: ApiCredential[];
  host?: string;
  /** 0 (default) picks a free port. */
  port?: number;
  /** REQUEST_WEIGHT per minute per API key (or per IP for public calls). Binance spot: 6000. */
  weightLimitPerMinute?: number;
  streams?: { intervalMs?: number; depthLevels?: number };
  /** Confirmations the backend waits for before crediting a deposit (shown as "n/N"; default 3). */
  requiredConfirmations?: number;
  /** Withdrawal behaviour at start (`emulator.withdrawals` changes it at run time). */
  withdrawals?: Partial<EmulatorWithdrawals>;
}

/**
 * How the emulated exchange treats withdrawals (for tests and chaos runs; mutable at run time):
 * - `historyLagMs`: a withdrawal made through this emulator shows in /sapi/v1/capital/withdraw/history
 *   only this long after it was applied (real exchanges' histories lag their apply call); default 0;
 * - `clientIds`: false ignores `withdrawOrderId` (no de-duplication, never reported back), as an
 *   exchange without client withdrawal ids does; default true.
 */
export interface EmulatorWithdrawals {
  historyLagMs: number;
  clientIds: boolean;
}

export interface EmulatorAddress {
  restUrl: string;
  /** Market streams; contains `/stream` as ccxt's binance expects of spot stream URLs. */
  wsUrl: string;
  port: number;
}

const MAX_BODY = 1 << 20;

export class BinanceEmulator {
  readonly faults = new FaultInjector();
  /** Withdrawal behaviour; change the fields at run time (see EmulatorWithdrawals). */
  readonly withdrawals: EmulatorWithdrawals;
  private readonly routes = new Map<string, Route>();
  private readonly keys: Map<string, ApiCredential>;
  private readonly limiter: WeightLimiter;
  private readonly deps: RouteDeps;
  private server?: Server;
  private streams?: BinanceStreams;
  private readonly sockets = new Set<Socket>();
  private readonly counts = new Map<string, number>();

  constructor(private readonly opts: BinanceEmulatorOptions) {
    const market = opts.backend.market;
    const dp = wireDecimals(market);
    const generatedKeys = new Set<string>();
    const weightLimit = opts.weightLimitPerMinute ?? 6000;
    this.withdrawals = { historyLagMs: 0, clientIds: true, ...opts.withdrawals };
    this.deps = {
      backend: opts.backend,
      wire: { market, dp, orderIds: new IdMap(), tradeIds: new IdMap() },
      transfers: { dp, requiredConfirmations: opts.requiredConfirmations ?? 3, isGeneratedKey: (k) => generatedKeys.has(k) },
      weightLimit,
    };
    this.keys = new Map(opts.accounts.map((a) => [a.apiKey, a]));
    this.limiter = new WeightLimiter(opts.backend.clock, weightLimit);
    for (const r of [...marketRoutes(this.deps), ...tradeRoutes(this.deps), ...walletRoutes(this.deps, generatedKeys, this.withdrawals)]) {
      this.routes.set(`${r.method} ${r.path}`, r);
    }
  }

  async start(): Promise<EmulatorAddress> {
    if (this.server) throw new Error('BinanceEmulator already started');
    const host = this.opts.host ?? '127.0.0.1';
    const streams = new BinanceStreams({ backend: this.opts.backend, wire: this.deps.wire, ...this.opts.streams });
    const server = createServer((req, res) => this.onRequest(req, res));
    server.on('connection', (s) => {
      this.sockets.add(s);
      s.on('close', () => this.sockets.delete(s));
    });
    server.on('upgrade', (req, socket, head) => {
      if (!streams.handleUpgrade(req, socket, head)) socket.destroy();
    });
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(this.opts.port ?? 0, host, () => resolve());
    });
    this.server = server;
    this.streams = streams;
    const addr = server.address();
    const port = typeof addr === 'object' && addr ? addr.port : 0;
    return { restUrl: `http://${host}:${port}`, wsUrl: `ws://${host}:${port}/stream`, port };
  }

  async stop(): Promise<void> {
    const server = this.server;
    if (!server) return;
    this.server = undefined;
    this.streams?.close();
    this.streams = undefined;
    for (const s of this.sockets) s.destroy(); // stalled requests and keep-alive connections
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  /** Fault hook: drops every stream connection. */
  disconnectStreams(): void {
    this.streams?.disconnectAll();
  }

  /** The streams open connections are subscribed to (one entry per connection and stream). */
  streamSubscriptions(): string[] {
    return this.streams?.subscriptions() ?? [];
  }

  /** Requests received per "METHOD /path" (including rejected ones). */
  requestCount(method: string, path: string): number {
    return this.counts.get(`${method} ${path}`) ?? 0;
  }

  private onRequest(req: IncomingMessage, res: ServerResponse): void {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (size > MAX_BODY) req.destroy();
      else chunks.push(c);
    });
    req.on('end', () => {
      const url = new URL(req.url ?? '/', 'http://localhost');
      const rawQuery = url.search.startsWith('?') ? url.search.slice(1) : url.search;
      const rawBody = Buffer.concat(chunks).toString('utf8');
      const params = new URLSearchParams(rawQuery);
      for (const [k, v] of new URLSearchParams(rawBody)) params.append(k, v);
      const apiKey = req.headers['x-mbx-apikey'];
      const r: RouteRequest = {
        method: req.method ?? 'GET',
        path: url.pathname,
        rawQuery,
        rawBody,
        params,
        ...(typeof apiKey === 'string' ? { apiKey } : {}),
      };
      this.dispatch(r, res).catch((e: unknown) => this.sendError(res, errors.internal(e instanceof Error ? e.message : String(e))));
    });
  }

  private async dispatch(req: RouteRequest, res: ServerResponse): Promise<void> {
    const key = `${req.method} ${req.path}`;
    this.counts.set(key, (this.counts.get(key) ?? 0) + 1);
    const fault = this.faults.take(req.method, req.path);
    if (fault?.kind === 'stall') return; // never answered; the socket is destroyed at stop()
    if (fault?.kind === 'http') {
      res.writeHead(fault.status, { 'Content-Type': 'text/html' }).end(fault.body ?? `<html><body><h1>${fault.status}</h1></body></html>`);
      return;
    }
    if (fault?.kind === 'rate-limit') {
      this.sendError(res, errors.rateLimited(this.limiter.limitPerMinute, fault.retryAfterS ?? 1));
      return;
    }
    try {
      const route = this.routes.get(key);
      if (!route) throw errors.notFound(req.path);
      const now = this.opts.backend.clock.now();
      const account = route.security === 'SIGNED' ? authenticate(req, this.keys, now) : undefined;
      const weight = typeof route.weight === 'function' ? route.weight(req.params) : route.weight;
      const client = account?.apiKey ?? 'ip';
      const taken = this.limiter.take(client, weight);
      if (!taken.ok) throw errors.rateLimited(this.limiter.limitPerMinute, Math.ceil(taken.retryAfterMs / 1000));
      const body = await route.handle(req.params, account);
      if (fault?.kind === 'lost-answer') {
        if (fault.stall) return; // applied, never answered; the socket is destroyed at stop()
        const status = fault.status ?? 504;
        res.writeHead(status, { 'Content-Type': 'text/html' }).end(`<html><body><h1>${status}</h1></body></html>`);
        return;
      }
      this.send(res, 200, body, fault, this.limiter.usedBy(client));
    } catch (e) {
      this.sendError(res, toBinanceError(e, this.limiter.limitPerMinute));
    }
  }

  private send(res: ServerResponse, status: number, body: unknown, fault: Fault | undefined, usedWeight: number): void {
    const headers = { 'Content-Type': 'application/json;charset=UTF-8', 'X-MBX-USED-WEIGHT-1M': String(usedWeight) };
    if (fault?.kind === 'malformed-json') {
      const text = JSON.stringify(body);
      res.writeHead(status, headers).end(`${text.slice(0, Math.max(1, Math.floor(text.length / 2)))}<!-- upstream reset`);
      return;
    }
    const out = fault?.kind === 'mutate' ? fault.mutate(body) : body;
    res.writeHead(status, headers).end(JSON.stringify(out));
  }

  private sendError(res: ServerResponse, e: BinanceError): void {
    if (res.headersSent) return;
    res.writeHead(e.status, { 'Content-Type': 'application/json;charset=UTF-8', ...e.headers }).end(JSON.stringify(e.body()));
  }
}
