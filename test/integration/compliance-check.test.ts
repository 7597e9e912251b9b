// complianceCheck on the real dev server: a real worker, the real activities, the simulated venues.
import { WorkflowFailedError } from '@temporalio/client';
import { ActivityFailure, ApplicationFailure } from '@temporalio/common';
import { computeBookMetrics, bandsFor } from '../../domain/compliance';
import type { SimVenueConfig } from '../../domain/config.schema';
import { SyntheticBook } from '../../sim/synthetic-book';
import { complianceCheck } from '../../workflows';
import { SA_ASSET, SA_OPERATION, SA_REQUESTER, SA_VENUE } from '../../workflows/search-attributes';
import { createTestWorker, openTestEnv, testConfig, uniqueId, type TestEnv } from './helpers';

const NOW = 1_764_000_000_000; // the fixed clock createTestWorker gives the venues

let env: TestEnv;
beforeAll(async () => {
  env = await openTestEnv();
});
afterAll(async () => env?.close());

describe('complianceCheck', () => {
  it('measures a simulated venue and returns a typed verdict recorded with search attributes', async () => {
    const config = testConfig();
    const worker = await createTestWorker(env, config);
    const workflowId = uniqueId('compliance-alpha');
    const result = await worker.runUntil(
      env.client.workflow.execute(complianceCheck, { taskQueue: config.temporal.taskQueue, workflowId, args: [{ venue: 'alpha', requester: 'ops@test' }] }),
    );

    // The same seeded book, measured independently of the workflow.
    const venue = config.venues.find((v) => v.id === 'alpha') as SimVenueConfig;
    const expected = computeBookMetrics(new SyntheticBook(venue, () => NOW).snapshot(100), bandsFor(venue.requirements));
    expect(result.metrics).toEqual(expected);
    expect(result.asOf).toBe(new Date(NOW).toISOString());
    expect(result.checks.map((c) => c.name)).toEqual(['spread', 'depth', 'volume24h']);
    expect(result.metrics.ok && result.metrics.depth.map((b) => b.pct)).toEqual(['1', '2', '5']);
    expect(result.compliant).toBe(result.checks.every((c) => c.ok));
    expect(result.requirements).toEqual(venue.requirements);

    const desc = await env.client.workflow.getHandle(workflowId).describe();
    expect(desc.typedSearchAttributes.get(SA_OPERATION)).toBe('complianceCheck');
    expect(desc.typedSearchAttributes.get(SA_VENUE)).toBe('alpha');
    expect(desc.typedSearchAttributes.get(SA_ASSET)).toBe('BLST');
    expect(desc.typedSearchAttributes.get(SA_REQUESTER)).toBe('ops@test');
  });

  it('reports which requirement a venue breaches', async () => {
    const config = testConfig((raw) => {
      const bravo = raw.venues.find((v: { id: string }) => v.id === 'bravo');
      bravo.requirements.maxSpreadPct = '0.01'; // far tighter than its 0.2 % synthetic spread
      bravo.requirements.minDepthQuote = '1000000000';
    });
    const worker = await createTestWorker(env, config);
    const result = await worker.runUntil(
      env.client.workflow.execute(complianceCheck, { taskQueue: config.temporal.taskQueue, workflowId: uniqueId('compliance-bravo'), args: [{ venue: 'bravo' }] }),
    );
    expect(result.compliant).toBe(false);
    const failed = result.checks.filter((c) => !c.ok).map((c) => c.name);
    expect(failed).toEqual(['spread', 'depth']);
  });

  it('measures the AMM pool through its implied book', async () => {
    const config = testConfig();
    const worker = await createTestWorker(env, config);
    const result = await worker.runUntil(
      env.client.workflow.execute(complianceCheck, { taskQueue: config.temporal.taskQueue, workflowId: uniqueId('compliance-uni'), args: [{ venue: 'uniswap' }] }),
    );
    expect(result.metrics.ok).toBe(true);
    // 4,000,000 BLST / 2,000,000 USDC: marginal price 0.5, quoted with the 0.3 % fee on each side.
    if (result.metrics.ok) expect(Number(result.metrics.mid)).toBeCloseTo(0.5, 3);
  });

  it('fails fast, without retries, on an unknown venue', async () => {
    const config = testConfig();
    const worker = await createTestWorker(env, config);
    const err = await worker
      .runUntil(env.client.workflow.execute(complianceCheck, { taskQueue: config.temporal.taskQueue, workflowId: uniqueId('compliance-nope'), args: [{ venue: 'nope' }] }))
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(WorkflowFailedError);
    const activityFailure = (err as WorkflowFailedError).cause;
    expect(activityFailure).toBeInstanceOf(ActivityFailure);
    const app = (activityFailure as ActivityFailure).cause as ApplicationFailure;
    expect(app.type).toBe('VENUE.UNKNOWN');
    expect(app.message).toContain('unknown venue "nope"');
  });
});
