// The dashboard's data endpoints:
//   GET /api/dashboard/snapshot, GET /api/issuer/snapshot  — the latest snapshot (first load, tests)
//   GET /api/dashboard/events,   GET /api/issuer/events    — Server-Sent Events, one `snapshot` event
//     per refresh (id = seq); Last-Event-ID (header, or ?lastEventId= for EventSource tests) replays
//     the buffered events after it, else the latest snapshot comes first; `: heartbeat` comments.
// The issuer endpoints carry market quality only (model.ts issuerView). The data loop starts with
// the first request and stops, and every stream ends, when the app closes.
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { ServerResponse } from 'node:http';
import type { Logger } from 'pino';
import { z } from 'zod';
import { toFieldIssues } from '../../domain/errors';
import { DashboardCollector, type Frame } from './collector';
import { dashboardSources, temporalUiBase, type SourceDeps } from './sources';

export interface DashboardRoutesOptions extends SourceDeps {
  logger?: Logger;
  /** Called with the collector (tests and the benchmark read its state). */
  onCollector?: (c: DashboardCollector) => void;
}

type View = 'operator' | 'issuer';

const NoQuery = z.object({}).strict();
const zEventId = z.coerce.number().int().nonnegative();
const EventsQuery = z.object({ lastEventId: zEventId.optional() }).strict();

/** Drop a client whose unsent data exceeds this (it stopped reading). */
const MAX_BUFFERED_BYTES = 8 * 1024 * 1024;

export async function dashboardRoutes(app: FastifyInstance, opts: DashboardRoutesOptions): Promise<void> {
  const { config } = opts;
  const settings = config.api.dashboard;
  const collector = new DashboardCollector({
    sources: dashboardSources(opts, Math.min(800, settings.refreshMs - 200)),
    context: { config, temporalUiUrl: temporalUiBase(config) },
    refreshMs: settings.refreshMs,
    bufferSize: settings.bufferSize,
    ...(opts.logger ? { logger: opts.logger.child({ component: 'dashboard' }) } : {}),
  });
  opts.onCollector?.(collector);
  const streams = new Set<() => void>();

  // Streams end before the server waits for its connections; the loop stops with them.
  app.addHook('preClose', async () => {
    for (const end of [...streams]) end();
    collector.stop();
  });

  const badRequest = (reply: FastifyReply, error: z.ZodError) => reply.code(400).send({ error: 'invalid request', issues: toFieldIssues(error) });

  const snapshot = (view: View) => async (req: FastifyRequest, reply: FastifyReply) => {
    const q = NoQuery.safeParse(req.query ?? {});
    if (!q.success) return badRequest(reply, q.error);
    const f = await collector.start();
    return reply.type('application/json; charset=utf-8').header('cache-control', 'no-store').send(view === 'operator' ? f.operatorJson : f.issuerJson);
  };

  const events = (view: View) => async (req: FastifyRequest, reply: FastifyReply) => {
    const q = EventsQuery.safeParse(req.query ?? {});
    if (!q.success) return badRequest(reply, q.error);
    const header = req.headers['last-event-id'];
    let lastId = q.data.lastEventId;
    if (lastId === undefined && typeof header === 'string' && header !== '') {
      const h = zEventId.safeParse(header);
      if (!h.success) return reply.code(400).send({ error: 'invalid request', issues: [{ path: 'Last-Event-ID', message: 'expected a non-negative integer event id' }] });
      lastId = h.data;
    }
    await collector.start();
    reply.hijack();
    const res: ServerResponse = reply.raw;
    res.writeHead(200, {
      'content-type': 'text/event-stream; charset=utf-8',
      'cache-control': 'no-cache, no-transform',
      connection: 'keep-alive',
      'x-accel-buffering': 'no',
    });
    // Reconnect after about one refresh (EventSource then sends Last-Event-ID by itself).
    res.write(`retry: ${settings.refreshMs}\n\n`);
    const send = (f: Frame) => {
      if (res.writableLength > MAX_BUFFERED_BYTES) return void res.destroy();
      res.write(`id: ${f.seq}\nevent: snapshot\ndata: ${view === 'operator' ? f.operatorJson : f.issuerJson}\n\n`);
    };
    // Synchronous from here to subscribe: no frame can slip between the replay and the live stream.
    const replay = lastId === undefined ? undefined : collector.after(lastId);
    if (replay) replay.forEach(send);
    else send(collector.latest()!);
    const unsubscribe = collector.subscribe(send);
    const heartbeat = setInterval(() => res.write(': heartbeat\n\n'), settings.heartbeatMs);
    heartbeat.unref();
    const end = () => {
      clearInterval(heartbeat);
      unsubscribe();
      streams.delete(end);
      if (!res.writableEnded) res.end();
    };
    streams.add(end);
    res.on('close', end);
  };

  app.get('/api/dashboard/snapshot', snapshot('operator'));
  app.get('/api/issuer/snapshot', snapshot('issuer'));
  app.get('/api/dashboard/events', events('operator'));
  app.get('/api/issuer/events', events('issuer'));
}
