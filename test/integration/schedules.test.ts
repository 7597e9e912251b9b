// Compliance schedules are registered idempotently: a second start updates, never duplicates, and
// never resumes a schedule an operator paused.
import { Client, ScheduleOverlapPolicy } from '@temporalio/client';
import { generateKeyEntry } from '../../temporal/codec';
import { ballastDataConverter } from '../../temporal/data-converter';
import { complianceScheduleId, dailyReportScheduleOptions, ensureComplianceSchedules, ensureSchedule, complianceScheduleOptions, rebalanceScheduleOptions } from '../../temporal/schedules';
import { previousUtcDay } from '../../domain/report/daily-report';
import type { DailyReportResult } from '../../workflows/daily-report.workflow';
import type { ComplianceCheckResult } from '../../workflows/compliance-check.workflow';
import { createTestWorker, openTestEnv, testConfig, uniqueId, type TestEnv } from './helpers';

let env: TestEnv;
beforeAll(async () => {
  env = await openTestEnv();
});
afterAll(async () => env?.close());

/** A config whose venue ids are unique to this test, so schedule ids never collide between runs. */
function configWithFreshVenues(every = '5m') {
  const suffix = uniqueId('s').slice(2);
  return testConfig((raw) => {
    raw.venues = raw.venues.map((v: Record<string, any>) => ({ ...v, id: `${v.id}-${suffix}`, compliance: { every } }));
  });
}

describe('rebalance schedule', () => {
  it('is created paused (moving capital on a timer is switched on by an operator) and starts rebalance', async () => {
    const config = testConfig((raw) => {
      raw.asset.symbol = `R${uniqueId('x').slice(2, 8).toUpperCase()}`;
      raw.venues = raw.venues.map((v: Record<string, any>) => ({ ...v, market: v.market.replace(/^BLST\//, `${raw.asset.symbol}/`) }));
    });
    const options = rebalanceScheduleOptions(config);
    expect(await ensureSchedule(env.client, options)).toBe('created');
    const desc = await env.client.schedule.getHandle(options.scheduleId).describe();
    expect(desc.state.paused).toBe(true);
    expect(desc.spec.intervals?.[0]?.every).toBe(6 * 3_600_000);
    if (desc.action.type === 'startWorkflow') {
      expect(desc.action.workflowType).toBe('rebalance');
      expect(desc.action.args).toEqual([{ requestId: `scheduled-${config.asset.symbol}`, asset: config.asset.symbol, requester: 'schedule' }]);
    } else throw new Error('expected a startWorkflow action');
    await env.client.schedule.getHandle(options.scheduleId).delete();
  });
});

describe('daily report schedule', () => {
  it('runs every day at reports.dailyAt UTC, skips overlaps, and a triggered run reports the day before under its business key', async () => {
    const config = testConfig((raw) => {
      raw.asset.symbol = `D${uniqueId('x').slice(2, 8).toUpperCase()}`;
      raw.venues = raw.venues.map((v: Record<string, any>) => ({ ...v, market: v.market.replace(/^BLST\//, `${raw.asset.symbol}/`) }));
    });
    const options = dailyReportScheduleOptions(config);
    expect(options.scheduleId).toBe(`daily-report:${config.asset.symbol}`);
    expect(await ensureSchedule(env.client, options)).toBe('created');
    expect(await ensureSchedule(env.client, options)).toBe('updated');
    const handle = env.client.schedule.getHandle(options.scheduleId);
    const desc = await handle.describe();
    expect(desc.state.paused).toBe(false);
    expect(desc.policies.overlap).toBe(ScheduleOverlapPolicy.SKIP);
    expect(desc.spec.calendars?.[0]).toMatchObject({ hour: [{ start: 0, end: 0, step: 1 }], minute: [{ start: 10, end: 10, step: 1 }] });
    if (desc.action.type !== 'startWorkflow') throw new Error('expected a startWorkflow action');
    expect(desc.action.workflowType).toBe('dailyReport');
    expect(desc.action.args).toEqual([{ requester: 'schedule' }]);

    const worker = await createTestWorker(env, config);
    const triggeredAt = Date.now();
    const result = await worker.runUntil(async () => {
      await handle.trigger();
      let workflowId: string | undefined;
      for (let i = 0; i < 100 && !workflowId; i++) {
        workflowId = (await handle.describe()).info.recentActions[0]?.action.workflow.workflowId;
        if (!workflowId) await new Promise((r) => setTimeout(r, 100));
      }
      expect(workflowId).toBeDefined();
      return env.client.workflow.getHandle(workflowId!).result() as Promise<DailyReportResult>;
    });
    const day = previousUtcDay(triggeredAt);
    expect(result).toMatchObject({ workflowId: `daily-report:${config.asset.symbol}:${day}`, asset: config.asset.symbol, date: day, venues: config.venues.length });
    await handle.delete();
  });
});

describe('compliance schedules', () => {
  it('creates one schedule per venue, then updates in place', async () => {
    const config = configWithFreshVenues('5m');
    const first = await ensureComplianceSchedules(env.client, config);
    expect(Object.values(first)).toEqual(['created', 'created', 'created', 'created']);
    const second = await ensureComplianceSchedules(env.client, config);
    expect(Object.values(second)).toEqual(['updated', 'updated', 'updated', 'updated']);

    const id = complianceScheduleId(config.venues[0]!.id);
    const desc = await env.client.schedule.getHandle(id).describe();
    expect(desc.action.type).toBe('startWorkflow');
    if (desc.action.type === 'startWorkflow') {
      expect(desc.action.workflowType).toBe('complianceCheck');
      expect(desc.action.args).toEqual([{ venue: config.venues[0]!.id, requester: 'schedule' }]);
    }
    for (const v of config.venues) await env.client.schedule.getHandle(complianceScheduleId(v.id)).delete();
  });

  it('keeps a paused schedule paused, with the operator note, while updating its interval', async () => {
    const config = configWithFreshVenues('5m');
    const venue = config.venues[0]!.id;
    const handle = env.client.schedule.getHandle(complianceScheduleId(venue));
    await ensureSchedule(env.client, complianceScheduleOptions(config, venue));
    await handle.pause('venue under maintenance — ops');

    const changed = testConfig((raw) => {
      raw.venues = config.venues.map((v) => ({ ...v, compliance: { every: '7m' } }));
    });
    expect(await ensureSchedule(env.client, complianceScheduleOptions(changed, venue))).toBe('updated');

    const desc = await handle.describe();
    expect(desc.state.paused).toBe(true);
    expect(desc.state.note).toBe('venue under maintenance — ops');
    expect(desc.spec.intervals?.[0]?.every).toBe(7 * 60_000);
    await handle.delete();
  });

  it('starts complianceCheck when triggered', async () => {
    const config = configWithFreshVenues('1h');
    const venue = config.venues[1]!.id;
    await ensureSchedule(env.client, complianceScheduleOptions(config, venue));
    const handle = env.client.schedule.getHandle(complianceScheduleId(venue));
    const worker = await createTestWorker(env, config);
    const result = await worker.runUntil(async () => {
      await handle.trigger();
      let workflowId: string | undefined;
      for (let i = 0; i < 100 && !workflowId; i++) {
        workflowId = (await handle.describe()).info.recentActions[0]?.action.workflow.workflowId;
        if (!workflowId) await new Promise((r) => setTimeout(r, 100));
      }
      expect(workflowId).toBeDefined();
      return env.client.workflow.getHandle(workflowId!).result() as Promise<ComplianceCheckResult>;
    });
    expect(result.venue).toBe(venue);
    await handle.delete();
  });
});

describe('a schedule written with other payload keys', () => {
  it('is not silently replaced: registering it again fails naming the schedule, the keys and the remedy', async () => {
    const config = configWithFreshVenues();
    const venue = config.venues[0]!.id;
    const options = complianceScheduleOptions(config, venue);
    const encrypted = new Client({ connection: env.connection, dataConverter: ballastDataConverter({ BALLAST_PAYLOAD_KEYS: generateKeyEntry('earlier-deployment') })! });
    expect(await ensureSchedule(encrypted, options)).toBe('created');
    try {
      const err = await ensureSchedule(env.client, options).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(Error);
      expect((err as Error).message).toContain(`schedule ${complianceScheduleId(venue)} cannot be read with this process's payload keys`);
      expect((err as Error).message).toContain(`temporal schedule delete --schedule-id ${complianceScheduleId(venue)}`);
      // With the keys it was written with, it updates in place.
      expect(await ensureSchedule(encrypted, options)).toBe('updated');
    } finally {
      await env.client.schedule.getHandle(options.scheduleId).delete();
    }
  });
});
