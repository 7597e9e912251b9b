// Temporal Schedules Ballast owns, registered idempotently at worker start-up: a second start updates
// spec and action in place and never resumes a schedule an operator paused.
import { ScheduleAlreadyRunning, ScheduleOverlapPolicy, type Client, type ScheduleOptions } from '@temporalio/client';
import type { BallastConfig } from '../domain/config.schema';
import { SA_ASSET, SA_OPERATION, SA_VENUE } from '../workflows/search-attributes';

export const complianceScheduleId = (venue: string) => `compliance:${venue}`;

export function complianceScheduleOptions(config: BallastConfig, venueId: string): ScheduleOptions {
  const venue = config.venues.find((v) => v.id === venueId);
  if (!venue) throw new Error(`unknown venue ${venueId}`);
  return {
    scheduleId: complianceScheduleId(venue.id),
    spec: { intervals: [{ every: venue.compliance.every as `${number}m` }] },
    action: {
      type: 'startWorkflow',
      workflowType: 'complianceCheck',
      workflowId: `compliance:${venue.id}`,
      args: [{ venue: venue.id, requester: 'schedule' }],
      taskQueue: config.temporal.taskQueue,
      workflowExecutionTimeout: '10m',
      typedSearchAttributes: [
        { key: SA_OPERATION, value: 'complianceCheck' },
        { key: SA_VENUE, value: venue.id },
        { key: SA_ASSET, value: config.asset.symbol },
      ],
    },
    policies: { overlap: ScheduleOverlapPolicy.SKIP, catchupWindow: '10m' },
    state: { note: `compliance check of ${venue.id} every ${venue.compliance.every} (registered by Ballast)` },
  };
}

export const rebalanceScheduleId = (asset: string) => `rebalance:${asset}`;

/** The periodic rebalance of the asset over the transfer-capable venues (equal shares by default). */
export function rebalanceScheduleOptions(config: BallastConfig): ScheduleOptions {
  const asset = config.asset.symbol;
  const r = config.treasury.rebalance;
  return {
    scheduleId: rebalanceScheduleId(asset),
    spec: { intervals: [{ every: r.every as `${number}h` }] },
    action: {
      type: 'startWorkflow',
      workflowType: 'rebalance',
      workflowId: `rebalance:${asset}:scheduled`,
      args: [{ requestId: `scheduled-${asset}`, asset, requester: 'schedule' }],
      taskQueue: config.temporal.taskQueue,
      typedSearchAttributes: [
        { key: SA_OPERATION, value: 'rebalance' },
        { key: SA_ASSET, value: asset },
      ],
    },
    policies: { overlap: ScheduleOverlapPolicy.SKIP, catchupWindow: '10m' },
    // Only at creation: an existing schedule keeps the state an operator gave it.
    state: { paused: r.paused, note: `rebalance of ${asset} every ${r.every} (registered by Ballast${r.paused ? '; created paused: unpause to enable' : ''})` },
  };
}

export const dailyReportScheduleId = (asset: string) => `daily-report:${asset}`;

/** The asset's dailyReport every day at reports.dailyAt UTC, reporting the day before. */
export function dailyReportScheduleOptions(config: BallastConfig): ScheduleOptions {
  const asset = config.asset.symbol;
  const r = config.reports;
  const [hour, minute] = r.dailyAt.split(':').map(Number) as [number, number];
  return {
    scheduleId: dailyReportScheduleId(asset),
    spec: { calendars: [{ hour, minute, comment: `every day at ${r.dailyAt} UTC` }] },
    action: {
      type: 'startWorkflow',
      workflowType: 'dailyReport',
      // The run then reports under its business key daily-report:<asset>:<day> (a child workflow).
      workflowId: `daily-report:${asset}:scheduled`,
      args: [{ requester: 'schedule' }],
      taskQueue: config.temporal.taskQueue,
      workflowExecutionTimeout: '1h',
      typedSearchAttributes: [
        { key: SA_OPERATION, value: 'dailyReport' },
        { key: SA_ASSET, value: asset },
      ],
    },
    policies: { overlap: ScheduleOverlapPolicy.SKIP, catchupWindow: '1h' },
    state: { paused: r.paused, note: `daily report of ${asset} at ${r.dailyAt} UTC (registered by Ballast${r.paused ? '; created paused: unpause to enable' : ''})` },
  };
}

export type EnsureOutcome = 'created' | 'updated';

export async function ensureSchedule(client: Client, options: ScheduleOptions): Promise<EnsureOutcome> {
  try {
    await client.schedule.create(options);
    return 'created';
  } catch (e) {
    if (!(e instanceof ScheduleAlreadyRunning)) throw e;
  }
  const handle = client.schedule.getHandle(options.scheduleId);
  // Keep `state` (paused flag and the operator's note) from the live schedule; replace the rest.
  try {
    await handle.update((prev) => ({ ...prev, spec: options.spec, action: options.action, policies: { ...prev.policies, ...options.policies } }));
  } catch (e) {
    // Reading the live schedule decodes its action's input with this process's payload codec.
    const message = e instanceof Error ? e.message : String(e);
    if (/Unknown encoding|BALLAST_PAYLOAD_KEYS|decrypt/i.test(message))
      throw new Error(
        `schedule ${options.scheduleId} cannot be read with this process's payload keys (${message}): it was written by a process ` +
          `with other BALLAST_PAYLOAD_KEYS. Start this one with the keys it was written with, or delete the schedule ` +
          `(temporal schedule delete --schedule-id ${options.scheduleId}) so it is registered again.`,
        { cause: e },
      );
    throw e;
  }
  return 'updated';
}

export async function ensureComplianceSchedules(client: Client, config: BallastConfig): Promise<Record<string, EnsureOutcome>> {
  const out: Record<string, EnsureOutcome> = {};
  for (const v of config.venues) out[complianceScheduleId(v.id)] = await ensureSchedule(client, complianceScheduleOptions(config, v.id));
  return out;
}

/** Compliance schedules per venue, the asset's rebalance schedule and its daily report. */
export async function ensureBallastSchedules(client: Client, config: BallastConfig): Promise<Record<string, EnsureOutcome>> {
  const asset = config.asset.symbol;
  return {
    ...(await ensureComplianceSchedules(client, config)),
    [rebalanceScheduleId(asset)]: await ensureSchedule(client, rebalanceScheduleOptions(config)),
    [dailyReportScheduleId(asset)]: await ensureSchedule(client, dailyReportScheduleOptions(config)),
  };
}
