// venueRisk: a venue's health degraded (or ops say so). In order:
//   1. pause its quoting through the durable operating modes (signal to the asset's liquidityCoordinator;
//      the quoting worker picks the mode up within ~1 s and cancels its quotes);
//   2. cancel every open order on the venue through its own API (belt and braces: the quoting worker
//      may be down too);
//   3. move every non-zero balance to the safe wallet as child `withdrawal`s in cap-sized chunks
//      (domain/treasury/evacuation-plan.ts; same caps and approvals as any withdrawal: an evacuation
//      above the threshold still needs a second person);
//   4. wait for an operator's `resume` signal, then set the venue back to normal.
// `status` query: the phase, the evacuation transfers and their outcomes.
import {
  condition,
  defineQuery,
  defineSignal,
  executeChild,
  getExternalWorkflowHandle,
  patched,
  proxyActivities,
  setHandler,
  upsertSearchAttributes,
  workflowInfo,
} from '@temporalio/workflow';
import { z } from 'zod';
import type { TreasuryActivities } from '../activities/treasury.activities';
import { planEvacuation, type EvacuationPlan } from '../domain/treasury/evacuation-plan';
import { VenueRiskInputSchema, type VenueRiskInput, type VenueRiskRequest } from '../domain/treasury/transfer.schemas';
import { coordinatorWorkflowId, policyChildFinishedSignal, setVenueModeSignal } from './liquidity-coordinator.workflow';
import { SA_OPERATION, SA_REQUESTER, SA_VENUE } from './search-attributes';
import { validateWorkflowInput } from './validate';
import { failureMessage } from './workflow-util';
import { withdrawal } from './withdrawal.workflow';

export interface VenueRiskStatus {
  venue: string;
  phase: 'pausing' | 'canceling' | 'evacuating' | 'awaiting-resume' | 'resumed';
  canceledOrders?: number;
  evacuations: { asset: string; amount: string; workflowId: string; outcome?: string; error?: string }[];
  /** What the caps did not let out today. */
  blocked: { asset: string; amount: string; reason: string }[];
  /** Why the quoting mode could not be set (the coordinator was not running), if so. */
  modeError?: string;
  resumedBy?: string;
}

export const ResumeSchema = z.object({ requestedBy: z.string().min(1, 'expected who resumes, e.g. "ops@desk"'), note: z.string().optional() }).strict();
export const resumeSignal = defineSignal<[z.input<typeof ResumeSchema>]>('resume');
export const venueRiskStatusQuery = defineQuery<VenueRiskStatus>('status');

const acts = proxyActivities<TreasuryActivities>({
  startToCloseTimeout: '60s',
  retry: { initialInterval: '1s', backoffCoefficient: 2, maximumInterval: '10s', maximumAttempts: 8 },
});
/**
 * The steps that need the venue itself (cancel, balances): an unhealthy venue is often down for a
 * while, and giving up after ~45 s failed the whole venueRisk in the very outage it exists for. Keep
 * trying for up to 6 h (refusals still end it at once). sim/backtest/sim-executor.ts uses the same.
 */
export const VENUE_STEP_RETRY = { initialIntervalMs: 5_000, backoffCoefficient: 2, maximumIntervalMs: 60_000, scheduleToCloseMs: 6 * 3_600_000 } as const;
const patient = proxyActivities<TreasuryActivities>({
  startToCloseTimeout: '60s',
  scheduleToCloseTimeout: VENUE_STEP_RETRY.scheduleToCloseMs,
  retry: { initialInterval: VENUE_STEP_RETRY.initialIntervalMs, backoffCoefficient: VENUE_STEP_RETRY.backoffCoefficient, maximumInterval: VENUE_STEP_RETRY.maximumIntervalMs },
});

const evacuate = (i: Awaited<ReturnType<TreasuryActivities['evacuationInputs']>>): EvacuationPlan => planEvacuation(i.balances, i.caps, i.usedTodayUsd);

export async function venueRisk(rawInput: VenueRiskInput): Promise<VenueRiskStatus> {
  const input = validateWorkflowInput(VenueRiskInputSchema, rawInput, 'venueRisk');
  const coordinator = getExternalWorkflowHandle(coordinatorWorkflowId(input.asset));
  const report = (status: 'completed' | 'failed', message?: string) =>
    input.decisionId === undefined
      ? Promise.resolve()
      : coordinator.signal(policyChildFinishedSignal, { id: input.decisionId, status, ...(message !== undefined ? { message } : {}) }).catch(() => undefined);
  try {
    const s = await runVenueRisk(input, coordinator);
    await report('completed', `resumed by ${s.resumedBy ?? '?'}`);
    return s;
  } catch (e) {
    await report('failed', e instanceof Error ? e.message : String(e));
    throw e;
  }
}

async function runVenueRisk(input: VenueRiskRequest, coordinator: ReturnType<typeof getExternalWorkflowHandle>): Promise<VenueRiskStatus> {
  const status: VenueRiskStatus = { venue: input.venue, phase: 'pausing', evacuations: [], blocked: [] };
  setHandler(venueRiskStatusQuery, () => status);
  let resumedBy: string | undefined;
  setHandler(resumeSignal, (raw) => {
    const r = ResumeSchema.safeParse(raw);
    if (r.success) resumedBy = r.data.requestedBy;
  });
  upsertSearchAttributes([
    { key: SA_OPERATION, value: 'venueRisk' },
    { key: SA_VENUE, value: input.venue },
    { key: SA_REQUESTER, value: input.requestedBy },
  ]);
  const wf = workflowInfo().workflowId;
  try {
    await coordinator.signal(setVenueModeSignal, { venueId: input.venue, mode: 'paused', reason: `venueRisk: ${input.reason}`, requestedBy: `venueRisk:${input.requestedBy}` });
  } catch (e) {
    // No coordinator running: quoting cannot be told, but the orders are cancelled below anyway.
    status.modeError = e instanceof Error ? e.message : String(e);
  }

  status.phase = 'canceling';
  // Runs recorded before this patch gave up on the venue after the usual 8 attempts.
  const onVenue = patched('venue-risk-patient') ? patient : acts;
  status.canceledOrders = (await onVenue.cancelAllOrders({ venue: input.venue })).canceled;

  status.phase = 'evacuating';
  const safeWallet = input.safeWallet ?? (await acts.safeWalletLabel());
  // Decide, then act: the chunks are cut here by the domain (as in the backtest's executor); runs
  // recorded before that asked the activity for the finished plan.
  const plan = patched('evacuation-plan-in-workflow') ? evacuate(await onVenue.evacuationInputs({ venue: input.venue })) : await acts.evacuationPlan({ venue: input.venue });
  status.blocked = plan.blocked;
  const children = plan.chunks.map(async (c, i) => {
    const e: VenueRiskStatus['evacuations'][number] = { asset: c.asset, amount: c.amount, workflowId: `${wf}:evacuate:${i}` };
    status.evacuations.push(e);
    try {
      const r = await executeChild(withdrawal, {
        workflowId: e.workflowId,
        // One run per chunk; a terminated venueRisk never kills a withdrawal midway.
        workflowIdReusePolicy: 'REJECT_DUPLICATE',
        parentClosePolicy: 'ABANDON',
        args: [{ requestId: `${wf}-evac-${i}`.replace(/[^A-Za-z0-9._:-]/g, '-').slice(-80), asset: c.asset, amount: c.amount, fromVenue: input.venue, toWallet: safeWallet, requester: `venueRisk:${input.requestedBy}`, reason: input.reason }],
      });
      e.outcome = r.outcome;
    } catch (err) {
      e.outcome = 'failed';
      e.error = failureMessage(err);
    }
  });
  await Promise.all(children);

  status.phase = 'awaiting-resume';
  await condition(() => resumedBy !== undefined);
  status.resumedBy = resumedBy;
  if (status.modeError === undefined) await coordinator.signal(setVenueModeSignal, { venueId: input.venue, mode: 'normal', reason: 'venueRisk resumed', requestedBy: resumedBy! });
  status.phase = 'resumed';
  return status;
}
