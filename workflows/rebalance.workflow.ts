// rebalance: moves one asset between venues toward a target allocation with the cheapest transfers
// (domain/treasury/rebalance-planner.ts: fees, minimums, transfers already in flight), each one a child
// `fundTransfer` (so each has its own caps, approval, idempotent withdrawal, confirmations, ledger).
// Runs on a schedule (`rebalance:<asset>`) and on demand (Web UI, coordinator); `dryRun` plans only.
import { executeChild, getExternalWorkflowHandle, proxyActivities, upsertSearchAttributes, workflowInfo } from '@temporalio/workflow';
import type { TreasuryActivities } from '../activities/treasury.activities';
import { D, fmt } from '../domain/money';
import { rebalancePlanInput } from '../domain/treasury/rebalance-inputs';
import { planRebalance, type RebalancePlan } from '../domain/treasury/rebalance-planner';
import { RebalanceInputSchema, type RebalanceInput, type RebalanceRequest } from '../domain/treasury/transfer.schemas';
import { fundTransfer } from './fund-transfer.workflow';
import { coordinatorWorkflowId, policyChildFinishedSignal } from './liquidity-coordinator.workflow';
import { SA_ASSET, SA_OPERATION, SA_REQUESTER } from './search-attributes';
import { validateWorkflowInput } from './validate';
import { failureMessage } from './workflow-util';

export interface RebalanceResult {
  plan: RebalancePlan;
  transfers: { workflowId: string; from: string; to: string; amount: string; amountUsd?: string; outcome: string; error?: string }[];
  dryRun: boolean;
}

const acts = proxyActivities<TreasuryActivities>({
  startToCloseTimeout: '60s',
  retry: { initialInterval: '1s', backoffCoefficient: 2, maximumInterval: '10s', maximumAttempts: 8 },
});

export async function rebalance(rawInput: RebalanceInput): Promise<RebalanceResult> {
  const input = validateWorkflowInput(RebalanceInputSchema, rawInput, 'rebalance');
  if (input.decisionId === undefined) return runRebalance(input);
  // Started by the coordinator's policy: report the outcome back, however this ends.
  const report = (status: 'completed' | 'failed', message?: string, movedUsd?: string) =>
    getExternalWorkflowHandle(coordinatorWorkflowId(input.asset))
      .signal(policyChildFinishedSignal, { id: input.decisionId!, status, ...(message !== undefined ? { message } : {}), ...(movedUsd !== undefined ? { movedUsd } : {}) })
      .catch(() => undefined);
  try {
    const r = await runRebalance(input);
    const done = r.transfers.filter((t) => t.outcome === 'completed');
    const failed = r.transfers.length - done.length;
    // What moved frees the rest of the policy's USD reservation for the day.
    const movedUsd = fmt(done.reduce((sum, t) => sum.plus(t.amountUsd ?? '0'), new D(0)));
    await report(failed === 0 ? 'completed' : 'failed', `${done.length}/${r.transfers.length} transfers completed`, movedUsd);
    return r;
  } catch (e) {
    await report('failed', e instanceof Error ? e.message : String(e));
    throw e;
  }
}

async function runRebalance(input: RebalanceRequest): Promise<RebalanceResult> {
  upsertSearchAttributes([
    { key: SA_OPERATION, value: 'rebalance' },
    { key: SA_ASSET, value: input.asset },
    { key: SA_REQUESTER, value: input.requester },
  ]);
  const snap = await acts.rebalanceSnapshot({ asset: input.asset, ...(input.target ? { venues: Object.keys(input.target) } : {}) });
  const plan = planRebalance(rebalancePlanInput(input.asset, snap, input.target));
  const result: RebalanceResult = { plan, transfers: [], dryRun: input.dryRun };
  if (input.dryRun) return result;
  const wf = workflowInfo().workflowId;
  await Promise.all(
    plan.transfers.map(async (t, i) => {
      const row: RebalanceResult['transfers'][number] = { workflowId: `${wf}:t${i}`, from: t.from, to: t.to, amount: t.amount, outcome: 'running' };
      result.transfers.push(row);
      try {
        const r = await executeChild(fundTransfer, {
          workflowId: row.workflowId,
          // One run per planned transfer; a terminated rebalance never kills a transfer midway (it
          // finishes or compensates on its own).
          workflowIdReusePolicy: 'REJECT_DUPLICATE',
          parentClosePolicy: 'ABANDON',
          args: [{ requestId: `${input.requestId}-t${i}`.slice(0, 80), asset: input.asset, amount: t.amount, from: { venue: t.from }, to: { venue: t.to }, requester: `rebalance:${input.requester}`, reason: 'rebalance' }],
        });
        row.outcome = r.outcome;
        if (r.status.amountUsd !== undefined) row.amountUsd = r.status.amountUsd;
      } catch (e) {
        row.outcome = 'failed';
        row.error = failureMessage(e);
      }
    }),
  );
  return result;
}
