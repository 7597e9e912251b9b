// The dashboard's static routes (api/dashboard/static-routes.ts) through fastify's inject: both pages,
// their assets and the vendored ECharts with the right content types and cache headers, revalidation by
// ETag, nothing outside the fixed file table (no traversal), and no third-party origin in any page.
import Fastify from 'fastify';
import { readFileSync } from 'node:fs';
import { ASSET_PREFIX, dashboardStaticRoutes, ECHARTS_PATH } from '../../api/dashboard/static-routes';

const app = Fastify();
beforeAll(async () => {
  await app.register(dashboardStaticRoutes);
  await app.ready();
});
afterAll(async () => app.close());

const get = (url: string, headers: Record<string, string> = {}) => app.inject({ method: 'GET', url, headers });

describe('dashboard static routes', () => {
  it.each([
    ['/', 'operator'],
    ['/issuer', 'issuer'],
  ])('serves %s as the %s page with a strict CSP, revalidated every load', async (url, view) => {
    const r = await get(url);
    expect(r.statusCode).toBe(200);
    expect(r.headers['content-type']).toBe('text/html; charset=utf-8');
    expect(r.headers['cache-control']).toBe('no-cache');
    expect(r.headers['content-security-policy']).toContain("script-src 'self'");
    expect(r.headers['content-security-policy']).toContain("connect-src 'self'");
    expect(r.body).toContain(`data-view="${view}"`);
    // Everything the page loads is ours (or an inline empty icon): no CDN, no external font.
    const refs = [...r.body.matchAll(/(?:src|href)="([^"]+)"/g)].map((m) => m[1]);
    expect(refs.length).toBeGreaterThan(2);
    for (const ref of refs) expect(ref).toMatch(/^(\/(?!\/)|data:,$)/);
    expect(r.body).not.toMatch(/https?:\/\//);
    const again = await get(url, { 'if-none-match': String(r.headers.etag) });
    expect(again.statusCode).toBe(304);
    expect(again.body).toBe('');
  });

  it('serves the page scripts and styles that the pages reference, with their content types', async () => {
    const html = (await get('/')).body + (await get('/issuer')).body;
    const refs = [...new Set([...html.matchAll(/(?:src|href)="(\/dashboard\/[^"]+)"/g)].map((m) => m[1]!))];
    expect(refs).toEqual(expect.arrayContaining([ECHARTS_PATH, `${ASSET_PREFIX}dashboard.js`, `${ASSET_PREFIX}dashboard.css`]));
    for (const ref of refs) {
      const r = await get(ref);
      expect(r.statusCode).toBe(200);
      expect(r.headers['content-type']).toBe(ref.endsWith('.css') ? 'text/css; charset=utf-8' : 'text/javascript; charset=utf-8');
      expect(r.headers['x-content-type-options']).toBe('nosniff');
    }
    // Modules the page script imports are served too.
    for (const m of (await get(`${ASSET_PREFIX}dashboard.js`)).body.matchAll(/from '\.\/([\w.-]+\.js)'/g)) expect((await get(`${ASSET_PREFIX}${m[1]}`)).statusCode).toBe(200);
  });

  it('serves ECharts from node_modules, byte for byte, cacheable for a day', async () => {
    const r = await get(ECHARTS_PATH);
    expect(r.statusCode).toBe(200);
    expect(r.headers['cache-control']).toBe('public, max-age=86400');
    expect(r.rawPayload.equals(readFileSync(require.resolve('echarts/dist/echarts.min.js')))).toBe(true);
  });

  it.each([
    `${ASSET_PREFIX}..%2fstatic-routes.ts`,
    `${ASSET_PREFIX}../static-routes.ts`,
    `${ASSET_PREFIX}%2e%2e/%2e%2e/server.ts`,
    '/dashboard/vendor/..%2f..%2fpackage.json',
    `${ASSET_PREFIX}index.html`,
    `${ASSET_PREFIX}nope.js`,
    '/dashboard/',
  ])('answers 404 for %s (only the fixed table is served)', async (url) => {
    const r = await get(url);
    expect(r.statusCode).toBe(404);
    expect(r.body).not.toContain('readFileSync');
  });
});
