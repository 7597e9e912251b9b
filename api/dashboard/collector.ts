// The dashboard's one data loop: every refreshMs it reads the sources that are due (each with its
// own deadline, each failing alone), assembles a snapshot, serializes it once per view, keeps it in
// the ring for SSE resumption and hands it to every subscriber. Browsers never trigger reads: 1 or
// 20 connected pages cost the same reads, only the writes differ.
import type { Logger } from 'pino';
import { assembleSnapshot, type AssembleContext, type DashboardInputs } from './assemble';
import { issuerView, SOURCE_NAMES, type IssuerSnapshot, type OperatorSnapshot, type SourceName, type SourceStatus } from './model';
import { EventRing } from './ring';
import type { DashboardSources, Source } from './sources';

/** One refresh: the snapshot, and each view serialized once for every client. */
export interface Frame {
  seq: number;
  operator: OperatorSnapshot;
  issuer: IssuerSnapshot;
  operatorJson: string;
  issuerJson: string;
}

export interface CollectorOptions {
  sources: DashboardSources;
  context: AssembleContext;
  refreshMs: number;
  bufferSize: number;
  /** Deadline of one source's read (default 800 ms: a round stays within the refresh interval). */
  timeoutMs?: number;
  logger?: Logger;
  now?: () => number;
}

function deadline<T>(p: Promise<T>, ms: number, name: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${name}: no answer within ${ms} ms`)), ms);
  });
  return Promise.race([p, late]).finally(() => clearTimeout(timer));
}

interface SourceState {
  value: unknown;
  status: SourceStatus;
  lastAttempt: number;
}

export class DashboardCollector {
  private seq = 0;
  private readonly ring: EventRing<Frame>;
  private readonly listeners = new Set<(f: Frame) => void>();
  private readonly state = new Map<SourceName, SourceState>();
  private timer?: NodeJS.Timeout;
  private running = false;
  private current?: Promise<Frame>;
  private readonly now: () => number;

  constructor(private readonly o: CollectorOptions) {
    this.ring = new EventRing<Frame>(o.bufferSize);
    this.now = o.now ?? Date.now;
    for (const name of SOURCE_NAMES) {
      this.state.set(name, { value: undefined, lastAttempt: -Infinity, status: { ok: false, configured: o.sources[name].configured, lastOkAt: null } });
    }
  }

  /** Starts the loop (idempotent); resolves with the first frame. */
  async start(): Promise<Frame> {
    if (!this.running) {
      this.running = true;
      const first = this.refresh();
      void first.finally(() => this.schedule());
      return first;
    }
    return this.latest() ?? (await this.current!);
  }

  stop(): void {
    this.running = false;
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    this.listeners.clear();
  }

  get started(): boolean {
    return this.running;
  }

  latest(): Frame | undefined {
    return this.ring.latest();
  }

  /** Frames after lastId for a resuming client, or undefined (send the latest instead). */
  after(lastId: number): Frame[] | undefined {
    return this.ring.after(lastId);
  }

  subscribe(fn: (f: Frame) => void): () => void {
    this.listeners.add(fn);
    return () => this.listeners.delete(fn);
  }

  get subscribers(): number {
    return this.listeners.size;
  }

  /** One round: read what is due, assemble, publish. Never throws (a broken source is a null figure). */
  refresh(): Promise<Frame> {
    const run = this.round();
    this.current = run;
    return run;
  }

  private schedule(): void {
    if (!this.running) return;
    this.timer = setTimeout(() => {
      void this.refresh().finally(() => this.schedule());
    }, this.o.refreshMs);
    // The loop never keeps a process alive by itself.
    this.timer.unref();
  }

  private async read(source: Source<unknown>, now: number): Promise<void> {
    const st = this.state.get(source.name)!;
    if (!source.configured || now - st.lastAttempt < source.everyMs) return;
    st.lastAttempt = now;
    try {
      st.value = await deadline(source.read(), this.o.timeoutMs ?? 800, source.name);
      st.status = { ok: true, configured: true, lastOkAt: new Date(this.now()).toISOString() };
    } catch (e) {
      const error = e instanceof Error ? e.message : String(e);
      if (st.status.ok || st.status.lastOkAt === null) this.o.logger?.debug({ source: source.name, err: error }, 'dashboard source unavailable');
      // An unavailable source shows as unavailable: its figures go, they are not kept as if current.
      st.value = undefined;
      st.status = { ok: false, configured: true, lastOkAt: st.status.lastOkAt, error };
    }
  }

  private async round(): Promise<Frame> {
    const now = this.now();
    await Promise.all(SOURCE_NAMES.map((n) => this.read(this.o.sources[n] as Source<unknown>, now)));
    const v = <T>(n: SourceName): T | undefined => this.state.get(n)!.value as T | undefined;
    const inputs: DashboardInputs = {
      now: this.now(),
      sources: Object.fromEntries(SOURCE_NAMES.map((n) => [n, { ...this.state.get(n)!.status }])) as Record<SourceName, SourceStatus>,
    };
    const assign = <K extends keyof DashboardInputs>(k: K, val: DashboardInputs[K] | undefined) => {
      if (val !== undefined) inputs[k] = val;
    };
    assign('quoting', v('quotingMetrics'));
    assign('worker', v('workerMetrics'));
    assign('volume24h', v('market'));
    assign('coordinator', v('coordinator'));
    assign('workflows', v('visibility'));
    assign('inFlight', v('ledger'));
    assign('compliance', v('compliance'));
    this.seq += 1;
    const operator = assembleSnapshot(this.seq, inputs, this.o.context);
    const issuer = issuerView(operator);
    const frame: Frame = { seq: this.seq, operator, issuer, operatorJson: JSON.stringify(operator), issuerJson: JSON.stringify(issuer) };
    this.ring.push(frame);
    for (const fn of this.listeners) {
      try {
        fn(frame);
      } catch (e) {
        this.o.logger?.warn({ err: e }, 'dashboard subscriber failed');
      }
    }
    return frame;
  }
}
