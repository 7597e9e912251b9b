// The dashboard on the demo as `npm start` runs it (its own Temporal dev server with the Web UI, embedded
// ledger PostgreSQL, simulated market with the Uniswap pool on a local EVM, Temporal worker, quoting worker,
// API), one demo for the whole file:
// - the data endpoints: every venue, the pool included, has depth per band against the requirement, our
//   share, spread against the maximum, 24 h volume, a mid against the fair value and a feed age; SSE delivers
//   snapshots with increasing ids and resumes after Last-Event-ID; the issuer view carries no treasury figure;
// - the pages in Debian's headless chromium: the page loads and every chart has data; a live figure changes;
//   an injected venue outage turns that venue red and shows the mode the coordinator sets; a workflow link
//   opens that workflow in the Temporal UI; the issuer view has no treasury figure. Every request the pages
//   make stays on the API's origin (no CDN: the page works offline). Screenshots land in
//   test-artifacts/dashboard/ (git-ignored);
// - last, a connected SSE client does not hold up the ordered shutdown.
// The data cases run before the outage the browser cases inject.
import { mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { Client, Connection } from '@temporalio/client';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { IssuerSnapshotSchema, OperatorSnapshotSchema, type OperatorSnapshot } from '../../api/dashboard/model';
import { parsePromText, valueOf } from '../../api/dashboard/prom-text';
import { dailyReportScheduleId } from '../../temporal/schedules';
import { launchBrowser } from '../browser-support/temporal-ui';
import { startBallastDemo, type BallastDemo } from '../browser-support/ballast-demo';
import { eventsUntilEnd, openSse } from '../support/sse-client';

jest.setTimeout(600_000);

let demo: BallastDemo;
/** Set by the last case, which stops the demo itself. */
let stopped = false;

const ARTIFACTS = resolve(__dirname, '..', '..', 'test-artifacts', 'dashboard');
const OUTAGE_VENUE = 'bravo';
const OPERATOR_CHARTS = ['depth-ladder', 'spread', 'volume', 'share', 'compliance-uptime', 'breach-timeline', 'price-fv', 'gaps', 'staleness', 'inventory', 'pnl'];
const ISSUER_CHARTS = OPERATOR_CHARTS.filter((c) => c !== 'inventory' && c !== 'pnl');

let browser: Browser;
let context: BrowserContext;
let page: Page;
/** Requests a dashboard page tried outside the API's origin (aborted: the page must not need them). */
const foreign: string[] = [];

async function shot(p: Page, name: string): Promise<void> {
  mkdirSync(ARTIFACTS, { recursive: true });
  await p.screenshot({ path: join(ARTIFACTS, `${name}.png`), fullPage: true });
}

/** Per chart: how many series, and how many non-null data points across them (read from ECharts itself). */
function chartData(p: Page): Promise<Record<string, { series: number; points: number }>> {
  return p.evaluate(() => {
    const w = globalThis as any;
    const out: Record<string, { series: number; points: number }> = {};
    for (const el of w.document.querySelectorAll('[data-chart]')) {
      const series = (w.echarts.getInstanceByDom(el)?.getOption()?.series ?? []) as { data?: unknown[] }[];
      const points = series.reduce((n, s) => n + (s.data ?? []).filter((d) => d !== null && d !== undefined && (d as { value?: unknown }).value !== null).length, 0);
      out[el.dataset.chart] = { series: series.length, points };
    }
    return out;
  });
}

/** Waits until every chart has at least one series with data; returns what the charts hold. */
async function waitForChartData(p: Page, names: string[], shotName: string): Promise<Record<string, { series: number; points: number }>> {
  await p
    .waitForFunction(
      (expected) => {
        const w = globalThis as any;
        return expected.every((name: string) => {
          const el = w.document.querySelector(`[data-chart="${name}"]`);
          const series = (el && w.echarts?.getInstanceByDom(el)?.getOption()?.series) ?? [];
          return series.some((s: { data?: unknown[] }) => (s.data ?? []).some((d) => d !== null && d !== undefined));
        });
      },
      names,
      { timeout: 60_000, polling: 500 },
    )
    .catch(async (e: Error) => {
      await shot(p, `${shotName}-incomplete`);
      throw new Error(`${e.message}\ncharts: ${JSON.stringify(await chartData(p))}`);
    });
  return chartData(p);
}

beforeAll(async () => {
  demo = await startBallastDemo();
  browser = await launchBrowser();
  context = await browser.newContext({ viewport: { width: 1600, height: 1000 }, timezoneId: 'UTC' });
  // What a dashboard page loads (not a navigation, not the Temporal UI a link opens) may come only from the API's origin.
  await context.route('**/*', async (route) => {
    const req = route.request();
    const url = req.url();
    const fromDashboard = !req.isNavigationRequest() && req.frame().url().startsWith(`${demo.apiUrl}/`);
    if (!fromDashboard || url.startsWith(`${demo.apiUrl}/`) || url.startsWith('data:')) return route.continue();
    foreign.push(url);
    return route.abort();
  });
  page = await context.newPage();
  page.setDefaultTimeout(60_000);
});

afterAll(async () => {
  await browser?.close();
  // A failed case before the last one leaves the demo running: stop it (the last case stops it itself).
  if (demo && !stopped) {
    await demo.clearFault(OUTAGE_VENUE, 'outage').catch(() => undefined);
    await demo.stop();
  }
});

const snapshot = async (path = '/api/dashboard/snapshot') => (await (await fetch(`${demo.apiUrl}${path}`)).json());

const SOURCES = ['quotingMetrics', 'workerMetrics', 'market', 'coordinator', 'visibility', 'ledger', 'wallets'] as const;

/**
 * Every venue measured (the quoting worker needs its first books and the pool provider its first check)
 * and every source answering in one snapshot: each source has an 800 ms deadline, which a loaded machine
 * can miss now and then (the snapshot then says so, as the dashboard does).
 */
const measured = (s: OperatorSnapshot) =>
  SOURCES.every((name) => s.sources[name]?.ok === true) &&
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
    for (const name of SOURCES) {
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
});

describe('operator dashboard in chromium', () => {
  it('loads from the API: the first snapshot fills a row per venue, the pool included', async () => {
    const r = await page.goto(`${demo.apiUrl}/`);
    expect(r?.status()).toBe(200);
    await page.waitForFunction(() => (globalThis as any).ballastDashboard?.updates > 0, undefined, { timeout: 60_000 });
    const venues = await page.locator('table[data-table="venues"] tr[data-venue]').evaluateAll((rows) => rows.map((r) => (r as any).dataset.venue));
    expect(venues).toEqual(['alpha', 'bravo', 'charlie', 'uniswap']);
    expect(await page.locator('[data-chart]').evaluateAll((els) => els.map((e) => (e as any).dataset.chart))).toEqual(OPERATOR_CHARTS);
  });

  it('has data in every chart', async () => {
    const charts = await waitForChartData(page, OPERATOR_CHARTS, 'operator');
    for (const [name, c] of Object.entries(charts)) {
      expect({ name, series: c.series > 0, points: c.points > 0 }).toEqual({ name, series: true, points: true });
    }
    await shot(page, 'operator-loaded');
  });

  it('updates live: a figure changes within seconds, and the indicator says live', async () => {
    const before = await page.evaluate(() => {
      const w = globalThis as any;
      return { seq: w.ballastDashboard.snapshot.seq as number, updates: w.ballastDashboard.updates as number, table: w.document.querySelector('[data-table="venues"]').innerText as string };
    });
    await page.waitForFunction(
      (b) => {
        const w = globalThis as any;
        return w.ballastDashboard.snapshot.seq > b.seq + 1 && w.document.querySelector('[data-table="venues"]').innerText !== b.table;
      },
      before,
      { timeout: 15_000, polling: 200 },
    );
    const live = page.locator('[data-live]');
    expect(await live.getAttribute('data-live')).toBe('live');
    expect(await live.innerText()).toMatch(/^live · updated \d+(\.\d)? s ago$/);
    // The price chart keeps the stream's history client-side: more than one point per venue by now.
    const points = await page.evaluate(() => (globalThis as any).echarts.getInstanceByDom((globalThis as any).document.querySelector('[data-chart="price-fv"]')).getOption().series.map((s: any) => s.data.length));
    expect(Math.max(...points)).toBeGreaterThan(1);
  });

  it('turns a venue red on an injected outage and shows the mode the coordinator sets', async () => {
    const row = page.locator(`table[data-table="venues"] tr[data-venue="${OUTAGE_VENUE}"]`);
    expect(await row.getAttribute('data-health')).toBe('green');
    expect(await row.getAttribute('data-mode')).toBe('normal');
    await demo.injectFault(OUTAGE_VENUE, { kind: 'outage' });
    await page.waitForSelector(`table[data-table="venues"] tr[data-venue="${OUTAGE_VENUE}"][data-health="red"]`, { timeout: 90_000 });
    await shot(page, 'operator-outage-red');
    // The quoting worker reports the venue unhealthy → the coordinator's policy starts venueRisk → mode paused.
    await page.waitForSelector(`table[data-table="venues"] tr[data-venue="${OUTAGE_VENUE}"][data-mode="paused"]`, { timeout: 240_000 });
    await page.waitForSelector(`table[data-table="mode-changes"] tr[data-venue="${OUTAGE_VENUE}"][data-mode-to="paused"]`);
    expect(await row.innerText()).toMatch(/paused/);
    // The other CEX venues stay green.
    for (const v of ['alpha', 'charlie']) expect(await page.locator(`table[data-table="venues"] tr[data-venue="${v}"]`).getAttribute('data-health')).toBe('green');
    await shot(page, 'operator-outage-mode');
  });

  it('links the venueRisk run to its workflow in the Temporal UI', async () => {
    const link = page.locator('table[data-table="workflows"] a[data-workflow-id*="venueRisk"], table[data-table="decisions"] a[data-workflow-id*="venueRisk"]').first();
    await link.waitFor({ timeout: 60_000 });
    const workflowId = (await link.getAttribute('data-workflow-id'))!;
    expect(workflowId).toContain(OUTAGE_VENUE);
    expect(await link.getAttribute('href')).toBe(`${demo.uiUrl}/namespaces/${demo.namespace}/workflows/${encodeURIComponent(workflowId)}`);
    const [ui] = await Promise.all([context.waitForEvent('page'), link.click()]);
    await ui.waitForLoadState();
    await ui.getByTestId('execution-status').waitFor({ timeout: 60_000 });
    // The Web UI's header names the workflow it shows.
    await ui.getByRole('heading').filter({ hasText: workflowId }).first().waitFor({ timeout: 30_000 });
    expect(decodeURIComponent(ui.url())).toContain(`/workflows/${workflowId}`);
    await shot(ui, 'temporal-ui-from-link');
    await ui.close();
  });

  it('links the daily reports: a run of the daily schedule is listed there and opens', async () => {
    // The schedule's action, triggered now as an operator would from the Web UI (no payload of ours).
    const connection = await Connection.connect({ address: demo.temporalAddress });
    try {
      await new Client({ connection, namespace: demo.namespace }).schedule.getHandle(dailyReportScheduleId('BLST')).trigger();
    } finally {
      await connection.close();
    }
    type Listed = { reports: { date: string; links: { html: string } }[] };
    let listed: Listed = { reports: [] };
    for (const deadline = Date.now() + 120_000; !listed.reports.length && Date.now() < deadline; await new Promise((r) => setTimeout(r, 1_000))) {
      listed = (await (await fetch(`${demo.apiUrl}/api/reports`)).json()) as Listed;
    }
    expect(listed.reports).toHaveLength(1);
    const { date } = listed.reports[0]!;
    const link = page.locator('a[data-field="reports-link"]');
    expect(await link.getAttribute('href')).toBe('/reports');
    await Promise.all([page.waitForURL(`${demo.apiUrl}/reports`), link.click()]);
    await page.locator(`a[href="/reports/${date}.html"]`).click();
    await page.waitForURL(`${demo.apiUrl}/reports/${date}.html`);
    const text = await page.locator('body').innerText();
    expect(text).toContain(date);
    for (const v of ['alpha', 'bravo', 'charlie', 'uniswap']) expect(text).toContain(v);
    await shot(page, 'daily-report-from-dashboard');
  });
});

describe('issuer view in chromium', () => {
  let issuer: Page;
  afterAll(async () => issuer?.close());

  it('shows the market-quality figures and nothing of the treasury', async () => {
    issuer = await context.newPage();
    const r = await issuer.goto(`${demo.apiUrl}/issuer`);
    expect(r?.status()).toBe(200);
    await issuer.waitForFunction(() => (globalThis as any).ballastDashboard?.updates > 0, undefined, { timeout: 60_000 });
    expect(await issuer.locator('[data-chart]').evaluateAll((els) => els.map((e) => (e as any).dataset.chart))).toEqual(ISSUER_CHARTS);
    const snapshot = await issuer.evaluate(() => (globalThis as any).ballastDashboard.snapshot);
    expect(snapshot.view).toBe('issuer');
    expect(snapshot.venues.map((v: { id: string }) => v.id)).toEqual(['alpha', 'bravo', 'charlie', 'uniswap']);
    for (const key of ['inventory', 'pnl', 'killSwitch', 'decisions', 'workflows', 'imbalances', 'temporalUiUrl', 'coordinator', 'counters']) expect(snapshot).not.toHaveProperty(key);
    for (const v of snapshot.venues) for (const key of ['mode', 'modeReason', 'killSwitch', 'pnl', 'activity']) expect(v).not.toHaveProperty(key);
    const text = await issuer.locator('body').innerText();
    expect(text).not.toMatch(/inventory|PnL|wallet|in flight|kill switch|coordinator|workflow|transfer|paused/i);
    expect(await issuer.locator('a[href], [data-table="decisions"], [data-table="workflows"], [data-table="in-flight"], button, form, input').count()).toBe(0);
    expect(await issuer.content()).not.toContain(demo.uiUrl);
    await shot(issuer, 'issuer');
  });

  it('has data in every issuer chart', async () => {
    const charts = await waitForChartData(issuer, ISSUER_CHARTS, 'issuer');
    for (const [name, c] of Object.entries(charts)) expect({ name, points: c.points > 0 }).toEqual({ name, points: true });
    await shot(issuer, 'issuer-loaded');
  });

  it('needed nothing from outside the API (no CDN, works offline)', () => {
    expect(foreign).toEqual([]);
  });
});

describe('ordered shutdown', () => {
  it('an SSE client still connected does not hold up the ordered shutdown', async () => {
    await demo.clearFault(OUTAGE_VENUE, 'outage').catch(() => undefined); // the browser cases' outage, if injected
    const s = await openSse(`${demo.apiUrl}/api/dashboard/events`);
    await s.next();
    stopped = true;
    expect(await demo.stop()).toBe(0);
    // The API ended the stream (it did not wait for the browser): whatever was sent, then the end.
    await s.ended;
    expect((await eventsUntilEnd(s)).every((e) => e === 'snapshot')).toBe(true);
  });
});
