// The dashboard in Debian's headless chromium, on the demo as `npm start` runs it (real processes: the
// simulated market, the quoting worker, the Temporal worker, the API, a dev server with the Web UI):
// the page loads and every chart has data; a live figure changes; an injected venue outage turns that
// venue red and shows the mode the coordinator sets; a workflow link opens that workflow in the
// Temporal UI; the issuer view has no treasury figure. Every request the pages make stays on the API's
// origin (no CDN: the page works offline). Screenshots land in test-artifacts/dashboard/ (git-ignored).
import { mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { Client, Connection } from '@temporalio/client';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { dailyReportScheduleId } from '../../temporal/schedules';
import { launchBrowser } from '../browser-support/temporal-ui';
import { startBallastDemo, type BallastDemo } from '../browser-support/ballast-demo';

jest.setTimeout(600_000);

const ARTIFACTS = resolve(__dirname, '..', '..', 'test-artifacts', 'dashboard');
const OUTAGE_VENUE = 'bravo';
const OPERATOR_CHARTS = ['depth-ladder', 'spread', 'volume', 'share', 'compliance-uptime', 'breach-timeline', 'price-fv', 'gaps', 'staleness', 'inventory', 'pnl'];
const ISSUER_CHARTS = OPERATOR_CHARTS.filter((c) => c !== 'inventory' && c !== 'pnl');

let demo: BallastDemo;
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
  if (demo) {
    await demo.clearFault(OUTAGE_VENUE, 'outage').catch(() => undefined);
    expect(await demo.stop()).toBe(0);
  }
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
