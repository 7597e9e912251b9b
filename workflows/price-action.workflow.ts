// buyback / liquidation: a durable, budgeted execution that supports the price under heavy selling
// (buyback) or sells bought-back inventory into buy pressure above fair value (liquidation). The logic
// is domain/price-action/executor.ts (Almgren–Chriss schedule, seeded jitter, never lead the price,
// never meet our own quotes, participation cap, routing, budgets); this file is the durable loop:
//   validate (zod; bad input from the Web UI fails at once naming the field) → the worker's limits →
//   arrival view → signed approvals above the threshold (workflows/signed-approvals.ts, as transfers; operator-started only; the
//   coordinator's starts are within its configured policy) → slices: view → plan → place (idempotent
//   client ids `pa-<hash(workflowId)>-<slice>-<leg>`; the activity re-checks the budget at a fresh
//   fair value) → rest → cancel the rest and book the fills (ledger, keyed by slice) → … → stop
//   (done, deadline — never a dump —, budget, price limit, fair value moved, imbalance cleared, operator)
//   → report to the coordinator → impact reversion at +30 / +60 min → the ledger's execution record.
// Workflow ids are business keys: `<kind>:<asset>:<requestId>` when ops start one, the coordinator's
// `coordinator:<asset>:<decision id>` when it does. Signal/update `stop` ends it; update `setLimits`
// tightens its limits; query `status` shows progress.
import {
  ApplicationFailure,
  condition,
  defineQuery,
  defineSignal,
  defineUpdate,
  getExternalWorkflowHandle,
  patched,
  proxyActivities,
  setHandler,
  sleep,
  upsertSearchAttributes,
  workflowInfo,
} from '@temporalio/workflow';
import { z } from 'zod';
import type { PriceActionActivities } from '../activities/price-action.activities';
import { toFieldIssues } from '../domain/errors';
import { D, fmt, zPositiveDecimal } from '../domain/money';
import { type BudgetLimits } from '../domain/price-action/budget';
import {
  ExecutionParamsSchema,
  applySlice,
  executionReport,
  impactReversion,
  nextSliceAt,
  planSlice,
  skipSlice,
  startExecution,
  stopExecution,
  type ExecutionReport,
  type ExecutionState,
  type MarketView,
  type PriceActionKind,
  type StopReason,
} from '../domain/price-action/executor';
import { coordinatorWorkflowId, policyChildFinishedSignal } from './liquidity-coordinator.workflow';
import { SA_ASSET, SA_OPERATION, SA_REQUESTER } from './search-attributes';
import { validateWorkflowInput } from './validate';
import { failureMessage, failureType, workflowNow } from './workflow-util';
import type { SignedApproval } from '../domain/treasury/approval';
import { approvalActs, installSignedApprovals, type SignedApprovalGate, type SigningView } from './signed-approvals';

export const PriceActionInputSchema = z
  .object({
    /** Business key: the workflow id must be `<buyback|liquidation>:<asset>:<requestId>` (unless the coordinator starts it). */
    requestId: z.string().regex(/^[A-Za-z0-9._:-]{1,80}$/, 'expected 1–80 of A-Z a-z 0-9 . _ : -'),
    asset: z.string().min(1, 'expected an asset symbol, e.g. "BLST"'),
    requester: z.string().trim().min(1, 'expected who asks, e.g. "ops@desk"'),
    reason: z.string().min(1).max(500).default('requested by an operator'),
    /** Base to buy / sell at most. A buyback without it buys what the budget allows at the arrival price. */
    quantity: zPositiveDecimal.optional(),
    /** USD this execution may spend (buyback) or sell (liquidation) at fair value; capped by the worker's priceAction.episodeUsd. */
    budgetUsd: zPositiveDecimal.optional(),
    /** Hard limit price. Default: the arrival fair value × (1 + limitPct / 100). */
    limitPrice: zPositiveDecimal.optional(),
    limitPct: z.number().min(-50).max(50).default(0),
    durationMs: z.number().int().optional(),
    sliceIntervalMs: z.number().int().optional(),
    lambda: z.number().optional(),
    participationPct: z.number().optional(),
    participationWindowMs: z.number().int().optional(),
    maxFairMovePct: z.number().optional(),
    venues: z.array(z.string().min(1)).optional(),
    /** Waits for a second identity this long when approval is needed; then nothing is done. */
    approvalTimeoutSec: z.number().int().positive().max(7 * 86_400).default(3600),
    /** Measure how much of the impact reverted 30 and 60 minutes after the end. */
    measureReversion: z.boolean().default(true),
    /** Set by the coordinator's policy: report back to it when this ends. */
    decisionId: z.string().optional(),
  })
  .strict();
export type PriceActionInput = z.input<typeof PriceActionInputSchema>;

export const StopSchema = z.object({ reason: z.string().min(1, 'say why'), requestedBy: z.string().trim().min(1, 'expected who asks') }).strict();
export const SetLimitsSchema = z
  .object({
    requestedBy: z.string().trim().min(1, 'expected who asks'),
    limitPrice: zPositiveDecimal.optional(),
    quantity: zPositiveDecimal.optional(),
    participationPct: z.number().gt(0).lt(100).optional(),
  })
  .strict();
export const ApproveSchema = z
  .object({ approver: z.string().trim().min(1, 'expected who approves'), decision: z.enum(['approve', 'reject'], { error: 'expected "approve" or "reject"' }), note: z.string().max(500).optional() })
  .strict();

export type PriceActionPhase = 'starting' | 'awaiting-approval' | 'executing' | 'measuring' | 'completed' | 'rejected' | 'expired' | 'failed';

export interface PriceActionStatus {
  workflowId: string;
  kind: PriceActionKind;
  phase: PriceActionPhase;
  asset: string;
  requester: string;
  limitPrice?: string;
  quantity?: string;
  budgetUsd?: string;
  needsApproval?: boolean;
  approvals: { approver: string; decision: 'request' | 'approve' | 'reject'; note?: string }[];
  /** Signed approvals (operator starts above the threshold): the fields to sign, quorum, who signed. */
  signing?: SigningView;
  report?: ExecutionReport;
  lastNote?: string;
  errors: string[];
  reversion?: { after30m: number | null; after60m: number | null; fairEnd: number; fair30m?: number; fair60m?: number };
}

export interface PriceActionResult {
  workflowId: string;
  outcome: 'completed' | 'rejected' | 'expired';
  status: PriceActionStatus;
}

export const stopSignal = defineSignal<[z.input<typeof StopSchema>]>('stop');
export const stopUpdate = defineUpdate<PriceActionStatus, [z.input<typeof StopSchema>]>('stopExecution');
export const setLimitsUpdate = defineUpdate<PriceActionStatus, [z.input<typeof SetLimitsSchema>]>('setLimits');
/** Signed approvals (domain/treasury/approval.ts); runs before the patch took `{ approver, decision }`. */
export const approveExecutionUpdate = defineUpdate<PriceActionStatus, [SignedApproval | z.input<typeof ApproveSchema>]>('approve');
/** The signed approval as a signal (Web UI versions that send only signals); runs after the patch only. */
export const approveExecutionSignal = defineSignal<[SignedApproval]>('approveSignal');
export const priceActionStatusQuery = defineQuery<PriceActionStatus>('status');

const acts = proxyActivities<PriceActionActivities>({
  startToCloseTimeout: '60s',
  retry: { initialInterval: '1s', backoffCoefficient: 2, maximumInterval: '10s', maximumAttempts: 10 },
});
// Settling must finish whatever happens: cancel and book what filled.
const settling = proxyActivities<PriceActionActivities>({
  startToCloseTimeout: '60s',
  retry: { initialInterval: '1s', backoffCoefficient: 2, maximumInterval: '30s', maximumAttempts: 100 },
});

const fieldError = (what: string, e: z.ZodError) => new Error(`${what} is invalid: ${toFieldIssues(e).map((i) => `${i.path}: ${i.message}`).join('; ')}`);

export async function buyback(rawInput: PriceActionInput): Promise<PriceActionResult> {
  return runPriceAction('buyback', validateWorkflowInput(PriceActionInputSchema, rawInput, 'buyback'));
}

export async function liquidation(rawInput: PriceActionInput): Promise<PriceActionResult> {
  return runPriceAction('liquidation', validateWorkflowInput(PriceActionInputSchema, rawInput, 'liquidation'));
}

async function runPriceAction(kind: PriceActionKind, input: z.output<typeof PriceActionInputSchema>): Promise<PriceActionResult> {
  const info = workflowInfo();
  const workflowId = info.workflowId;
  // Runs recorded before this patch took free-text approvals.
  const signed = patched('signed-approvals');
  const fromCoordinator = input.decisionId !== undefined && info.parent?.workflowId === coordinatorWorkflowId(input.asset);
  if (!fromCoordinator && workflowId !== `${kind}:${input.asset}:${input.requestId}`) {
    throw ApplicationFailure.nonRetryable(`workflow id: expected "${kind}:${input.asset}:${input.requestId}" (the business key from asset and requestId), got "${workflowId}"`, 'PRICE_ACTION.INVALID');
  }
  if (input.decisionId !== undefined && !fromCoordinator) throw ApplicationFailure.nonRetryable('decisionId: only the coordinator sets it', 'PRICE_ACTION.INVALID');
  if (kind === 'liquidation' && input.quantity === undefined) throw ApplicationFailure.nonRetryable('quantity: a liquidation needs the base amount to sell', 'PRICE_ACTION.INVALID');
  const paramsR = ExecutionParamsSchema.safeParse({
    quantity: input.quantity ?? '1',
    limitPrice: input.limitPrice ?? '1',
    ...(input.durationMs !== undefined ? { durationMs: input.durationMs } : {}),
    ...(input.sliceIntervalMs !== undefined ? { sliceIntervalMs: input.sliceIntervalMs } : {}),
    ...(input.lambda !== undefined ? { lambda: input.lambda } : {}),
    ...(input.participationPct !== undefined ? { participationPct: input.participationPct } : {}),
    ...(input.participationWindowMs !== undefined ? { participationWindowMs: input.participationWindowMs } : {}),
    ...(input.maxFairMovePct !== undefined ? { maxFairMovePct: input.maxFairMovePct } : {}),
    ...(input.venues !== undefined ? { venues: input.venues } : {}),
  });
  if (!paramsR.success) throw ApplicationFailure.nonRetryable(fieldError(`${kind} input`, paramsR.error).message, 'VALIDATION');
  let params = paramsR.data;

  const status: PriceActionStatus = { workflowId, kind, phase: 'starting', asset: input.asset, requester: input.requester, approvals: [], errors: [] };
  let state: ExecutionState | undefined;
  let stopRequest: { reason: StopReason; note: string } | undefined;
  let decision: 'approve' | 'reject' | undefined;
  const refresh = () => {
    if (state) status.report = executionReport(state);
    return status;
  };
  setHandler(priceActionStatusQuery, refresh);
  upsertSearchAttributes([
    { key: SA_OPERATION, value: kind },
    { key: SA_ASSET, value: input.asset },
    { key: SA_REQUESTER, value: input.requester },
  ]);

  const requestStop = (raw: unknown) => {
    const r = StopSchema.safeParse(raw);
    if (!r.success) throw fieldError('stop', r.error);
    const coordinator = r.data.requestedBy === 'liquidityCoordinator' && fromCoordinator;
    stopRequest ??= { reason: coordinator ? 'IMBALANCE_CLEARED' : 'OPERATOR', note: `${r.data.requestedBy}: ${r.data.reason}` };
  };
  setHandler(stopSignal, (raw) => {
    try {
      requestStop(raw);
    } catch (e) {
      status.errors = [...status.errors, e instanceof Error ? e.message : String(e)].slice(-20);
    }
  });
  setHandler(stopUpdate, (raw) => (requestStop(raw), refresh()), { validator: (raw) => void StopSchema.parse(raw) });
  const validateLimits = (raw: unknown) => {
    const r = SetLimitsSchema.safeParse(raw);
    if (!r.success) throw fieldError('setLimits', r.error);
    const l = r.data;
    // Within the budget: a limit may only get stricter, the quantity only smaller.
    if (l.limitPrice !== undefined && status.limitPrice !== undefined) {
      const looser = kind === 'buyback' ? new D(l.limitPrice).gt(status.limitPrice) : new D(l.limitPrice).lt(status.limitPrice);
      if (looser) throw new Error(`setLimits is invalid: limitPrice: ${l.limitPrice} is looser than the current ${status.limitPrice}; start a new execution (with its own approval) to loosen it`);
    }
    if (l.quantity !== undefined && status.quantity !== undefined && new D(l.quantity).gt(status.quantity)) {
      throw new Error(`setLimits is invalid: quantity: ${l.quantity} is above the current ${status.quantity}`);
    }
    return l;
  };
  setHandler(
    setLimitsUpdate,
    (raw) => {
      const l = validateLimits(raw);
      if (l.participationPct !== undefined) params = { ...params, participationPct: l.participationPct };
      if (l.limitPrice !== undefined) status.limitPrice = l.limitPrice;
      if (l.quantity !== undefined) status.quantity = l.quantity;
      if (state) state = { ...state, limitPrice: status.limitPrice ?? state.limitPrice, quantity: status.quantity ?? state.quantity };
      status.lastNote = `limits changed by ${l.requestedBy}`;
      return refresh();
    },
    { validator: (raw) => void validateLimits(raw) },
  );
  const validateApproval = (raw: unknown) => {
    const r = ApproveSchema.safeParse(raw);
    if (!r.success) throw fieldError('approve', r.error);
    if (r.data.approver.toLowerCase() === input.requester.trim().toLowerCase()) throw new Error(`approve is invalid: approver "${r.data.approver}" is the requester: a different person must approve`);
    if (status.phase !== 'awaiting-approval') throw new Error(`approve is invalid: not awaiting approval (phase ${status.phase})`);
    if (decision !== undefined) throw new Error('approve is invalid: already decided (the first decision is final)');
    return r.data;
  };
  let gate: SignedApprovalGate | undefined;
  if (signed) {
    gate = installSignedApprovals({
      workflowId,
      update: approveExecutionUpdate,
      signal: approveExecutionSignal,
      notAwaiting: () => (status.phase === 'awaiting-approval' ? undefined : `not awaiting approval (phase ${status.phase})`),
      onSigned: (entry, view) => {
        status.approvals.push(entry);
        status.signing = view;
        decision = gate!.decision();
      },
      status: refresh,
      onSignalRefused: (m) => (status.errors = [...status.errors, m].slice(-20)),
    });
  } else {
    setHandler(
      approveExecutionUpdate,
      (raw) => {
        const a = validateApproval(raw);
        status.approvals.push({ approver: a.approver, decision: a.decision, ...(a.note !== undefined ? { note: a.note } : {}) });
        decision = a.decision;
        return refresh();
      },
      { validator: (raw) => void validateApproval(raw) },
    );
  }

  const report = async (st: 'completed' | 'failed', message: string) => {
    if (!fromCoordinator) return;
    const r = state ? executionReport(state) : undefined;
    await getExternalWorkflowHandle(coordinatorWorkflowId(input.asset))
      .signal(policyChildFinishedSignal, { id: input.decisionId!, status: st, message: message.slice(0, 500), ...(r ? { movedUsd: r.budgetUsedUsd, filledBase: r.filledBase } : {}) })
      .catch(() => undefined);
  };

  try {
    const limits = await acts.priceActionLimits();
    const arrival = await acts.priceActionView({ asset: input.asset, ...(input.venues ? { venues: input.venues } : {}), windowMs: params.participationWindowMs });
    const limitPrice = input.limitPrice ?? fmt(new D(arrival.fair).times(1 + input.limitPct / 100).toSignificantDigits(8));
    const episodeUsd = D.min(input.budgetUsd ?? limits.episodeUsd, limits.episodeUsd);
    const quantity = input.quantity ?? fmt(episodeUsd.div(arrival.fair).toDecimalPlaces(6, D.ROUND_DOWN));
    params = { ...params, quantity, limitPrice };
    status.limitPrice = limitPrice;
    status.quantity = quantity;
    status.budgetUsd = fmt(episodeUsd);
    // The day's limit less what other executions spent in the last 24 h (the activity checks again).
    const budget: BudgetLimits = { dailyUsd: fmt(D.max(0, new D(limits.dailyUsd).minus(limits.spentLastDayUsd))), episodeUsd: fmt(episodeUsd) };

    const notionalUsd = D.min(episodeUsd, new D(quantity).times(new D(arrival.fair).toSignificantDigits(12)));
    status.needsApproval = !fromCoordinator && notionalUsd.gt(limits.approvalThresholdUsd);
    if (status.needsApproval) {
      if (gate) {
        // The same operators and quorum tiers as treasury transfers; the requester signs the request.
        const policy = await approvalActs.approvalPolicy({ amountUsd: fmt(notionalUsd), requester: input.requester, system: false });
        status.signing = gate.open({ workflowId, asset: input.asset, amount: quantity, destination: kind, address: '', network: (input.venues ?? ['all']).join(',') }, policy);
      }
      status.phase = 'awaiting-approval';
      const decided = await condition(() => decision !== undefined || stopRequest !== undefined, input.approvalTimeoutSec * 1000);
      if (!decided || decision !== 'approve') {
        status.phase = decided ? 'rejected' : 'expired';
        await report('completed', `${kind} ${status.phase} before any order`);
        return { workflowId, outcome: status.phase, status: refresh() };
      }
    }

    status.phase = 'executing';
    state = startExecution({ kind, workflowId, params, view: arrival });
    let lastViewAt = arrival.nowMs;
    for (;;) {
      const at = nextSliceAt(state);
      if (at === undefined) break;
      await condition(() => stopRequest !== undefined, Math.max(1, at - workflowNow()));
      if (stopRequest) {
        state = stopExecution(state, stopRequest.reason, stopRequest.note);
        break;
      }
      let view: MarketView;
      try {
        view = await acts.priceActionView({ asset: input.asset, ...(params.venues ? { venues: params.venues } : {}), windowMs: params.participationWindowMs, stepSinceMs: lastViewAt });
      } catch (e) {
        status.errors = [...status.errors, `view: ${failureMessage(e)}`].slice(-20);
        state = skipSlice(state, workflowNow());
        await condition(() => stopRequest !== undefined, params.sliceIntervalMs);
        if (workflowNow() >= state.deadline) state = stopExecution(state, 'NO_MARKET', 'no usable view of the market before the deadline');
        continue;
      }
      lastViewAt = view.nowMs;
      const plan = planSlice(state, params, view, budget);
      status.lastNote = plan.note;
      if (plan.kind === 'stop') {
        state = stopExecution(state, plan.reason, plan.note);
        break;
      }
      if (plan.kind === 'wait') {
        state = skipSlice(state, view.nowMs);
        await condition(() => stopRequest !== undefined, Math.max(1000, Math.min(plan.untilMs, state.deadline) - workflowNow()));
        continue;
      }
      const episodeSpent = executionReport(state).budgetUsedUsd;
      try {
        await acts.placeChildOrders({ workflowId, asset: input.asset, k: plan.k, orders: plan.orders, episodeSpentUsd: episodeSpent });
      } catch (e) {
        const code = failureType(e);
        if (code === 'PRICE_ACTION.DAILY_BUDGET' || code === 'PRICE_ACTION.EPISODE_BUDGET') {
          // Some legs may have gone out before a retry was refused: settle this slice before stopping.
          const fills = (await settling.settleChildOrders({ workflowId, asset: input.asset, k: plan.k, orders: plan.orders, fair: view.fair })).fills;
          state = stopExecution(applySlice(state, { k: plan.k, fills, view, limits: budget, planned: plan.planned, orders: plan.orders.length }), 'BUDGET', failureMessage(e));
          break;
        }
        status.errors = [...status.errors, `slice ${plan.k}: ${failureMessage(e)}`].slice(-20);
      }
      // Passive legs rest for most of the slice (a stop ends the rest early); IOC legs are done already.
      if (plan.orders.some((o) => o.type === 'passive')) await condition(() => stopRequest !== undefined, Math.round(params.sliceIntervalMs * 0.8));
      const settled = await settling.settleChildOrders({ workflowId, asset: input.asset, k: plan.k, orders: plan.orders, fair: view.fair });
      state = applySlice(state, { k: plan.k, fills: settled.fills, view, limits: budget, planned: plan.planned, orders: plan.orders.length, note: plan.note });
    }
    if (state.status === 'running') state = stopExecution(state, 'DEADLINE', 'the schedule ran out');
    const r = executionReport(state);
    await report('completed', `${kind} stopped: ${r.stopReason ?? '?'} — ${r.filledBase} of ${r.quantity} done`);

    if (input.measureReversion && new D(r.filledBase).gt(0)) {
      status.phase = 'measuring';
      const end = await acts.priceActionView({ asset: input.asset, windowMs: 60_000 });
      status.reversion = { fairEnd: end.fair, after30m: null, after60m: null };
      for (const [mins, key] of [[30, 'after30m'], [60, 'after60m']] as const) {
        await sleep(30 * 60_000);
        try {
          const later = await acts.priceActionView({ asset: input.asset, windowMs: 60_000 });
          status.reversion[key] = impactReversion(kind, { arrival: state.arrivalFair, end: end.fair, later: later.fair });
          if (mins === 30) status.reversion.fair30m = later.fair;
          else status.reversion.fair60m = later.fair;
        } catch (e) {
          status.errors = [...status.errors, `reversion +${mins} min: ${failureMessage(e)}`].slice(-20);
        }
      }
    }
    status.phase = 'completed';
    refresh();
    await acts.recordExecution({ workflowId, asset: input.asset, filledBase: r.filledBase, budgetUsedUsd: r.budgetUsedUsd, report: { ...r, ...(status.reversion ? { reversion: status.reversion } : {}) } });
    return { workflowId, outcome: 'completed', status };
  } catch (e) {
    status.phase = 'failed';
    status.errors = [...status.errors, failureMessage(e)].slice(-20);
    await report('failed', failureMessage(e));
    throw e;
  }
}
