// The dashboard's data endpoints on the real API (buildApi on 127.0.0.1), one real source (a
// quoting-worker /metrics served by serveMetrics) and every other source down: the snapshot carries
// what is up and says what is not; SSE ids increase, Last-Event-ID resumes from the ring (or falls
// back to the latest snapshot), heartbeats and the retry hint arrive, bad parameters are a 400 naming
// the field, and closing the app ends every stream instead of waiting for the browsers.
import type { AddressInfo } from 'node:net';
import { Registry } from 'prom-client';
import type { DashboardCollector } from '../../api/dashboard/collector';
import { IssuerSnapshotSchema, OperatorSnapshotSchema, type OperatorSnapshot } from '../../api/dashboard/model';
import { buildApi, type Api } from '../../api/server';
import { loadConfig } from '../../config/load';
import { freePort } from '../../temporal/dev-server';
import { BallastMetrics } from '../../observability/metrics';
import { serveMetrics, type MetricsServer } from '../../observability/metrics-server';
import pino from 'pino';
import { eventsUntilEnd, openSse } from '../support/sse-client';

let app: Api;
let base: string;
let metrics: MetricsServer;
let collector: DashboardCollector;
let fair = 0.5;

beforeAll(async () => {
  const m = new BallastMetrics(new Registry());
  m.feed('ballast_fair_value_quote', () => [[{}, fair]]);
  m.feed('ballast_mid_quote', () => [[{ venue: 'alpha' }, 0.501]]);
  m.feed('ballast_depth_quote', () => [[{ venue: 'alpha', side: 'bid', band: '2' }, 25_000], [{ venue: 'alpha', side: 'ask', band: '2' }, 21_000]]);
  m.feed('ballast_own_depth_quote', () => [[{ venue: 'alpha', side: 'bid', band: '2' }, 5_000], [{ venue: 'alpha', side: 'ask', band: '2' }, 4_200]]);
  metrics = await serveMetrics(m, { host: '127.0.0.1', port: 0 });
  const dead = await freePort();
  const config = structuredClone(loadConfig('config/demo.yaml'));
  config.api = { host: '127.0.0.1', port: 1, dashboard: { refreshMs: 1_000, bufferSize: 10, heartbeatMs: 1_000 } };
  config.temporal = { ...config.temporal, address: `127.0.0.1:${dead}` };
  config.simulation = { ...config.simulation!, host: '127.0.0.1', port: dead };
  app = buildApi({
    config,
    logger: pino({ level: 'silent' }),
    dashboard: { metricsUrls: { quoting: metrics.url, worker: `http://127.0.0.1:${dead}/metrics` }, onCollector: (c) => (collector = c) },
  });
  await app.listen({ host: '127.0.0.1', port: 0 });
  base = `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`;
});
afterAll(async () => {
  await app?.close();
  await metrics?.close();
});

const getJson = async (path: string) => {
  const r = await fetch(`${base}${path}`);
  return { status: r.status, body: (await r.json()) as Record<string, unknown> };
};

describe('dashboard snapshot with one source up and the others down', () => {
  it('shows the figures of the source that answers, nulls elsewhere, and names what is down', async () => {
    const { status, body } = await getJson('/api/dashboard/snapshot');
    expect(status).toBe(200);
    const s = OperatorSnapshotSchema.parse(body);
    expect(s.fairValue).toBe(0.5);
    const alpha = s.venues.find((v) => v.id === 'alpha')!;
    expect(alpha.depth.find((d) => d.band === '2')).toEqual({ band: '2', bidQuote: 25_000, askQuote: 21_000, requiredQuote: null, ownBidQuote: 5_000, ownAskQuote: 4_200, shareRatio: 0.2 });
    expect(alpha.gapToFairRatio).toBeCloseTo(0.002, 12);
    expect(s.venues.find((v) => v.id === 'bravo')!.mid).toBeNull();
    expect(s.sources.quotingMetrics).toMatchObject({ ok: true, configured: true });
    for (const down of ['workerMetrics', 'market', 'coordinator', 'visibility'] as const) {
      expect(s.sources[down]).toMatchObject({ ok: false, configured: true, lastOkAt: null });
      expect(s.sources[down]!.error).toEqual(expect.any(String));
    }
    expect([s.decisions, s.workflows, s.imbalances]).toEqual([null, null, null]);
    // No ledger or compliance store given to this API: not configured, not "failing".
    expect(s.sources.ledger).toEqual({ ok: false, configured: false, lastOkAt: null });
    expect(s.sources.compliance).toEqual({ ok: false, configured: false, lastOkAt: null });
    expect(s.inventory.inFlight).toBeNull();
  });

  it('issuer snapshot: market quality only', async () => {
    const { body } = await getJson('/api/issuer/snapshot');
    const s = IssuerSnapshotSchema.parse(body);
    expect(s.view).toBe('issuer');
    expect(JSON.stringify(body)).not.toMatch(/inventory|wallet|pnl|decisions|workflows|killSwitch|coordinator/);
  });

  it('rejects bad parameters with a 400 naming the field', async () => {
    const a = await getJson('/api/dashboard/events?lastEventId=abc');
    expect(a.status).toBe(400);
    expect(a.body.issues).toEqual([expect.objectContaining({ path: 'lastEventId' })]);
    const b = await fetch(`${base}/api/dashboard/events`, { headers: { 'last-event-id': 'x1' } });
    expect(b.status).toBe(400);
    expect(await b.json()).toMatchObject({ issues: [{ path: 'Last-Event-ID' }] });
    const c = await getJson('/api/issuer/snapshot?venue=alpha');
    expect(c.status).toBe(400);
    expect(JSON.stringify(c.body.issues)).toContain('venue');
  });
});

describe('dashboard SSE', () => {
  it('streams snapshots with increasing ids, a retry hint and heartbeats; a live change shows in a later event', async () => {
    const s = await openSse(`${base}/api/dashboard/events`);
    expect(s.status).toBe(200);
    const first = await s.next();
    expect(first.event).toBe('snapshot');
    const snap = JSON.parse(first.data) as OperatorSnapshot;
    expect(String(snap.seq)).toBe(first.id);
    fair = 0.6;
    let last = Number(first.id);
    let seen: number | null = snap.fairValue;
    while (seen !== 0.6) {
      const e = await s.next();
      expect(Number(e.id)).toBe(last + 1);
      last = Number(e.id);
      seen = (JSON.parse(e.data) as OperatorSnapshot).fairValue;
    }
    expect(s.retry).toBe(1_000);
    // heartbeatMs is 1000 in this config: a comment arrives within a few events.
    while (!s.comments.includes('heartbeat')) await s.next();
    s.close();
  });

  it('resumes after Last-Event-ID (header or ?lastEventId) with exactly the later events; too old an id gets the latest snapshot', async () => {
    // The loop runs on its own every second; extra rounds here fill the ring faster.
    const a = await openSse(`${base}/api/dashboard/events`);
    const e1 = await a.next();
    a.close();
    await collector.refresh();
    await collector.refresh();
    const latest = collector.latest()!.seq;
    expect(latest).toBeGreaterThanOrEqual(Number(e1.id) + 2);
    for (const open of [() => openSse(`${base}/api/dashboard/events`, { 'Last-Event-ID': e1.id! }), () => openSse(`${base}/api/issuer/events?lastEventId=${e1.id}`)]) {
      const b = await open();
      const ids: number[] = [];
      while (ids.at(-1) !== latest) ids.push(Number((await b.next()).id));
      expect(ids).toEqual(Array.from({ length: latest - Number(e1.id) }, (_, i) => Number(e1.id) + 1 + i));
      b.close();
    }
    // The ring keeps 10: after 12 more rounds, e1's successors are gone, so the latest comes first.
    for (let i = 0; i < 12; i++) await collector.refresh();
    // The floor is read before connecting: the collector's own loop may refresh again meanwhile.
    const floor = collector.latest()!.seq;
    const c = await openSse(`${base}/api/dashboard/events`, { 'Last-Event-ID': e1.id! });
    const got = await c.next();
    expect(Number(got.id)).toBeGreaterThanOrEqual(floor);
    c.close();
    // An id from another server life (ahead of ours) also gets the latest.
    const floorD = collector.latest()!.seq;
    const d = await openSse(`${base}/api/dashboard/events?lastEventId=999999`);
    expect(Number((await d.next()).id)).toBeGreaterThanOrEqual(floorD);
    d.close();
  });

  it('the issuer stream carries the issuer view', async () => {
    const s = await openSse(`${base}/api/issuer/events`);
    const e = await s.next();
    expect(IssuerSnapshotSchema.parse(JSON.parse(e.data)).seq).toBe(Number(e.id));
    s.close();
  });

  it('closing the app ends connected streams instead of waiting for them', async () => {
    const streams = await Promise.all([openSse(`${base}/api/dashboard/events`), openSse(`${base}/api/issuer/events`)]);
    await Promise.all(streams.map((s) => s.next()));
    expect(collector.subscribers).toBe(2);
    await app.close();
    await Promise.all(streams.map((s) => s.ended));
    // Whatever was sent before the close (the collector refreshes every second: a snapshot may have
    // arrived after the first), then the end, on both streams.
    for (const s of streams) expect((await eventsUntilEnd(s)).every((e) => e === 'snapshot')).toBe(true);
    expect(collector.started).toBe(false);
  });
});
