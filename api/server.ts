// The Ballast HTTP API: health (with Temporal connectivity), configured venues, latest compliance.
import { Client, Connection } from '@temporalio/client';
import type { DataConverter } from '@temporalio/common';
import Fastify from 'fastify';
import { collectDefaultMetrics, Gauge, Registry } from 'prom-client';
import type { Logger } from 'pino';
import { z } from 'zod';
import type { BallastConfig } from '../domain/config.schema';
import { toFieldIssues } from '../domain/errors';
import { assertCodecAuthForBind, type CodecAuth } from './codec-auth';
import { codecRoutes, webUiOrigins } from './codec-routes';
import { complianceHistoryForDashboard } from './dashboard/compliance-source';
import { dashboardRoutes, type DashboardRoutesOptions } from './dashboard/routes';
import type { ComplianceHistoryStore } from '../activities/compliance-history-store';
import { complianceHistoryRoutes } from './compliance-history-routes';
import type { DailyReportStore } from '../activities/report-store';
import { reportRoutes } from './report-routes';
import { dashboardStaticRoutes } from './dashboard/static-routes';

export interface ApiDeps {
  config: BallastConfig;
  logger: Logger;
  /** Payload encryption (temporal/data-converter.ts): used by the API's client and its codec endpoints. */
  dataConverter?: DataConverter;
  /** The codec endpoints' credential (api/codec-auth.ts codecAuthFromEnv); required on a non-loopback bind. */
  codecAuth?: CodecAuth;
  /** Compliance over time (the ledger's PostgreSQL): GET /api/compliance/history. */
  compliance?: ComplianceHistoryStore;
  /** Stored daily reports (the ledger's PostgreSQL): GET /api/reports, /api/reports/<day>.json, /reports/<day>.html. */
  reports?: DailyReportStore;
  /** The dashboard's other sources: the ledger (transfers in flight), the compliance history, /metrics URL overrides. */
  dashboard?: Pick<DashboardRoutesOptions, 'ledger' | 'compliance' | 'metricsUrls' | 'onCollector'>;
}

/** One lazily (re)established connection: the API starts and answers even while Temporal is down. */
class TemporalLink {
  private connecting?: Promise<Connection>;
  constructor(private readonly address: string) {}

  async get(): Promise<Connection> {
    if (!this.connecting) {
      this.connecting = Connection.connect({ address: this.address, connectTimeout: 2_000 });
      this.connecting.catch(() => (this.connecting = undefined));
    }
    return this.connecting;
  }

  async close(): Promise<void> {
    const c = await this.connecting?.catch(() => undefined);
    await c?.close();
  }
}

const VenueParam = z.object({ venue: z.string().regex(/^[a-z][a-z0-9-]{1,31}$/) });

export function buildApi(deps: ApiDeps) {
  const { config } = deps;
  assertCodecAuthForBind(config.api.host, deps.codecAuth ?? {});
  const app = Fastify({ loggerInstance: deps.logger.child({ component: 'api' }) });
  const link = new TemporalLink(config.temporal.address);
  app.addHook('onClose', async () => link.close());
  void app.register(codecRoutes, { codecs: deps.dataConverter?.payloadCodecs ?? [], allowedOrigins: webUiOrigins(config), auth: deps.codecAuth ?? {} });
  void app.register(complianceHistoryRoutes, { config, ...(deps.compliance ? { store: deps.compliance } : {}) });
  void app.register(reportRoutes, { config, ...(deps.reports ? { store: deps.reports } : {}) });
  void app.register(dashboardRoutes, {
    config,
    logger: deps.logger,
    connection: () => link.get(),
    ...(deps.dataConverter ? { dataConverter: deps.dataConverter } : {}),
    ...(deps.compliance ? { compliance: complianceHistoryForDashboard(config, deps.compliance) } : {}),
    ...deps.dashboard,
  });
  void app.register(dashboardStaticRoutes);

  const probeTemporal = async (): Promise<{ connected: true; serverVersion: string } | { connected: false; error: string }> => {
    try {
      const conn = await link.get();
      const info = await conn.withDeadline(Date.now() + 2_000, () => conn.workflowService.getSystemInfo({}));
      return { connected: true, serverVersion: info.serverVersion ?? 'unknown' };
    } catch (e) {
      return { connected: false, error: (e as Error).message };
    }
  };

  app.get('/health', async (_req, reply) => {
    const temporal = { address: config.temporal.address, namespace: config.temporal.namespace, ...(await probeTemporal()) };
    return temporal.connected ? { status: 'ok', temporal } : reply.code(503).send({ status: 'degraded', temporal });
  });

  const registry = new Registry();
  collectDefaultMetrics({ register: registry, prefix: 'ballast_api_' });
  new Gauge({
    name: 'ballast_temporal_up',
    help: '1 when the API reaches the Temporal frontend, else 0 (probed at scrape time)',
    registers: [registry],
    async collect() {
      this.set((await probeTemporal()).connected ? 1 : 0);
    },
  });
  new Gauge({ name: 'ballast_venues_configured', help: 'Venues in the loaded config', registers: [registry] }).set(config.venues.length);

  app.get('/metrics', async (_req, reply) => reply.type(registry.contentType).send(await registry.metrics()));

  app.get('/api/venues', async () =>
    config.venues.map((v) => ({ id: v.id, kind: v.kind, market: v.market, fees: v.fees, rules: v.rules, requirements: v.requirements, complianceEvery: v.compliance.every })),
  );

  app.get('/api/compliance/:venue', async (req, reply) => {
    const parsed = VenueParam.safeParse(req.params);
    if (!parsed.success) return reply.code(400).send({ error: 'invalid request', issues: toFieldIssues(parsed.error) });
    const { venue } = parsed.data;
    if (!config.venues.some((v) => v.id === venue)) return reply.code(404).send({ error: `unknown venue "${venue}"` });
    const client = new Client({ connection: await link.get(), namespace: config.temporal.namespace, dataConverter: deps.dataConverter });
    const query = `WorkflowType = 'complianceCheck' AND Venue = '${venue}' AND ExecutionStatus = 'Completed'`;
    for await (const wf of client.workflow.list({ query, pageSize: 1 })) {
      const result: unknown = await client.workflow.getHandle(wf.workflowId, wf.runId).result();
      return { workflowId: wf.workflowId, runId: wf.runId, closeTime: wf.closeTime, result };
    }
    return reply.code(404).send({ error: `no completed compliance check for "${venue}" yet` });
  });

  // Books, trades and run state of the embedded simulated market, per venue.
  const sim = config.simulation;
  const marketUrl = sim ? `http://${sim.host}:${sim.port}` : undefined;
  const MarketQuery = z.object({ depth: z.coerce.number().int().min(1).max(500).optional(), limit: z.coerce.number().int().min(1).max(500).optional() }).strict();
  const proxyMarket = async (path: string, query: unknown, reply: { code(c: number): { send(b: unknown): unknown } }) => {
    if (!marketUrl) return reply.code(404).send({ error: 'no simulated market in this configuration' });
    const q = MarketQuery.safeParse(query);
    if (!q.success) return reply.code(400).send({ error: 'invalid query', issues: toFieldIssues(q.error) });
    const qs = new URLSearchParams(Object.entries(q.data).flatMap(([k, v]): [string, string][] => (v === undefined ? [] : [[k, String(v)]]))).toString();
    try {
      const r = await fetch(`${marketUrl}${path}${qs ? `?${qs}` : ''}`, { signal: AbortSignal.timeout(5_000) });
      return reply.code(r.status).send(await r.json());
    } catch (e) {
      return reply.code(503).send({ error: `simulated market unreachable at ${marketUrl}: ${(e as Error).message}` });
    }
  };
  app.get('/api/market/venues', async (req, reply) => proxyMarket('/venues', req.query, reply));
  app.get('/api/market/summary', async (req, reply) => proxyMarket('/summary', req.query, reply));
  app.get('/api/market/venues/:venue/:what', async (req, reply) => {
    const { venue, what } = req.params as { venue: string; what: string };
    if (!/^[a-z][a-z0-9-]{1,31}$/.test(venue) || (what !== 'book' && what !== 'trades')) {
      return reply.code(400).send({ error: 'expected /api/market/venues/<venue id>/(book|trades)' });
    }
    return proxyMarket(`/venues/${venue}/${what}`, req.query, reply);
  });

  return app;
}

export type Api = ReturnType<typeof buildApi>;

export async function runApi(deps: ApiDeps): Promise<Api> {
  const app = buildApi(deps);
  await app.listen({ host: deps.config.api.host, port: deps.config.api.port });
  return app;
}
