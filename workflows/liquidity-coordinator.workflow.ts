// liquidityCoordinator: one long-running entity per asset (`coordinator:<asset>`). The quoting worker
// signals it imbalances (signalWithStart, debounced by domain/quoting/imbalance.ts); operators and later
// workflows set each venue's operating mode, which the quoting worker polls through the `modes` query.
// The policy (domain/treasury/coordinator-policy.ts: hysteresis, cooldowns, budgets) decides on each
// imbalance, and on a timer while a raised imbalance waits out its hysteresis, whether to start a
// `rebalance` or a `venueRisk` child. Children are started with ParentClosePolicy ABANDON (a
// continueAsNew must not kill an evacuation waiting for an operator) and report back with the
// `policyChildFinished` signal, so their outcome reaches whichever run is current.
// An operator clears a latched kill-switch trip with the `resetKillSwitch` update (who and why, recorded
// in the state's `killSwitchResets` and in the history); the quoting worker reads it with the modes
// through the `quotingControls` query and clears its latch once.
// Versioning: runs recorded before the policy existed replay on the `patched('coordinator-policy')` branch;
// `patched('policy-rearm')`: every policy change re-arms the timer, and an imbalance blocked by a running
// child is re-decided when the child reports back (see the comment at the patch).
import {
  ParentClosePolicy,
  allHandlersFinished,
  getExternalWorkflowHandle,
  condition,
  proxyActivities,
  continueAsNew,
  patched,
  startChild,
  defineQuery,
  defineSignal,
  defineUpdate,
  setHandler,
  upsertSearchAttributes,
  workflowInfo,
} from '@temporalio/workflow';
import { z } from 'zod';
import { toFieldIssues, type FieldIssue } from '../domain/errors';
import { IMBALANCE_KINDS, ImbalanceEventSchema, type ImbalanceEvent } from '../domain/quoting/imbalance';
import {
  PolicyParamsSchema,
  PolicyStateSchema,
  decideOnEvent,
  decideOnTick,
  initialPolicyState,
  nextCheckAt,
  noteChildFinished,
  type Decision,
  type PolicyState,
  type PriceActionPolicy,
  type StopRequest,
} from '../domain/treasury/coordinator-policy';
import {
  RemediationStateSchema,
  initialRemediationState,
  nextVerificationAt,
  onComplianceEvent,
  verifyRemediations,
  releaseHolds,
  type AlertRequest,
  type RemediationResult,
} from '../domain/treasury/compliance-remediation';
import type { AlertActivities } from '../activities/alerts.activities';
import { SA_ASSET, SA_OPERATION } from './search-attributes';
import { validateWorkflowInput } from './validate';
import { workflowNow } from './workflow-util';

export const coordinatorWorkflowId = (asset: string) => `coordinator:${asset}`;

export const VENUE_MODES = ['normal', 'paused', 'withdraw-only', 'deepen', 'tighten'] as const;
export type VenueMode = (typeof VENUE_MODES)[number];

export const HISTORY_LIMIT = 100;
export const ERROR_LIMIT = 20;

export const SetVenueModeSchema = z
  .object({
    venueId: z.string().min(1, 'expected a venue id'),
    mode: z.enum(VENUE_MODES),
    reason: z.string().min(1, 'say why the mode changes'),
    requestedBy: z.string().min(1, 'expected who asks, e.g. "ops@desk"'),
  })
  .strict();
export type SetVenueModeRequest = z.input<typeof SetVenueModeSchema>;

const VenueModeEntrySchema = z.object({
  mode: z.enum(VENUE_MODES),
  reason: z.string(),
  requestedBy: z.string(),
  /** Position in this entity's event sequence (workflows keep no wall clock of their own). */
  seq: z.number().int(),
});
export type VenueModeEntry = z.infer<typeof VenueModeEntrySchema>;

export const ResetKillSwitchSchema = z
  .object({
    /** The venue whose trip is cleared; omitted: every trip, global ones included. */
    venueId: z.string().min(1, 'expected a venue id (omit it to reset every venue)').optional(),
    reason: z.string().min(1, 'say why the kill switch may be reset'),
    requestedBy: z.string().min(1, 'expected who asks, e.g. "ops@desk"'),
  })
  .strict();
export type ResetKillSwitchRequest = z.input<typeof ResetKillSwitchSchema>;

export const KILL_SWITCH_RESET_LIMIT = 50;
const KillSwitchResetSchema = z.object({
  /** Position in this entity's event sequence: the quoting worker applies each reset once, by seq. */
  seq: z.number().int(),
  venueId: z.string().optional(),
  reason: z.string(),
  requestedBy: z.string(),
  /** Workflow time of the reset (epoch ms); absent on resets recorded before it was kept. */
  at: z.number().int().optional(),
});
export type KillSwitchReset = z.infer<typeof KillSwitchResetSchema>;

/** A kill-switch trip as the quoting worker reports it (hotpath KillDecision): recorded, never acted on here. */
export const KillSwitchTripSchema = z
  .object({
    scope: z.enum(['venue', 'all']),
    venueId: z.string().min(1).optional(),
    reason: z.string().min(1, 'expected the trip reason, e.g. "stale-data"'),
    detail: z.string().max(1_000),
    /** When the quoting worker tripped (epoch ms, its clock). */
    at: z.number().int().nonnegative(),
  })
  .strict();
export type KillSwitchTripReport = z.input<typeof KillSwitchTripSchema>;
export const KILL_SWITCH_TRIP_LIMIT = 200;
const KillSwitchTripRecordSchema = KillSwitchTripSchema.extend({ seq: z.number().int() });
export type KillSwitchTripRecord = z.infer<typeof KillSwitchTripRecordSchema>;

/** What the quoting worker polls: the venue modes and the operators' kill-switch resets. */
export interface QuotingControls {
  modes: Record<string, VenueModeEntry>;
  killSwitchResets: KillSwitchReset[];
}

const HistoryEntrySchema = z.object({ seq: z.number().int(), event: ImbalanceEventSchema });
const RejectedSignalSchema = z.object({
  seq: z.number().int(),
  signal: z.string(),
  issues: z.array(z.object({ path: z.string(), message: z.string() })),
});

const KindMapSchema = z.partialRecord(z.enum(IMBALANCE_KINDS), ImbalanceEventSchema);

/** Plain JSON so it survives continueAsNew unchanged (no Map/Set/classes). */
export const CoordinatorStateSchema = z
  .object({
    seq: z.number().int().nonnegative(),
    /** Active (raised, not yet cleared) imbalances per venue and kind. */
    active: z.record(z.string(), KindMapSchema),
    /** The last HISTORY_LIMIT accepted imbalance signals, oldest first. */
    history: z.array(HistoryEntrySchema),
    modes: z.record(z.string(), VenueModeEntrySchema),
    /** The last ERROR_LIMIT rejected signal payloads, with the bad fields named. */
    rejected: z.array(RejectedSignalSchema),
    /** The policy's own state (raised imbalances, actions, cooldowns, budgets); absent in pre-policy runs. */
    policy: PolicyStateSchema.optional(),
    /** The last KILL_SWITCH_RESET_LIMIT operator resets of the quoting kill switch; absent before the first. */
    killSwitchResets: z.array(KillSwitchResetSchema).optional(),
    /** The last KILL_SWITCH_TRIP_LIMIT kill-switch trips the quoting worker reported; absent before the first. */
    killSwitchTrips: z.array(KillSwitchTripRecordSchema).optional(),
    /** Compliance remediation (open breaches, decisions); absent before the first breach or in older runs. */
    remediation: RemediationStateSchema.optional(),
    counters: z.object({
      signals: z.number().int(),
      raised: z.number().int(),
      cleared: z.number().int(),
      rejected: z.number().int(),
      modeChanges: z.number().int(),
      runs: z.number().int(),
    }),
  })
  .strict();
export type CoordinatorState = z.infer<typeof CoordinatorStateSchema>;

export const LiquidityCoordinatorInputSchema = z
  .object({
    asset: z.string().min(1, 'expected an asset symbol, e.g. "BLST"'),
    state: CoordinatorStateSchema.optional(),
    /** Continue-as-new after this many handled events in one run (the server's suggestion also triggers it). */
    continueAsNewAfter: z.number().int().positive().default(2000),
    /** Policy parameters (hysteresis, cooldowns, budgets); defaults in coordinator-policy.ts. */
    policy: PolicyParamsSchema.omit({ asset: true }).partial().optional(),
    /** Compliance remediation: a breach still open this long after it was raised is escalated (ms; config compliance.verifyWithin). */
    complianceVerifyWithinMs: z.number().int().min(1_000).default(10 * 60_000),
    /** Compliance remediation: how long deepen / tighten stays after the breach cleared before normal (ms; config compliance.holdAfterClear; 0: at once). */
    complianceHoldAfterClearMs: z.number().int().min(0).default(15 * 60_000),
  })
  .strict();
export type LiquidityCoordinatorInput = z.input<typeof LiquidityCoordinatorInputSchema>;

export const imbalanceSignal = defineSignal<[ImbalanceEvent]>('imbalance');
export const setVenueModeUpdate = defineUpdate<Record<string, VenueModeEntry>, [SetVenueModeRequest]>('setVenueMode');
/** The same change as the update, for workflows (which can signal other workflows but not update them). */
export const setVenueModeSignal = defineSignal<[SetVenueModeRequest]>('setVenueModeSignal');
/** The quoting worker reports each kill-switch trip: kept in state (and history) for the dashboard, reports and auditors. */
export const killSwitchTripSignal = defineSignal<[KillSwitchTripReport]>('killSwitchTrip');
export const stateQuery = defineQuery<CoordinatorState>('state');
export const ChildFinishedSchema = z
  .object({
    id: z.string().min(1),
    status: z.enum(['completed', 'failed', 'canceled']),
    message: z.string().optional(),
    /** USD a rebalance actually moved: replaces its reservation in the day's budget (not a decimal: ignored). */
    movedUsd: z.string().optional(),
    /** A buyback's / liquidation's base bought / sold (bought-back inventory for later liquidations). */
    filledBase: z.string().optional(),
  })
  .strict();
/** Sent by a rebalance / venueRisk child the policy started, when it ends (however it ends). */
export const policyChildFinishedSignal = defineSignal<[z.input<typeof ChildFinishedSchema>]>('policyChildFinished');
export const modesQuery = defineQuery<Record<string, VenueModeEntry>>('modes');
export const resetKillSwitchUpdate = defineUpdate<KillSwitchReset, [ResetKillSwitchRequest]>('resetKillSwitch');
export const quotingControlsQuery = defineQuery<QuotingControls>('quotingControls');

export const initialCoordinatorState = (): CoordinatorState => ({
  seq: 0,
  active: {},
  history: [],
  modes: {},
  rejected: [],
  counters: { signals: 0, raised: 0, cleared: 0, rejected: 0, modeChanges: 0, runs: 0 },
});

function recordImbalance(state: CoordinatorState, raw: unknown): ImbalanceEvent | undefined {
  state.seq += 1;
  const parsed = ImbalanceEventSchema.safeParse(raw);
  if (!parsed.success) {
    // A signal cannot be refused, and throwing here would fail the entity: record and drop it.
    const issues: FieldIssue[] = toFieldIssues(parsed.error);
    state.rejected = [...state.rejected, { seq: state.seq, signal: 'imbalance', issues }].slice(-ERROR_LIMIT);
    state.counters.rejected += 1;
    return undefined;
  }
  const event = parsed.data;
  state.counters.signals += 1;
  state.history = [...state.history, { seq: state.seq, event }].slice(-HISTORY_LIMIT);
  const venue = { ...(state.active[event.venueId] ?? {}) };
  if (event.type === 'raised') {
    state.counters.raised += 1;
    venue[event.kind] = event;
  } else {
    state.counters.cleared += 1;
    delete venue[event.kind];
  }
  if (Object.keys(venue).length) state.active[event.venueId] = venue;
  else delete state.active[event.venueId];
  return event;
}

const alertActs = proxyActivities<AlertActivities>({
  startToCloseTimeout: '30s',
  retry: { initialInterval: '2s', backoffCoefficient: 2, maximumInterval: '1m', maximumAttempts: 10 },
});

export async function liquidityCoordinator(rawInput: LiquidityCoordinatorInput): Promise<void> {
  const input = validateWorkflowInput(LiquidityCoordinatorInputSchema, rawInput, 'liquidityCoordinator');
  upsertSearchAttributes([
    { key: SA_OPERATION, value: 'liquidityCoordinator' },
    { key: SA_ASSET, value: input.asset },
  ]);
  const state: CoordinatorState = input.state ?? initialCoordinatorState();
  state.counters.runs += 1;
  let eventsThisRun = 0;
  // Runs recorded before the policy existed take the old branch on replay (no timers, no children).
  const withPolicy = patched('coordinator-policy');
  // Runs recorded before this patch re-armed the policy's timer only when they started a child or the
  // timer fired (a raise on an idle coordinator never woke it), and slept until `now` (1 ms timers, again
  // and again) while a running child or a spent USD budget blocked an imbalance. Now every policy change
  // re-arms the timer, an imbalance blocked by a running child waits for the child's report (which
  // re-decides), and one blocked by the budget sleeps until the budget rolls over.
  const rearm = withPolicy && patched('policy-rearm');
  // Runs recorded before price action mapped sustained selling to a rebalance and ignored buy pressure;
  // now (unless the input switches it off) selling starts a `buyback`, and buy pressure with bought-back
  // inventory a `liquidation`; a cleared imbalance stops its running child (signal `stop`).
  const withPriceAction = rearm && patched('price-action');
  // Runs recorded before the sell-off trigger started a buyback on one-sided flow alone; now (unless the
  // input says otherwise) on a SELL_OFF: that selling with the price below its trailing anchor.
  const sellOffTrigger = withPriceAction && patched('sell-off-trigger');
  const params = PolicyParamsSchema.parse({
    ...(input.policy ?? {}),
    asset: input.asset,
    priceAction: {
      ...(input.policy?.priceAction ?? {}),
      enabled: withPriceAction && (input.policy?.priceAction?.enabled ?? true),
      trigger: input.policy?.priceAction?.trigger ?? (sellOffTrigger ? 'sell-off' : 'one-sided-selling'),
    },
  });
  // Runs recorded before compliance remediation only recorded COMPLIANCE_BREACH; now a breach sets
  // deepen / tighten on its venue, clearing restores normal, an unverified breach escalates, and each
  // step alerts (domain/treasury/compliance-remediation.ts).
  const withRemediation = withPolicy && patched('compliance-remediation');
  // Runs recorded before the hold went back to normal the moment a breach cleared.
  const holdAfterClearMs = withRemediation && patched('compliance-remediation-hold') ? input.complianceHoldAfterClearMs : 0;
  const alerts: AlertRequest[] = [];
  const alertsInFlight = new Set<Promise<unknown>>();
  const remediate = (r: RemediationResult) => {
    state.remediation = r.state;
    for (const m of [...(r.setMode ? [r.setMode] : []), ...(r.setModes ?? [])]) applyMode({ venueId: m.venueId, mode: m.mode, reason: m.reason, requestedBy: 'liquidityCoordinator' });
    alerts.push(...r.alerts);
    changes += 1;
  };
  let policy: PolicyState = state.policy ?? initialPolicyState();
  const pending: Decision[] = [];
  const stops: StopRequest[] = [];
  /** Bumped on every policy decision: the main loop re-arms its timer when it moves. */
  let changes = 0;
  const decide = (r: { state: PolicyState; start: Decision[]; stop?: StopRequest[] }) => {
    policy = r.state;
    state.policy = policy;
    pending.push(...r.start);
    if (r.stop) stops.push(...r.stop);
    changes += 1;
  };

  // Before the handlers: a signal buffered by signalWithStart runs as soon as its handler is set.
  const applyMode = (req: z.output<typeof SetVenueModeSchema>) => {
    state.seq += 1;
    state.modes = { ...state.modes, [req.venueId]: { mode: req.mode, reason: req.reason, requestedBy: req.requestedBy, seq: state.seq } };
    state.counters.modeChanges += 1;
    eventsThisRun += 1;
    return state.modes;
  };
  setHandler(imbalanceSignal, (raw: unknown) => {
    const event = recordImbalance(state, raw);
    eventsThisRun += 1;
    if (withPolicy && event) decide(decideOnEvent(policy, event, workflowNow(), params));
    if (withRemediation && event?.kind === 'COMPLIANCE_BREACH') {
      remediate(onComplianceEvent(state.remediation ?? initialRemediationState(), event, state.modes[event.venueId]?.mode, workflowNow(), { verifyWithinMs: input.complianceVerifyWithinMs, holdAfterClearMs }));
    }
  });
  setHandler(policyChildFinishedSignal, (raw: unknown) => {
    const r = ChildFinishedSchema.safeParse(raw);
    eventsThisRun += 1;
    if (!r.success) return;
    const { id, status, message, movedUsd, filledBase } = r.data;
    policy = noteChildFinished(
      policy,
      { id },
      { status, ...(message !== undefined ? { message } : {}), ...(movedUsd !== undefined ? { movedUsd } : {}), ...(filledBase !== undefined ? { filledBase } : {}) },
      workflowNow(),
    );
    state.policy = policy;
    // An imbalance that waited for this child may act now (see nextCheckAt's waitForBlocks).
    if (rearm) decide(decideOnTick(policy, workflowNow(), params));
  });
  setHandler(setVenueModeSignal, (raw: unknown) => {
    const r = SetVenueModeSchema.safeParse(raw);
    if (r.success) applyMode(r.data);
    else {
      // A signal cannot be refused: record the bad fields, as for imbalance signals.
      state.seq += 1;
      state.rejected = [...state.rejected, { seq: state.seq, signal: 'setVenueModeSignal', issues: toFieldIssues(r.error) }].slice(-ERROR_LIMIT);
      state.counters.rejected += 1;
    }
  });
  setHandler(
    setVenueModeUpdate,
    (raw) => applyMode(SetVenueModeSchema.parse(raw)),
    {
      // Rejected before it reaches history: the caller (Web UI, API) gets the field-level message.
      validator: (raw) => {
        const r = SetVenueModeSchema.safeParse(raw);
        if (!r.success) throw new Error(`setVenueMode is invalid: ${toFieldIssues(r.error).map((i) => `${i.path}: ${i.message}`).join('; ')}`);
      },
    },
  );
  setHandler(
    resetKillSwitchUpdate,
    (raw) => {
      const req = ResetKillSwitchSchema.parse(raw);
      state.seq += 1;
      eventsThisRun += 1;
      const reset: KillSwitchReset = { seq: state.seq, ...(req.venueId !== undefined ? { venueId: req.venueId } : {}), reason: req.reason, requestedBy: req.requestedBy, at: workflowNow() };
      state.killSwitchResets = [...(state.killSwitchResets ?? []), reset].slice(-KILL_SWITCH_RESET_LIMIT);
      return reset;
    },
    {
      validator: (raw) => {
        const r = ResetKillSwitchSchema.safeParse(raw);
        if (!r.success) throw new Error(`resetKillSwitch is invalid: ${toFieldIssues(r.error).map((i) => `${i.path}: ${i.message}`).join('; ')}`);
      },
    },
  );
  setHandler(killSwitchTripSignal, (raw: unknown) => {
    const r = KillSwitchTripSchema.safeParse(raw);
    state.seq += 1;
    eventsThisRun += 1;
    if (r.success) state.killSwitchTrips = [...(state.killSwitchTrips ?? []), { seq: state.seq, ...r.data }].slice(-KILL_SWITCH_TRIP_LIMIT);
    else {
      state.rejected = [...state.rejected, { seq: state.seq, signal: 'killSwitchTrip', issues: toFieldIssues(r.error) }].slice(-ERROR_LIMIT);
      state.counters.rejected += 1;
    }
  });
  setHandler(stateQuery, () => state);
  setHandler(modesQuery, () => state.modes);
  setHandler(quotingControlsQuery, () => ({ modes: state.modes, killSwitchResets: state.killSwitchResets ?? [] }));

  const wantsNewRun = () => eventsThisRun >= input.continueAsNewAfter || workflowInfo().continueAsNewSuggested;
  if (!withPolicy) await condition(wantsNewRun);
  else {
    for (;;) {
      const seen = changes;
      const policyWake = nextCheckAt(policy, workflowNow(), params, { waitForBlocks: rearm });
      const verifyWake = withRemediation && state.remediation ? nextVerificationAt(state.remediation) : undefined;
      const wake = verifyWake === undefined ? policyWake : policyWake === undefined ? verifyWake : Math.min(policyWake, verifyWake);
      const ready = () => pending.length > 0 || stops.length > 0 || alerts.length > 0 || wantsNewRun() || (rearm && changes !== seen);
      // condition() without a timeout resolves to undefined, which older runs took for "the timer fired"
      // and re-decided for nothing (counting every pending imbalance as skipped twice); kept for them.
      const woke = wake === undefined ? (await condition(ready), rearm) : await condition(ready, Math.max(1, wake - workflowNow()));
      if (!woke) decide(decideOnTick(policy, workflowNow(), params));
      if (withRemediation && state.remediation) {
        const due = nextVerificationAt(state.remediation);
        if (due !== undefined && due <= workflowNow()) {
          remediate(verifyRemediations(state.remediation, workflowNow()));
          if (state.remediation.held) remediate(releaseHolds(state.remediation, workflowNow(), Object.fromEntries(Object.entries(state.modes).map(([v, m]) => [v, m.mode]))));
        }
      }
      while (alerts.length > 0) {
        const a = alerts.shift()!;
        // Not awaited here: a webhook being retried must not hold up the policy's children. De-duplicated
        // by the activity (venue, rule, breach, kind); a webhook down for good must not fail the entity.
        const p: Promise<unknown> = alertActs
          .sendComplianceAlert(a)
          .catch(() => undefined)
          .finally(() => alertsInFlight.delete(p));
        alertsInFlight.add(p);
      }
      while (stops.length > 0) {
        const st = stops.shift()!;
        // A child already gone has nothing to stop; its report reached (or will reach) policyChildFinished.
        await getExternalWorkflowHandle(`${coordinatorWorkflowId(input.asset)}:${st.id}`)
          .signal('stop', { reason: st.reason, requestedBy: 'liquidityCoordinator' })
          .catch(() => undefined);
      }
      while (pending.length > 0) {
        const d = pending.shift()!;
        try {
          await startDecision(d, input.asset, params.priceAction);
        } catch (e) {
          // A child that cannot start (id taken, bad input) is a failed action, not a failed entity.
          policy = noteChildFinished(policy, d, { status: 'failed', message: e instanceof Error ? e.message : String(e) }, workflowNow());
          state.policy = policy;
          // As when a child reports: what waited for it is decided again.
          if (rearm) decide(decideOnTick(policy, workflowNow(), params));
        }
      }
      if (wantsNewRun()) break;
    }
  }
  await condition(allHandlersFinished);
  // The next run must not lose an alert still being delivered.
  await Promise.all([...alertsInFlight]);
  await continueAsNew<typeof liquidityCoordinator>({
    asset: input.asset,
    state,
    continueAsNewAfter: input.continueAsNewAfter,
    ...(input.policy ? { policy: input.policy } : {}),
    ...(withRemediation ? { complianceVerifyWithinMs: input.complianceVerifyWithinMs } : {}),
    ...(holdAfterClearMs > 0 ? { complianceHoldAfterClearMs: input.complianceHoldAfterClearMs } : {}),
  });
}

/** Starts the child a decision names; it reports back through policyChildFinished when it ends. */
async function startDecision(d: Decision, asset: string, pa: PriceActionPolicy): Promise<void> {
  const workflowId = `${coordinatorWorkflowId(asset)}:${d.id}`;
  const common = { workflowId, parentClosePolicy: ParentClosePolicy.ABANDON, workflowIdReusePolicy: 'REJECT_DUPLICATE' as const };
  // Type names, not imports: the children import this module (their report-back signal).
  if (d.kind === 'rebalance') {
    await startChild('rebalance', { ...common, args: [{ requestId: d.id.replace(/[^A-Za-z0-9._:-]/g, '-'), asset: d.asset, requester: 'liquidityCoordinator', decisionId: d.id }] });
  } else if (d.kind === 'venueRisk') {
    await startChild('venueRisk', { ...common, args: [{ venue: d.venue, asset: d.asset, reason: d.reason, requestedBy: 'liquidityCoordinator', decisionId: d.id }] });
  } else {
    await startChild(d.kind, {
      ...common,
      args: [
        {
          requestId: d.id.replace(/[^A-Za-z0-9._:-]/g, '-'),
          asset: d.asset,
          requester: 'liquidityCoordinator',
          reason: d.reason.slice(0, 500),
          decisionId: d.id,
          ...(d.kind === 'buyback' ? { budgetUsd: d.maxUsd } : { quantity: d.quantityBase }),
          limitPct: d.kind === 'buyback' ? pa.buybackLimitPct : pa.liquidationPremiumPct,
          durationMs: pa.durationMs,
          sliceIntervalMs: pa.sliceIntervalMs,
          participationPct: pa.participationPct,
          maxFairMovePct: pa.maxFairMovePct,
        },
      ],
    });
  }
}
