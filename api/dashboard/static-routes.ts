// The dashboard's static side: the operator page at `/`, the read-only issuer page at `/issuer`,
// their JS/CSS from api/dashboard/public/, and ECharts from node_modules (never a CDN, so the page
// works offline). Every served file is read once at registration into a fixed table keyed by URL:
// a request can only name an entry of that table, so no path from the URL ever reaches the file system.
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { extname, join } from 'node:path';
import type { FastifyPluginAsync, FastifyReply, FastifyRequest } from 'fastify';

export const PUBLIC_DIR = join(__dirname, 'public');
export const ASSET_PREFIX = '/dashboard/assets/';
export const ECHARTS_PATH = '/dashboard/vendor/echarts.min.js';

const CONTENT_TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.json': 'application/json; charset=utf-8',
};

// Pages and our own assets revalidate every load (cheap with the ETag); the vendored ECharts changes
// only with the npm package, so browsers may keep it a day.
const CACHE_PAGE = 'no-cache';
const CACHE_VENDOR = 'public, max-age=86400';

// Same-origin only: scripts and styles from this server, the SSE stream and snapshots from this API.
// ECharts writes inline style attributes (tooltips), hence 'unsafe-inline' for styles only.
const CSP = "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; connect-src 'self'; font-src 'self'; object-src 'none'; base-uri 'none'; frame-ancestors 'none'";

interface StaticFile {
  body: Buffer;
  type: string;
  etag: string;
  cache: string;
}

const load = (path: string, cache: string): StaticFile => {
  const body = readFileSync(path);
  const type = CONTENT_TYPES[extname(path)];
  if (!type) throw new Error(`dashboard: no content type for ${path}`);
  return { body, type, etag: `"${createHash('sha256').update(body).digest('base64url').slice(0, 22)}"`, cache };
};

/** URL → file, built once: the two pages, every file directly in public/ (no subfolders), ECharts. */
export function dashboardFiles(): Map<string, StaticFile> {
  const files = new Map<string, StaticFile>();
  files.set('/', load(join(PUBLIC_DIR, 'index.html'), CACHE_PAGE));
  files.set('/issuer', load(join(PUBLIC_DIR, 'issuer.html'), CACHE_PAGE));
  for (const entry of readdirSync(PUBLIC_DIR, { withFileTypes: true })) {
    if (!entry.isFile() || entry.name.endsWith('.html') || !CONTENT_TYPES[extname(entry.name)]) continue;
    files.set(`${ASSET_PREFIX}${entry.name}`, load(join(PUBLIC_DIR, entry.name), CACHE_PAGE));
  }
  files.set(ECHARTS_PATH, load(require.resolve('echarts/dist/echarts.min.js'), CACHE_VENDOR));
  return files;
}

/** A fastify plugin: `app.register(dashboardStaticRoutes)`. */
export const dashboardStaticRoutes: FastifyPluginAsync = async (app) => {
  const files = dashboardFiles();
  const send = (file: StaticFile) => async (req: FastifyRequest, reply: FastifyReply) => {
    void reply
      .header('Content-Type', file.type)
      .header('Cache-Control', file.cache)
      .header('ETag', file.etag)
      .header('X-Content-Type-Options', 'nosniff')
      .header('Referrer-Policy', 'no-referrer');
    if (file.type.startsWith('text/html')) void reply.header('Content-Security-Policy', CSP).header('X-Frame-Options', 'DENY');
    if (req.headers['if-none-match'] === file.etag) return reply.code(304).send();
    return reply.send(file.body);
  };
  // One exact route per file: anything else under /dashboard/ is fastify's 404.
  for (const [url, file] of files) app.get(url, send(file));
};
