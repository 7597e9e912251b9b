// GET /api/compliance/history?venue=<id>&window=24h|7d — a venue's compliance over time from the
// ledger database: sample counts, uptime, spread and depth uptime, coverage, breach intervals
// (domain/compliance-history.ts summarizeCompliance, the same summary the dashboard and the daily
// report read). `to` (epoch ms, optional) ends the window; default now.
import type { FastifyPluginAsync } from 'fastify';
import { z } from 'zod';
import type { ComplianceHistoryStore } from '../activities/compliance-history-store';
import { DAY_MS, durationMs } from '../domain/compliance-history';
import type { BallastConfig } from '../domain/config.schema';
import { toFieldIssues } from '../domain/errors';

export const COMPLIANCE_WINDOWS = { '24h': DAY_MS, '7d': 7 * DAY_MS } as const;

const HistoryQuery = z
  .object({
    venue: z.string().regex(/^[a-z][a-z0-9-]{1,31}$/, 'expected a venue id'),
    window: z.enum(['24h', '7d']).default('24h'),
    to: z.coerce.number().int().positive().optional(),
  })
  .strict();

export interface ComplianceHistoryRoutesOptions {
  config: BallastConfig;
  /** The ledger's store; absent ⇒ 503 (this API process has no ledger URL). */
  store?: Pick<ComplianceHistoryStore, 'complianceSummary'>;
  now?: () => number;
}

export const complianceHistoryRoutes: FastifyPluginAsync<ComplianceHistoryRoutesOptions> = async (app, o) => {
  const now = o.now ?? Date.now;
  app.get('/api/compliance/history', async (req, reply) => {
    const q = HistoryQuery.safeParse(req.query);
    if (!q.success) return reply.code(400).send({ error: 'invalid query', issues: toFieldIssues(q.error) });
    const venue = o.config.venues.find((v) => v.id === q.data.venue);
    if (!venue) return reply.code(404).send({ error: `unknown venue "${q.data.venue}"` });
    if (!o.store) return reply.code(503).send({ error: 'no ledger database configured for the API (ledger.urlEnv)' });
    const toMs = q.data.to ?? now();
    const fromMs = toMs - COMPLIANCE_WINDOWS[q.data.window];
    const summary = await o.store.complianceSummary(venue.id, fromMs, toMs, durationMs(venue.compliance.sampleEvery));
    return { window: q.data.window, requirements: venue.requirements, ...summary };
  });
};
