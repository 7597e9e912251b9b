// The API answers health with real Temporal connectivity, and serves the latest compliance verdict.
import { buildApi } from '../../api/server';
import { freePort } from '../../temporal/dev-server';
import { ensureSearchAttributes } from '../../temporal/search-attributes';
import { SEARCH_ATTRIBUTES } from '../../domain/search-attributes';
import { complianceCheck } from '../../workflows';
import { createTestWorker, openTestEnv, testConfig, testLogger, uniqueId, type TestEnv } from './helpers';

let env: TestEnv;
beforeAll(async () => {
  env = await openTestEnv();
});
afterAll(async () => env?.close());

describe('API', () => {
  it('reports Temporal connected when the server is up', async () => {
    const app = buildApi({ config: testConfig(), logger: testLogger });
    const r = await app.inject({ method: 'GET', url: '/health' });
    expect(r.statusCode).toBe(200);
    expect(r.json()).toMatchObject({ status: 'ok', temporal: { connected: true, address: process.env.TEMPORAL_ADDRESS } });
    await app.close();
  });

  it('exposes Prometheus metrics, including Temporal reachability', async () => {
    const app = buildApi({ config: testConfig(), logger: testLogger });
    const r = await app.inject({ method: 'GET', url: '/metrics' });
    expect(r.statusCode).toBe(200);
    expect(r.body).toMatch(/^ballast_temporal_up 1$/m);
    expect(r.body).toMatch(/^ballast_venues_configured 4$/m);
    expect(r.body).toContain('ballast_api_process_resident_memory_bytes');
    await app.close();
  });

  it('reports 503 degraded when Temporal is unreachable', async () => {
    const port = await freePort();
    const app = buildApi({ config: testConfig((raw) => (raw.temporal.address = `127.0.0.1:${port}`)), logger: testLogger });
    const r = await app.inject({ method: 'GET', url: '/health' });
    expect(r.statusCode).toBe(503);
    expect(r.json()).toMatchObject({ status: 'degraded', temporal: { connected: false } });
    expect((await app.inject({ method: 'GET', url: '/metrics' })).body).toMatch(/^ballast_temporal_up 0$/m);
    await app.close();
  });

  it('serves the latest completed compliance check of a venue and rejects bad venue ids', async () => {
    const config = testConfig();
    const worker = await createTestWorker(env, config);
    const workflowId = uniqueId('api-charlie');
    await worker.runUntil(env.client.workflow.execute(complianceCheck, { taskQueue: config.temporal.taskQueue, workflowId, args: [{ venue: 'charlie' }] }));
    const app = buildApi({ config, logger: testLogger });
    let body: { workflowId?: string; result?: { venue: string } } = {};
    for (let i = 0; i < 50 && body.workflowId === undefined; i++) {
      // Visibility is eventually consistent: the run shows up in list queries shortly after it closes.
      const r = await app.inject({ method: 'GET', url: '/api/compliance/charlie' });
      if (r.statusCode === 200) body = r.json();
      else await new Promise((res) => setTimeout(res, 100));
    }
    expect(body.result?.venue).toBe('charlie');
    const bad = await app.inject({ method: 'GET', url: '/api/compliance/NOT_A_VENUE' });
    expect(bad.statusCode).toBe(400);
    expect(bad.json().issues[0].path).toBe('venue');
    expect((await app.inject({ method: 'GET', url: '/api/compliance/zulu' })).statusCode).toBe(404);
    await app.close();
  });
});

describe('search attributes', () => {
  it('are registered on the server and registering again is a no-op', async () => {
    const info = await env.connection.operatorService.listSearchAttributes({ namespace: 'default' });
    for (const name of Object.keys(SEARCH_ATTRIBUTES)) expect(Object.keys(info.customAttributes ?? {})).toContain(name);
    expect(await ensureSearchAttributes(env.connection, 'default')).toEqual([]);
  });
});
