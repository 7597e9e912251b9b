// Benchmark: the dashboard's first paint in headless chromium (issue 12 item 7, the page's part).
// Per load, from the browser's own clock (performance.now(), 0 = navigation start):
//   first paint and first contentful paint (Paint Timing API), DOMContentLoaded, the REST snapshot's
//   response end (Resource Timing), first snapshot applied (parsed and every chart drawn) (REST or SSE, whichever answers first), and every chart holding data
//   (each [data-chart] element's ECharts instance has a series with a non-null point; polled every frame;
//   a chart still empty after BENCH_CHART_WAIT_MS (20 s) — its source down — is named, not waited for).
// Cold loads use a fresh browser context each (nothing cached: ECharts' 1 MB is fetched every time);
// warm loads reuse one context (ECharts from the cache, the page revalidated by ETag).
// Runs against BENCH_DASHBOARD_URL (a running `npm start`, e.g. http://127.0.0.1:3000), or starts
// the demo itself (as `npm start` does, on free ports) and stops it after. Prints; never asserts.
// Run: npx tsx bench/dashboard-paint.bench.ts   (or npm run bench -- dashboard-paint)
//   BENCH_LOADS=10 loads per page and cache state; BENCH_PAGES=/,/issuer.
import type { BrowserContext } from 'playwright-core';
import { startBallastDemo, type BallastDemo } from '../test/browser-support/ballast-demo';
import { launchBrowser } from '../test/browser-support/temporal-ui';
import { formatSummary, machineContext, summarize } from './temporal-bench-env';

const LOADS = Number(process.env.BENCH_LOADS ?? '10');
const PAGES = (process.env.BENCH_PAGES ?? '/,/issuer').split(',');
const METRICS = ['firstPaint', 'firstContentfulPaint', 'domContentLoaded', 'snapshotResponse', 'firstSnapshot', 'allChartsData'] as const;
type Metric = (typeof METRICS)[number];
/** A chart still empty this long after navigation has no data to show (a source down): reported, not waited for. */
const CHART_WAIT_MS = Number(process.env.BENCH_CHART_WAIT_MS ?? '20000');

/**
 * Installed before any page script: when the first snapshot lands and when each chart first has data.
 * `skip`: charts the warm-up load found without data (their source down), not waited for.
 */
const probe = (skip: string[]) => `(() => {
  const skip = new Set(${JSON.stringify(skip)});
  const marks = (window.__paintBench = { charts: {}, done: false });
  const check = () => {
    const d = window.ballastDashboard;
    if (d && d.updates > 0 && marks.firstSnapshot === undefined) marks.firstSnapshot = performance.now();
    const els = [...document.querySelectorAll('[data-chart]')];
    for (const el of els) {
      if (marks.charts[el.dataset.chart] !== undefined || !window.echarts) continue;
      const series = window.echarts.getInstanceByDom(el)?.getOption()?.series ?? [];
      if (series.some((s) => (s.data ?? []).some((x) => x !== null && x !== undefined))) marks.charts[el.dataset.chart] = performance.now();
    }
    marks.expected = els.map((el) => el.dataset.chart);
    if (els.length > 0 && els.every((el) => skip.has(el.dataset.chart) || marks.charts[el.dataset.chart] !== undefined)) marks.done = true;
    else if (performance.now() > ${CHART_WAIT_MS}) marks.done = true;
    else requestAnimationFrame(check);
  };
  requestAnimationFrame(check);
})();`;

interface LoadResult {
  times: Record<Metric, number>;
  /** Charts that had no data within CHART_WAIT_MS. */
  empty: string[];
}

async function load(context: BrowserContext, url: string): Promise<LoadResult> {
  const page = await context.newPage();
  try {
    await page.goto(url);
    await page.waitForFunction(() => (globalThis as any).__paintBench?.done === true, undefined, { timeout: CHART_WAIT_MS + 60_000, polling: 100 });
    return await page.evaluate(() => {
      const g = globalThis as any;
      const marks = g.__paintBench;
      const paint = Object.fromEntries(g.performance.getEntriesByType('paint').map((e: any) => [e.name, e.startTime]));
      const nav = g.performance.getEntriesByType('navigation')[0];
      const empty = (marks.expected as string[]).filter((c) => marks.charts[c] === undefined);
      return {
        times: {
          firstPaint: paint['first-paint'],
          firstContentfulPaint: paint['first-contentful-paint'],
          domContentLoaded: nav.domContentLoadedEventEnd,
          // The REST snapshot's last byte (Resource Timing): what is left after it is parsing and drawing.
          snapshotResponse: g.performance.getEntriesByType('resource').find((e: any) => /\/api\/(dashboard|issuer)\/snapshot/.test(e.name))?.responseEnd ?? NaN,
          firstSnapshot: marks.firstSnapshot,
          // When the last chart that has data got it (charts without data are listed apart).
          allChartsData: Math.max(...Object.values(marks.charts as Record<string, number>)),
        },
        empty,
      };
    });
  } finally {
    await page.close();
  }
}

async function main(): Promise<void> {
  let demo: BallastDemo | undefined;
  const given = process.env.BENCH_DASHBOARD_URL;
  if (!given) {
    process.stdout.write('starting the demo (npm start on free ports)…\n');
    demo = await startBallastDemo();
  }
  const base = (given ?? demo!.apiUrl).replace(/\/$/, '');
  const browser = await launchBrowser();
  try {
    process.stdout.write(`dashboard at ${base}; ${LOADS} loads per page and cache state; ${machineContext()}\n`);
    // The demo's first snapshots can lack figures whose sources are still starting: one load first, not counted.
    const warmup = await browser.newContext();
    await warmup.addInitScript(probe([]));
    const { empty: skip } = await load(warmup, `${base}/`);
    await warmup.close();
    if (skip.length) process.stdout.write(`charts without data on the warm-up load (their source is down; not waited for): ${skip.join(', ')}\n`);
    for (const path of PAGES) {
      for (const cache of ['cold', 'warm'] as const) {
        const samples = Object.fromEntries(METRICS.map((m) => [m, [] as number[]])) as Record<Metric, number[]>;
        const empty = new Set<string>();
        let shared: BrowserContext | undefined;
        if (cache === 'warm') {
          shared = await browser.newContext({ viewport: { width: 1600, height: 1000 } });
          await shared.addInitScript(probe(skip));
          await load(shared, `${base}${path}`); // fills the cache
        }
        for (let i = 0; i < LOADS; i++) {
          const context = shared ?? (await browser.newContext({ viewport: { width: 1600, height: 1000 } }));
          if (!shared) await context.addInitScript(probe(skip));
          const r = await load(context, `${base}${path}`);
          for (const m of METRICS) if (Number.isFinite(r.times[m])) samples[m].push(r.times[m]);
          for (const c of r.empty) empty.add(c);
          if (!shared) await context.close();
        }
        await shared?.close();
        process.stdout.write(`\n${path} (${cache} cache)\n`);
        for (const m of METRICS) process.stdout.write(`  ${m.padEnd(22)} ${formatSummary(summarize(samples[m]))}\n`);
        if (empty.size) process.stdout.write(`  (allChartsData leaves out charts without data within ${CHART_WAIT_MS} ms on some load: ${[...empty].join(', ')})\n`);
      }
    }
  } finally {
    await browser.close();
    await demo?.stop();
  }
}

main().catch((e: unknown) => {
  process.stderr.write(`${(e as Error).stack ?? String(e)}\n`);
  process.exit(1);
});
