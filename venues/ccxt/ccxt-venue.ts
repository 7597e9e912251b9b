// CcxtVenue: a VenueAdapter for one market on any ccxt exchange (REST, and ccxt.pro websockets
// where the exchange has them). Only translation lives here: ccxt calls → port types (validated,
// exact decimals), ccxt exceptions → VenueError codes. The order lifecycle is ManagedVenue's.
// Credentials come from the caller (read from the environment there) and never appear in errors.
import ccxt, { type Exchange, type Market } from 'ccxt';
import type { OrderBookSnapshot } from '../../domain/order-book';
import { D, fmt, zNonNegativeDecimal } from '../../domain/money';
import { VenueError, isVenueError } from '../venue-errors';
import type {
  Balance,
  DepositAddress,
  Fill,
  MarketRules,
  PublicTrade,
  SubmitOrder,
  TransferRecord,
  Unsubscribe,
  VenueAdapter,
  VenueCapabilities,
  VenueHealth,
  VenueOrder,
  WithdrawRequest,
} from '../venue.port';
import { translateCcxtError } from './ccxt-errors';
import { guardAnswers, RAW_CHECKS } from './ccxt-guard';
import { marketRules } from './ccxt-market';
import { RAW_FIELDS, numberToDecimal, toBalances, toBook, toFill, toTransfer, toVenueOrder, type Precision, type RawFields } from './ccxt-parse';
import { CcxtStreams } from './ccxt-streams';
import { rewriteApiUrls } from './ccxt-urls';

export interface CcxtVenueConfig {
  /** Venue id as the rest of Ballast knows it. */
  id: string;
  /** ccxt exchange id ("binance", "kraken", ...). */
  exchangeId: string;
  /** Unified symbol, "BLST/USDT". */
  symbol: string;
  credentials: { apiKey: string; secret: string; password?: string };
  /** Point REST (and websockets) elsewhere: the exchange emulator, a testnet. */
  restUrl?: string;
  wsUrl?: string;
  /** The exchange's sandbox / testnet (ccxt setSandboxMode), before any URL override. */
  sandbox?: boolean;
  /** Merged over Ballast's defaults into the ccxt exchange's `options`. */
  options?: Record<string, unknown>;
  /** ccxt request timeout (default 10 000 ms). */
  timeoutMs?: number;
  /** ccxt's client-side throttle (default on). */
  enableRateLimit?: boolean;
  /** Fee rates to report instead of asking the exchange. */
  fees?: { maker: string; taker: string };
  /** Stream reconnect backoff (default 250 ms doubling to 10 s). */
  reconnectMs?: { min: number; max: number };
  /** Levels a side in streamed books (default 50). */
  streamDepth?: number;
  /**
   * false: never send the exchange's client withdrawal id, even where it has one (an exchange whose
   * id does not de-duplicate; tests of the generic path). Default: sent where WITHDRAW_KEY_PARAM has one.
   */
  withdrawalClientIds?: boolean;
  now?: () => number;
}

/** Defaults per exchange: Binance spot only, no margin or currency endpoints. */
const DEFAULT_OPTIONS: Record<string, Record<string, unknown>> = {
  binance: { fetchCurrencies: false, fetchMargins: false, fetchMarkets: { types: ['spot'] }, defaultType: 'spot' },
};

/** The exchange's parameter for a client withdrawal id, where it has one (idempotent withdrawals). */
const WITHDRAW_KEY_PARAM: Record<string, string> = { binance: 'withdrawOrderId' };

type ExchangeClass = new (config: Record<string, unknown>) => Exchange;

export class CcxtVenue implements VenueAdapter {
  readonly id: string;
  readonly capabilities: VenueCapabilities;
  readonly exchange: Exchange;
  private readonly symbol: string;
  private readonly raw?: RawFields;
  private readonly now: () => number;
  private readonly secrets: string[];
  private readonly streams?: CcxtStreams;
  private marketPromise?: Promise<Market>;
  /** The client withdrawal id parameter sent with withdrawals (undefined: the exchange has none, or it is off). */
  private readonly withdrawKeyParam?: string;
  private rulesCache?: { rules: MarketRules; p: Precision };
  /** venueOrderId → clientOrderId, learnt from orders (trade lists do not carry client ids). */
  private readonly clientIds = new Map<string, string>();

  constructor(private readonly cfg: CcxtVenueConfig) {
    this.id = cfg.id;
    this.symbol = cfg.symbol;
    this.now = cfg.now ?? (() => Date.now());
    this.raw = RAW_FIELDS[cfg.exchangeId];
    this.secrets = [cfg.credentials.apiKey, cfg.credentials.secret, cfg.credentials.password ?? ''];
    const pro = (ccxt.pro as unknown as Record<string, ExchangeClass | undefined>)[cfg.exchangeId];
    const rest = (ccxt as unknown as Record<string, ExchangeClass | undefined>)[cfg.exchangeId];
    const Cls = pro ?? rest;
    if (!Cls || !ccxt.exchanges.includes(cfg.exchangeId)) throw new VenueError('VENUE.NOT_SUPPORTED', cfg.id, `ccxt has no exchange "${cfg.exchangeId}"`);
    this.exchange = new Cls({
      apiKey: cfg.credentials.apiKey,
      secret: cfg.credentials.secret,
      ...(cfg.credentials.password ? { password: cfg.credentials.password } : {}),
      timeout: cfg.timeoutMs ?? 10_000,
      enableRateLimit: cfg.enableRateLimit ?? true,
      options: { ...DEFAULT_OPTIONS[cfg.exchangeId], ...cfg.options },
    });
    if (cfg.sandbox) this.exchange.setSandboxMode(true);
    rewriteApiUrls(this.exchange.urls, cfg.restUrl, cfg.wsUrl);
    guardAnswers(this.exchange, RAW_CHECKS[cfg.exchangeId]);
    const streams = pro !== undefined && this.exchange.has.watchOrderBook === true;
    this.withdrawKeyParam = cfg.withdrawalClientIds === false ? undefined : WITHDRAW_KEY_PARAM[cfg.exchangeId];
    this.capabilities = { limitOrders: true, swaps: false, transfers: this.exchange.has.withdraw === true, streams, withdrawalClientIds: this.withdrawKeyParam !== undefined };
    if (streams) {
      this.streams = new CcxtStreams({
        venue: this.id,
        exchange: this.exchange,
        symbol: this.symbol,
        ready: () => this.ready(),
        translate: (e, op) => this.translate(e, op),
        now: this.now,
        depth: cfg.streamDepth ?? 50,
        reconnectMs: cfg.reconnectMs ?? { min: 250, max: 10_000 },
      });
    }
  }

  // ---- plumbing -------------------------------------------------------------------------------

  private translate(e: unknown, op: string): VenueError {
    const headers = (this.exchange.last_response_headers ?? {}) as Record<string, string | undefined>;
    const retryAfter = Number(headers['retry-after'] ?? headers['Retry-After']);
    return translateCcxtError(e, { venue: this.id, op, secrets: this.secrets, ...(Number.isFinite(retryAfter) ? { retryAfterMs: retryAfter * 1000 } : {}) });
  }

  /** Runs a ccxt call; a timestamp outside recvWindow (clock skew) triggers one time re-sync and retry. */
  private async call<T>(op: string, fn: () => Promise<T>): Promise<T> {
    try {
      return await fn();
    } catch (e) {
      if (e instanceof ccxt.InvalidNonce) {
        try {
          await this.exchange.loadTimeDifference();
          return await fn();
        } catch (e2) {
          throw this.translate(e2, op);
        }
      }
      throw this.translate(e, op);
    }
  }

  private ready(): Promise<Market> {
    this.marketPromise ??= this.call('loadMarkets', async () => {
      if (this.streams) await this.exchange.loadHttpProxyAgent(); // ccxt.pro needs it for ws:// URLs
      await this.exchange.loadMarkets();
      return this.exchange.market(this.symbol);
    }).catch((e: unknown) => {
      // Let the next call try again — here and in ccxt, which otherwise keeps its rejected
      // loadMarkets promise (exchange.marketsLoading) and hands the same failure back for the
      // process's life: one bad exchangeInfo answer would disable the venue (found by npm run chaos).
      this.marketPromise = undefined;
      (this.exchange as unknown as { marketsLoading?: unknown }).marketsLoading = undefined;
      throw e;
    });
    return this.marketPromise;
  }

  private async precision(): Promise<Precision> {
    if (!this.rulesCache) await this.loadMarket();
    return this.rulesCache!.p;
  }

  private remember(o: VenueOrder): VenueOrder {
    if (o.clientOrderId) this.clientIds.set(o.venueOrderId, o.clientOrderId);
    return o;
  }

  private order(o: unknown, what: string, p: Precision): VenueOrder {
    return this.remember(toVenueOrder(o, { venue: this.id, what, p, now: this.now(), ...(this.raw ? { raw: this.raw } : {}) }));
  }

  // ---- market data ----------------------------------------------------------------------------

  async loadMarket(): Promise<MarketRules> {
    if (this.rulesCache) return this.rulesCache.rules;
    const market = await this.ready();
    let fees = this.cfg.fees;
    if (!fees && this.exchange.has.fetchTradingFee === true) {
      const f = await this.call('fetchTradingFee', () => this.exchange.fetchTradingFee(this.symbol));
      const num = (x: unknown): string | undefined => (typeof x === 'number' && Number.isFinite(x) ? numberToDecimal(x, 10) : undefined);
      const maker = feeRate(f.info, 'makerCommission') ?? num(f.maker);
      const taker = feeRate(f.info, 'takerCommission') ?? num(f.taker);
      if (maker !== undefined && taker !== undefined) fees = { maker, taker };
    }
    const precisionMode = this.exchange.precisionMode ?? ccxt.TICK_SIZE;
    this.rulesCache = marketRules(market, { venue: this.id, exchangeId: this.cfg.exchangeId, precisionMode, ...(fees ? { fees } : {}) });
    return this.rulesCache.rules;
  }

  async fetchOrderBook(limit?: number): Promise<OrderBookSnapshot> {
    const p = await this.precision();
    const ob = await this.call('fetchOrderBook', () => this.exchange.fetchOrderBook(this.symbol, limit));
    const book = toBook(ob, { venue: this.id, what: 'fetchOrderBook', p, ...(limit !== undefined ? { limit } : {}) });
    return { venue: this.id, market: this.symbol, timestamp: book.timestamp ?? this.now(), bids: book.bids, asks: book.asks };
  }

  /** Rolling 24 h traded volume in quote currency (ccxt fetchTicker), validated as a decimal. */
  async fetchVolume24hQuote(): Promise<string> {
    const t = await this.call('fetchTicker', () => this.exchange.fetchTicker(this.symbol));
    // Prefer the exchange's raw decimal string (Binance `quoteVolume`) over ccxt's float.
    const raw = (t.info as Record<string, unknown> | undefined)?.quoteVolume ?? t.quoteVolume;
    const parsed = zNonNegativeDecimal.safeParse(typeof raw === 'number' ? raw.toString() : raw);
    if (!parsed.success) throw new VenueError('VENUE.BAD_RESPONSE', this.id, `fetchTicker: quoteVolume ${JSON.stringify(raw)} is not a decimal`);
    return parsed.data;
  }

  watchOrderBook(onBook: (book: OrderBookSnapshot) => void, onError: (e: Error) => void): Unsubscribe {
    if (!this.streams) throw new VenueError('VENUE.NOT_SUPPORTED', this.id, 'no websocket streams for this exchange');
    return this.streams.watchOrderBook(() => this.precision(), onBook, onError);
  }

  watchTrades(onTrades: (trades: PublicTrade[]) => void, onError: (e: Error) => void): Unsubscribe {
    if (!this.streams) throw new VenueError('VENUE.NOT_SUPPORTED', this.id, 'no websocket streams for this exchange');
    return this.streams.watchTrades(() => this.precision(), onTrades, onError);
  }

  // ---- account --------------------------------------------------------------------------------

  async fetchBalances(): Promise<Balance[]> {
    const p = await this.precision();
    const b = await this.call('fetchBalance', () => this.exchange.fetchBalance());
    return toBalances(b, this.id, p.assetDp, this.raw !== undefined);
  }

  async submitOrder(order: SubmitOrder): Promise<VenueOrder> {
    const p = await this.precision();
    const amount = this.exact('amount', order.amount, (n) => this.exchange.amountToPrecision(this.symbol, n));
    const price = this.exact('price', order.price, (n) => this.exchange.priceToPrecision(this.symbol, n));
    const params: Record<string, unknown> = { clientOrderId: order.clientOrderId };
    if (order.postOnly) params.postOnly = true;
    else params.timeInForce = order.timeInForce;
    const o = await this.call('submitOrder', () => this.exchange.createOrder(this.symbol, 'limit', order.side, amount, price, params));
    const v = this.order(o, 'submitOrder', p);
    return this.remember({ ...v, clientOrderId: v.clientOrderId ?? order.clientOrderId });
  }

  /**
   * ccxt rounds amounts and prices to the market's precision before sending. An order must arrive
   * as given (ManagedVenue quantized it already): one ccxt would change is refused here.
   */
  private exact(field: string, value: string, toPrecision: (n: number) => string | undefined): number {
    const n = Number(value);
    const sent = Number.isFinite(n) ? toPrecision(n) : undefined;
    if (sent === undefined || !new D(sent).eq(value)) {
      throw new VenueError('VENUE.INVALID_ORDER', this.id, `${field} ${value} is not a multiple of the market's ${field === 'price' ? 'tick' : 'lot'} size (it would be sent as ${sent ?? 'nothing'})`);
    }
    return n;
  }

  private refParams(ref: { venueOrderId?: string; clientOrderId: string }): { id: string; params: Record<string, unknown> } {
    // By venue id when we have it; by client id otherwise (the order may never have been acknowledged).
    return ref.venueOrderId ? { id: ref.venueOrderId, params: {} } : { id: '', params: { clientOrderId: ref.clientOrderId } };
  }

  async cancelOrder(ref: { venueOrderId?: string; clientOrderId: string }): Promise<void> {
    await this.ready();
    const { id, params } = this.refParams(ref);
    await this.call('cancelOrder', () => this.exchange.cancelOrder(id, this.symbol, params));
  }

  async fetchOrder(ref: { venueOrderId?: string; clientOrderId: string }): Promise<VenueOrder | undefined> {
    const p = await this.precision();
    const { id, params } = this.refParams(ref);
    try {
      const o = await this.call('fetchOrder', () => this.exchange.fetchOrder(id, this.symbol, params));
      return this.order(o, 'fetchOrder', p);
    } catch (e) {
      if (isVenueError(e, 'VENUE.ORDER_NOT_FOUND')) return undefined;
      throw e;
    }
  }

  async fetchOpenOrders(): Promise<VenueOrder[]> {
    const p = await this.precision();
    const os = await this.call('fetchOpenOrders', () => this.exchange.fetchOpenOrders(this.symbol));
    if (!Array.isArray(os)) throw new VenueError('VENUE.BAD_RESPONSE', this.id, 'fetchOpenOrders: expected a list of orders');
    return os.map((o, i) => this.order(o, `fetchOpenOrders[${i}]`, p));
  }

  /** Public trades since `sinceMs` (all accounts'), oldest first: price action tells ours apart by trade id. */
  async publicTrades(sinceMs: number): Promise<{ id: string; price: number; amount: number; timestamp: number }[]> {
    await this.ready();
    const ts = await this.call('fetchTrades', () => this.exchange.fetchTrades(this.symbol, sinceMs, 1000));
    if (!Array.isArray(ts)) throw new VenueError('VENUE.BAD_RESPONSE', this.id, 'fetchTrades: expected a list of trades');
    return ts
      .map((t) => ({ id: String(t.id), price: Number(t.price), amount: Number(t.amount), timestamp: Number(t.timestamp) }))
      .filter((t) => t.price > 0 && t.amount > 0 && Number.isFinite(t.timestamp) && t.timestamp >= sinceMs);
  }

  async fetchMyTrades(sinceMs?: number): Promise<Fill[]> {
    const p = await this.precision();
    const ts = await this.call('fetchMyTrades', () => this.exchange.fetchMyTrades(this.symbol, sinceMs));
    if (!Array.isArray(ts)) throw new VenueError('VENUE.BAD_RESPONSE', this.id, 'fetchMyTrades: expected a list of trades');
    return ts.map((t) => toFill(t, { venue: this.id, p, clientIds: this.clientIds, ...(this.raw ? { raw: this.raw } : {}) }));
  }

  // ---- transfers ------------------------------------------------------------------------------

  async fetchDepositAddress(asset: string, network?: string): Promise<DepositAddress> {
    await this.ready();
    const a = await this.call('fetchDepositAddress', () => this.exchange.fetchDepositAddress(asset, network ? { network } : {}));
    if (typeof a?.address !== 'string' || a.address === '') throw new VenueError('VENUE.BAD_RESPONSE', this.id, 'fetchDepositAddress: address: missing');
    return { asset, address: a.address, network: a.network ?? network ?? '', ...(a.tag ? { tag: a.tag } : {}) };
  }

  async withdraw(req: WithdrawRequest): Promise<TransferRecord> {
    await this.ready();
    if (!/^\d+(\.\d+)?$/.test(req.amount) || new D(req.amount).lte(0)) {
      throw new VenueError('VENUE.INVALID_ORDER', this.id, `withdraw: amount must be a positive decimal, got "${req.amount}"`);
    }
    // Idempotency: a withdrawal already made under this key is the answer. Without client ids no
    // history entry carries our key: the caller's intents and lookup (treasury activities) stand in.
    const keyParam = this.withdrawKeyParam;
    if (keyParam) {
      const before = await this.findWithdrawal(req.asset, req.idempotencyKey);
      if (before) return before;
    }
    const params: Record<string, unknown> = { network: req.network, ...(keyParam ? { [keyParam]: req.idempotencyKey } : {}) };
    const amount = this.exact('amount', req.amount, (n) => this.exchange.currencyToPrecision(req.asset, n));
    // The memo goes as ccxt's unified `tag` (Binance: addressTag), the network as ccxt's network code.
    const r = await this.call('withdraw', () => this.exchange.withdraw(req.asset, amount, req.address, req.memo, params));
    const id = (r as { id?: unknown } | undefined)?.id;
    if (typeof id !== 'string' || id === '') throw new VenueError('VENUE.BAD_RESPONSE', this.id, 'withdraw: id: missing from the answer');
    const after = await this.findWithdrawal(req.asset, req.idempotencyKey, id);
    // The history may lag the apply call: report what we asked for, pending.
    return (
      after ?? { id, type: 'withdrawal', asset: req.asset, amount: fmt(req.amount), fee: '0', address: req.address, network: req.network, ...(req.memo !== undefined ? { memo: req.memo } : {}), confirmations: 0, status: 'pending', ...(keyParam ? { idempotencyKey: req.idempotencyKey } : {}), timestamp: this.now() }
    );
  }

  private async findWithdrawal(asset: string, key: string, id?: string): Promise<TransferRecord | undefined> {
    const keyParam = this.withdrawKeyParam;
    const list = await this.transfers('fetchWithdrawals', asset, undefined, keyParam ? { [keyParam]: key } : {});
    return list.find((t) => t.idempotencyKey === key || (id !== undefined && t.id === id));
  }

  private async transfers(op: 'fetchDeposits' | 'fetchWithdrawals', asset?: string, sinceMs?: number, params: Record<string, unknown> = {}): Promise<TransferRecord[]> {
    const p = await this.precision();
    const list = await this.call(op, () => this.exchange[op](asset, sinceMs, undefined, params));
    if (!Array.isArray(list)) throw new VenueError('VENUE.BAD_RESPONSE', this.id, `${op}: expected a list of transfers`);
    return list.map((t, i) => toTransfer(t, { venue: this.id, what: `${op}[${i}]`, assetDp: p.assetDp, ...(this.raw ? { raw: this.raw } : {}) }));
  }

  fetchDeposits(asset?: string, sinceMs?: number): Promise<TransferRecord[]> {
    return this.transfers('fetchDeposits', asset, sinceMs);
  }

  fetchWithdrawals(asset?: string, sinceMs?: number): Promise<TransferRecord[]> {
    return this.transfers('fetchWithdrawals', asset, sinceMs);
  }

  // ---- lifecycle ------------------------------------------------------------------------------

  async health(): Promise<VenueHealth> {
    const sent = this.now();
    try {
      await this.call('health', () => this.exchange.fetchTime());
      return { ok: true, latencyMs: this.now() - sent, checkedAt: this.now() };
    } catch (e) {
      // A 429 is an answer: the venue is up, we are only throttled.
      if (isVenueError(e, 'VENUE.RATE_LIMITED')) return { ok: true, latencyMs: this.now() - sent, reason: 'rate limited', checkedAt: this.now() };
      return { ok: false, reason: e instanceof Error ? e.message : String(e), checkedAt: this.now() };
    }
  }

  async close(): Promise<void> {
    this.streams?.stopAll();
    await this.exchange.close();
  }
}

/** Binance reports exact fee rates as strings in the raw answer. */
function feeRate(info: unknown, key: string): string | undefined {
  const v = info !== null && typeof info === 'object' ? (info as Record<string, unknown>)[key] : undefined;
  return typeof v === 'string' && /^-?\d+(\.\d+)?$/.test(v) ? fmt(v) : undefined;
}
