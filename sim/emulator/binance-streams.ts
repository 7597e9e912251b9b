// Binance spot market streams over WebSocket: `<symbol>@depth@100ms` (diff depth whose U/u update
// ids continue the REST snapshot's lastUpdateId), `<symbol>@trade` and `<symbol>@aggTrade`.
// Paths under /stream get combined-stream framing ({stream, data}); paths under /ws raw events.
// Book views come from the simulated exchange's own stream (its latency and faults apply); every
// level that changed between two views is published, with its quantity then ("0" = gone).
import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import { WebSocket, WebSocketServer, type RawData } from 'ws';
import type { BookView, EngineTrade } from '../engine/engine.types';
import { fixed, symbolId, type WireContext } from './binance-wire';
import type { EmulatorBackend, Unsubscribe } from './emulator-backend';

export interface StreamsOptions {
  backend: EmulatorBackend;
  wire: WireContext;
  /** Levels per side followed for diffs (Binance snapshots go to 5000). */
  depthLevels?: number;
  /** Diff depth cadence (the "@100ms" stream). */
  intervalMs?: number;
}

interface Conn {
  ws: WebSocket;
  combined: boolean;
  streams: Set<string>;
}

type Side = Map<string, string>;

interface DepthState {
  stop: Unsubscribe;
  /** The last view received; undefined until the first one arrives. */
  last?: { bids: Side; asks: Side; seq: number };
  /** `u` of the last event sent (or the first view's sequence). */
  emittedSeq: number;
  pendingSeq: number;
  pending: { b: Side; a: Side };
  /** Subscription acks held until the first view is in (so a snapshot taken later continues it). */
  waiting: (() => void)[];
  cancelFlush?: () => void;
}

export class BinanceStreams {
  private readonly wss = new WebSocketServer({ noServer: true });
  private readonly conns = new Set<Conn>();
  private readonly sym: string;
  private depth?: DepthState;
  private stopTrades?: Unsubscribe;

  constructor(private readonly opts: StreamsOptions) {
    this.sym = symbolId(opts.wire.market).toLowerCase();
  }

  private isDepth = (s: string): boolean => s.startsWith(`${this.sym}@depth`);
  private isTrade = (s: string): boolean => s === `${this.sym}@trade` || s === `${this.sym}@aggTrade`;

  /** Takes the upgrade when the path is a stream path; returns false otherwise. */
  handleUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer): boolean {
    const url = new URL(req.url ?? '/', 'http://localhost');
    const combined = url.pathname.startsWith('/stream');
    if (!combined && !url.pathname.startsWith('/ws')) return false;
    this.wss.handleUpgrade(req, socket, head, (ws) => {
      const conn: Conn = { ws, combined, streams: new Set() };
      this.conns.add(conn);
      const initial = url.searchParams.get('streams');
      if (initial) this.subscribe(conn, initial.split('/'), () => undefined);
      ws.on('message', (data) => this.onMessage(conn, data));
      const gone = (): void => {
        this.conns.delete(conn);
        this.stopUnused();
      };
      ws.on('close', gone);
      ws.on('error', gone);
    });
    return true;
  }

  /** The streams open connections are subscribed to (one entry per connection and stream). */
  subscriptions(): string[] {
    return [...this.conns].flatMap((c) => [...c.streams]);
  }

  private onMessage(conn: Conn, data: RawData): void {
    let msg: { method?: unknown; params?: unknown; id?: unknown };
    try {
      const buf = Buffer.isBuffer(data) ? data : Array.isArray(data) ? Buffer.concat(data) : Buffer.from(data);
      msg = JSON.parse(buf.toString('utf8')) as typeof msg;
    } catch {
      this.send(conn, { error: { code: 3, msg: 'Invalid JSON: expected value at line 1 column 1' } });
      return;
    }
    const id = msg.id ?? null;
    const params = Array.isArray(msg.params) ? msg.params.filter((p): p is string => typeof p === 'string') : [];
    switch (msg.method) {
      case 'SUBSCRIBE':
        this.subscribe(conn, params, () => this.send(conn, { result: null, id }));
        return;
      case 'UNSUBSCRIBE':
        params.forEach((s) => conn.streams.delete(s));
        this.stopUnused();
        this.send(conn, { result: null, id });
        return;
      case 'LIST_SUBSCRIPTIONS':
        this.send(conn, { result: [...conn.streams], id });
        return;
      case 'SET_PROPERTY':
      case 'GET_PROPERTY':
        this.send(conn, { result: null, id });
        return;
      default:
        this.send(conn, { error: { code: 2, msg: `Invalid request: unknown method ${String(msg.method)}` }, id });
    }
  }

  private subscribe(conn: Conn, streams: string[], ack: () => void): void {
    streams.forEach((s) => conn.streams.add(s));
    if (streams.some(this.isTrade)) this.startTrades();
    if (!streams.some(this.isDepth)) return ack();
    const depth = this.startDepth();
    if (depth.last) ack();
    else depth.waiting.push(ack);
  }

  private send(conn: Conn, payload: unknown): void {
    if (conn.ws.readyState === WebSocket.OPEN) conn.ws.send(JSON.stringify(payload));
  }

  private emit(stream: (s: string) => boolean, event: (s: string) => Record<string, unknown> | undefined): void {
    for (const conn of this.conns) {
      for (const s of conn.streams) {
        const data = stream(s) ? event(s) : undefined;
        if (data) this.send(conn, conn.combined ? { stream: s, data } : data);
      }
    }
  }

  private startDepth(): DepthState {
    if (this.depth) return this.depth;
    const state: DepthState = { stop: () => undefined, emittedSeq: 0, pendingSeq: 0, pending: { b: new Map(), a: new Map() }, waiting: [] };
    this.depth = state;
    state.stop = this.opts.backend.watchBook(this.opts.depthLevels ?? 5000, (v) => this.onView(state, v), () => this.onOutage());
    return state;
  }

  private onView(state: DepthState, view: BookView): void {
    if (this.depth !== state) return;
    const next = { bids: new Map(view.bids.map((l) => [l.price, l.amount])), asks: new Map(view.asks.map((l) => [l.price, l.amount])), seq: view.sequence };
    const prev = state.last;
    state.last = next;
    if (!prev) {
      state.emittedSeq = state.pendingSeq = view.sequence;
      state.waiting.splice(0).forEach((ack) => ack());
      return;
    }
    const fold = (before: Side, after: Side, into: Side): void => {
      for (const [px, qty] of after) if (before.get(px) !== qty) into.set(px, qty);
      for (const px of before.keys()) if (!after.has(px)) into.set(px, '0');
    };
    fold(prev.bids, next.bids, state.pending.b);
    fold(prev.asks, next.asks, state.pending.a);
    state.pendingSeq = view.sequence;
    state.cancelFlush ??= this.opts.backend.clock.schedule(this.opts.intervalMs ?? 100, () => this.flush(state));
  }

  private flush(state: DepthState): void {
    state.cancelFlush = undefined;
    if (this.depth !== state) return;
    const { b, a } = state.pending;
    // Nothing visible changed: send nothing and keep emittedSeq, so the next event's U still follows on.
    if (b.size === 0 && a.size === 0) return;
    const dp = this.opts.wire.dp;
    const levels = (side: Side): [string, string][] => [...side].map(([px, qty]) => [fixed(px, dp), fixed(qty, dp)]);
    const event = { e: 'depthUpdate', E: this.opts.backend.clock.now(), s: this.sym.toUpperCase(), U: state.emittedSeq + 1, u: state.pendingSeq, b: levels(b), a: levels(a) };
    state.emittedSeq = state.pendingSeq;
    state.pending = { b: new Map(), a: new Map() };
    this.emit(this.isDepth, () => event);
  }

  private startTrades(): void {
    this.stopTrades ??= this.opts.backend.watchTrades(
      (ts) => ts.forEach((t) => this.publishTrade(t)),
      () => this.onOutage(),
    );
  }

  private publishTrade(t: EngineTrade): void {
    const dp = this.opts.wire.dp;
    const id = this.opts.wire.tradeIds.wire(t.tradeId);
    const common = { E: this.opts.backend.clock.now(), s: this.sym.toUpperCase(), p: fixed(t.price, dp), q: fixed(t.amount, dp), T: t.timestamp, m: t.takerSide === 'sell', M: true };
    this.emit(this.isTrade, (s) => (s.endsWith('@aggTrade') ? { e: 'aggTrade', ...common, a: id, f: id, l: id } : { e: 'trade', ...common, t: id }));
  }

  /** The exchange's stream broke (outage): drop the connections, as a real venue would. */
  private onOutage(): void {
    this.disconnectAll();
  }

  /** Stops following the book / trades when nobody listens any more. */
  private stopUnused(): void {
    const all = [...this.conns].flatMap((c) => [...c.streams]);
    if (this.depth && !all.some(this.isDepth)) {
      this.depth.cancelFlush?.();
      this.depth.stop();
      this.depth = undefined;
    }
    if (this.stopTrades && !all.some(this.isTrade)) {
      this.stopTrades();
      this.stopTrades = undefined;
    }
  }

  /** Fault hook: drops every stream connection (clients must reconnect and resync). */
  disconnectAll(): void {
    for (const c of this.conns) c.ws.terminate();
    this.conns.clear();
    this.stopUnused();
  }

  close(): void {
    this.disconnectAll();
    this.wss.close();
  }
}
