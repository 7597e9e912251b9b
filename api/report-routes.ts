// The stored daily reports (dailyReport workflow, table daily_reports):
//   GET /api/reports                 the list, newest day first: date, generatedAt, links (the dashboard links here)
//   GET /api/reports/<YYYY-MM-DD>.json  the report model
//   GET /reports/<YYYY-MM-DD>.html      the self-contained HTML page
//   GET /reports                     the list as a page (links to each day's HTML and JSON)
// Bad parameters answer 400 naming the field; a day without a report 404.
import type { FastifyPluginAsync, FastifyReply } from 'fastify';
import { z } from 'zod';
import type { DailyReportStore } from '../activities/report-store';
import type { BallastConfig } from '../domain/config.schema';
import { toFieldIssues } from '../domain/errors';
import { zReportDate } from '../domain/report/daily-report';
import { renderReportIndexHtml } from '../domain/report/daily-report-html';

export interface ReportRoutesOptions {
  config: BallastConfig;
  /** The ledger database's report store; absent ⇒ 503 (this API process has no ledger URL). */
  store?: DailyReportStore;
}

const ListQuery = z.object({ limit: z.coerce.number().int().min(1).max(366).default(60) }).strict();
const fileParam = (ext: 'json' | 'html') =>
  z
    .object({ file: z.string() })
    .transform((p, ctx) => {
      const m = new RegExp(`^(.*)\\.${ext}$`).exec(p.file);
      if (!m) {
        ctx.addIssue({ code: 'custom', path: ['date'], message: `expected <YYYY-MM-DD>.${ext}` });
        return z.NEVER;
      }
      return { date: m[1]! };
    })
    .pipe(z.object({ date: zReportDate }));

/** Where a workflow opens in the Temporal Web UI (the dev server's UI port on the Temporal host). */
export function temporalUiWorkflowUrl(config: BallastConfig, workflowId: string, runId: string): string {
  const host = config.temporal.address.split(':')[0] || '127.0.0.1';
  return `http://${host}:${config.temporal.uiPort}/namespaces/${encodeURIComponent(config.temporal.namespace)}/workflows/${encodeURIComponent(workflowId)}/${encodeURIComponent(runId)}/history`;
}

export const reportRoutes: FastifyPluginAsync<ReportRoutesOptions> = async (app, o) => {
  const asset = o.config.asset.symbol;
  const noStore = (reply: FastifyReply) => reply.code(503).send({ error: 'no ledger database configured for the API (ledger.urlEnv): reports are stored there' });

  app.get('/api/reports', async (req, reply) => {
    const q = ListQuery.safeParse(req.query);
    if (!q.success) return reply.code(400).send({ error: 'invalid query', issues: toFieldIssues(q.error) });
    if (!o.store) return noStore(reply);
    const rows = await o.store.list(asset, q.data.limit);
    return {
      asset,
      reports: rows.map((r) => ({
        date: r.date,
        generatedAt: new Date(r.generatedAtMs).toISOString(),
        workflowId: r.workflowId,
        runId: r.runId,
        links: { json: `/api/reports/${r.date}.json`, html: `/reports/${r.date}.html`, workflow: temporalUiWorkflowUrl(o.config, r.workflowId, r.runId) },
      })),
    };
  });

  app.get('/reports', async (req, reply) => {
    const q = ListQuery.safeParse(req.query);
    if (!q.success) return reply.code(400).send({ error: 'invalid query', issues: toFieldIssues(q.error) });
    if (!o.store) return noStore(reply);
    const rows = (await o.store.list(asset, q.data.limit)).map((r) => ({ date: r.date, generatedAt: new Date(r.generatedAtMs).toISOString(), html: `/reports/${r.date}.html`, json: `/api/reports/${r.date}.json` }));
    return reply.type('text/html; charset=utf-8').header('content-security-policy', "default-src 'none'; style-src 'unsafe-inline'").send(renderReportIndexHtml(asset, rows));
  });

  const read = async (ext: 'json' | 'html', params: unknown, reply: FastifyReply) => {
    const p = fileParam(ext).safeParse(params);
    if (!p.success) {
      await reply.code(400).send({ error: 'invalid request', issues: toFieldIssues(p.error) });
      return undefined;
    }
    if (!o.store) {
      await noStore(reply);
      return undefined;
    }
    const stored = await o.store.get(asset, p.data.date);
    if (!stored) await reply.code(404).send({ error: `no daily report of ${asset} for ${p.data.date}` });
    return stored;
  };

  app.get('/api/reports/:file', async (req, reply) => {
    const stored = await read('json', req.params, reply);
    return stored ? reply.send(stored.report) : reply;
  });

  app.get('/reports/:file', async (req, reply) => {
    const stored = await read('html', req.params, reply);
    if (!stored) return reply;
    // The page is self-contained: nothing may load from elsewhere, nothing runs.
    return reply.type('text/html; charset=utf-8').header('content-security-policy', "default-src 'none'; style-src 'unsafe-inline'").send(stored.html);
  });
};
