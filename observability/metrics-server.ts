// A process's /metrics endpoint (the Temporal worker and the quoting worker; the API serves its own
// through fastify). Plain node:http: nothing else is served.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { BallastMetrics } from './metrics';

export interface MetricsServer {
  url: string;
  close(): Promise<void>;
}

export async function serveMetrics(m: BallastMetrics, bind: { host: string; port: number }): Promise<MetricsServer> {
  const server: Server = createServer((req, res) => {
    if (req.method !== 'GET' || (req.url ?? '').split('?')[0] !== '/metrics') {
      res.writeHead(404, { 'content-type': 'text/plain' }).end('not found: GET /metrics\n');
      return;
    }
    m.text().then(
      (body) => res.writeHead(200, { 'content-type': m.registry.contentType }).end(body),
      (e: unknown) => res.writeHead(500, { 'content-type': 'text/plain' }).end(`metrics failed: ${e instanceof Error ? e.message : String(e)}\n`),
    );
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(bind.port, bind.host, () => resolve());
  });
  const a = server.address() as AddressInfo;
  const host = a.family === 'IPv6' ? `[${a.address}]` : a.address;
  return {
    url: `http://${host}:${a.port}/metrics`,
    close: () => new Promise<void>((resolve, reject) => server.close((e) => (e ? reject(e) : resolve()))),
  };
}
