// The dashboard's data endpoints on the demo as `npm start` runs it (its own Temporal dev server,
// embedded ledger PostgreSQL, simulated market with the Uniswap pool on a local EVM, Temporal
// worker, quoting worker, API): every venue, the pool included, has depth per band against the
// requirement, our share, spread against the maximum, 24 h volume, a mid against the fair value and
// a feed age; SSE delivers snapshots with increasing ids and resumes after Last-Event-ID; the issuer
// view carries no treasury figure; a connected stream never blocks the ordered shutdown.
import { IssuerSnapshotSchema, OperatorSnapshotSchema, type OperatorSnapshot } from '../../api/dashboard/model';
import { parsePromText, valueOf } from '../../api/dashboard/prom-text';
import { startBallastDemo, type BallastDemo } from '../browser-support/ballast-demo';
import { openSse } from '../support/sse-client';

jest.setTimeout(300_000);

let demo: BallastDemo;
beforeAll(async () => {
  demo = await startBallastDemo();
});
afterAll(async () => {
  await demo?.stop();
});

const snapshot = async (path = '/api/dashboard/snapshot') => (await (await fetch(`${demo.apiUrl}${path}`)).json());

/** Every venue measured: the quoting worker needs its first books and the pool provider its first check. */
const measured = (s: OperatorSnapshot) =>
  s.fairValue !== null &&
  s.venues.every(
    (v) =>
      v.mid !== null &&
      v.spread.ratio !== null &&
      v.depth.every((d) => d.bidQuote !== null && d.ownBidQuote !== null) &&
      // Quoting on every venue (our orders placed, the pool provider's first LP check done): between a
      // start-up and the first placement our share is honestly 0.
      (v.depth.find((d) => d.band === '2')?.shareRatio ?? 0) > 0 &&
      v.volume24h.quote !== null,
  );

describe('dashboard data on the running demo', () => {
  it('snapshot: every venue with the pool, depth vs requirement, our share, spread vs max, volume, gap to fair value, feed age; every source answering', async () => {
    let s = OperatorSnapshotSchema.parse(await snapshot());
    const deadline = Date.now() + 180_000;
    while (!measured(s) && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 1_000));
      s = OperatorSnapshotSchema.parse(await snapshot());
    }
    expect(s.venues.map((v) => [v.id, v.kind])).toEqual([['alpha', 'cex'], ['bravo', 'cex'], ['charlie', 'cex'], ['uniswap', 'amm']]);
    for (const v of s.venues) {
      expect(v.depth.map((d) => d.band)).toEqual(['1', '2', '5']);
      const required = v.depth.find((d) => d.band === '2')!;
      expect(required.requiredQuote).toBeGreaterThan(0);
      expect(required.bidQuote).toBeGreaterThan(0);
      expect(required.askQuote).toBeGreaterThan(0);
      // Our share: our own resting orders (exchanges) or our LP share (pool), within the whole book's depth.
      expect(required.shareRatio).toBeGreaterThan(0);
      expect(required.shareRatio).toBeLessThanOrEqual(1);
      expect(v.spread.ratio).toBeGreaterThan(0);
      expect(v.spread.maxRatio).toBeGreaterThan(0);
      expect(v.volume24h.quote).toEqual(expect.any(Number));
      expect(v.volume24h.minQuote).toEqual(expect.any(Number));
      expect(v.mid).toBeGreaterThan(0);
      expect(Math.abs(v.gapToFairRatio!)).toBeLessThan(0.05);
      expect(v.feedAgeSeconds).toBeGreaterThanOrEqual(0);
      expect(v.healthy).toBe(true);
    }
    expect(s.fairValue).toBeGreaterThan(0);
    expect(s.gaps).toHaveLength(6);
    for (const cex of s.venues.filter((v) => v.kind === 'cex')) expect(cex.mode).toBe('normal');
    for (const name of ['quotingMetrics', 'workerMetrics', 'market', 'coordinator', 'visibility', 'ledger', 'wallets'] as const) {
      expect([name, s.sources[name]]).toEqual([name, expect.objectContaining({ ok: true, configured: true })]);
    }
    // Compliance over time: the Temporal worker samples every venue every 10 s into the ledger database;
    // the dashboard shows the same summaries as GET /api/compliance/history.
    let c = s;
    while (!c.venues.every((v) => v.compliance.uptime24h !== null) && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 2_000));
      c = OperatorSnapshotSchema.parse(await snapshot());
    }
    expect(c.sources.compliance).toMatchObject({ ok: true, configured: true });
    for (const v of c.venues) {
      expect(v.compliance.uptime24h).toBeGreaterThanOrEqual(0);
      expect(v.compliance.uptime24h).toBeLessThanOrEqual(1);
      expect(v.compliance.uptime7d).toEqual(expect.any(Number));
      expect(v.compliance.breaches).toEqual(expect.any(Array));
      const h = (await (await fetch(`${demo.apiUrl}/api/compliance/history?venue=${v.id}&window=7d`)).json()) as { breaches: unknown[]; samples: number };
      expect(h.samples).toBeGreaterThan(0);
    }
    expect(s.inventory.inFlight).toEqual(expect.any(Array));
    // The treasury wallets' balances on the simulated chain (decimal strings), read, not left null.
    expect(s.inventory.wallets.length).toBeGreaterThan(0);
    for (const w of s.inventory.wallets) expect([w.label, w.base, w.quote]).toEqual([w.label, expect.stringMatching(/^\d+(\.\d+)?$/), expect.stringMatching(/^\d+(\.\d+)?$/)]);
    expect(s.workflows).toEqual(expect.any(Array));
    expect(s.decisions).toEqual(expect.any(Array));
    expect(s.modesKnown).toBe(true);
    expect(s.killSwitch.anyTripped).toBe(false);
    expect(s.inventory.venues.filter((v) => v.valueQuote !== null).map((v) => v.id)).toEqual(['alpha', 'bravo', 'charlie', 'uniswap']);
    expect(s.temporalUiUrl).toBe(demo.uiUrl);
    expect(s.coordinator.uiUrl).toBe(`${demo.uiUrl}/namespaces/${demo.namespace}/workflows/coordinator%3ABLST`);

    // The same figures as the quoting worker publishes: the requirement and the max spread, read not recomputed.
    const q = parsePromText(await (await fetch(demo.quotingMetricsUrl)).text());
    for (const v of s.venues) {
      expect(v.depth.find((d) => d.band === '2')!.requiredQuote).toBe(valueOf(q, 'ballast_depth_required_quote', { venue: v.id, band: '2' }));
      expect(v.spread.maxRatio).toBe(valueOf(q, 'ballast_spread_max_ratio', { venue: v.id }));
    }
  });

  it('SSE: snapshots with increasing ids every refresh; a reconnect with Last-Event-ID (header or query) gets only later ids', async () => {
    const a = await openSse(`${demo.apiUrl}/api/dashboard/events`);
    expect(a.status).toBe(200);
    const events = [await a.next(), await a.next(), await a.next()];
    a.close();
    const ids = events.map((e) => Number(e.id));
    expect(ids[1]).toBe(ids[0]! + 1);
    expect(ids[2]).toBe(ids[1]! + 1);
    for (const e of events) {
      expect(e.event).toBe('snapshot');
      expect(OperatorSnapshotSchema.parse(JSON.parse(e.data)).seq).toBe(Number(e.id));
    }
    expect(a.retry).toBe(1_000);
    // The snapshot's `at` advances with the ids (refresh every api.dashboard.refreshMs).
    const at = events.map((e) => Date.parse((JSON.parse(e.data) as OperatorSnapshot).at));
    expect(at[2]).toBeGreaterThan(at[0]!);

    const after = ids[1]!;
    for (const url of [`${demo.apiUrl}/api/dashboard/events`, `${demo.apiUrl}/api/dashboard/events?lastEventId=${after}`]) {
      const b = await openSse(url, url.includes('?') ? {} : { 'Last-Event-ID': String(after) });
      const got = [Number((await b.next()).id), Number((await b.next()).id), Number((await b.next()).id)];
      b.close();
      // Replayed from the ring first (after+1, after+2, …), then live: contiguous, all later than the id.
      expect(got).toEqual([after + 1, after + 2, after + 3]);
    }
  });

  it('issuer snapshot and stream: market quality only, no treasury figure', async () => {
    const s = IssuerSnapshotSchema.parse(await snapshot('/api/issuer/snapshot'));
    expect(s.venues.map((v) => v.id)).toEqual(['alpha', 'bravo', 'charlie', 'uniswap']);
    expect(s.venues.every((v) => v.depth.length === 3 && v.spread.maxRatio !== null)).toBe(true);
    const e = await openSse(`${demo.apiUrl}/api/issuer/events`);
    const first = await e.next();
    e.close();
    for (const json of [JSON.stringify(s), first.data]) {
      for (const word of ['inventory', 'wallet', 'pnl', 'decisions', 'workflows', 'killSwitch', 'inFlight', 'coordinator', 'temporalUiUrl', 'mode']) expect([word, json.includes(word)]).toEqual([word, false]);
    }
  });

  it('an SSE client still connected does not hold up the ordered shutdown', async () => {
    const s = await openSse(`${demo.apiUrl}/api/dashboard/events`);
    await s.next();
    expect(await demo.stop()).toBe(0);
    // The API ended the stream (it did not wait for the browser): whatever was sent, then the end.
    await s.ended;
    const rest: string[] = [];
    await expect(
      (async () => {
        for (;;) rest.push((await s.next(100)).event);
      })(),
    ).rejects.toThrow('the stream ended');
    expect(rest.every((e) => e === 'snapshot')).toBe(true);
  });
});
