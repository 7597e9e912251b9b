// liquidityCoordinator: one long-running entity per asset (`coordinator:<asset>`). The quoting worker
// signals it imbalances (signalWithStart, debounced by domain/quoting/imbalance.ts); operators and later
// workflows set each venue's operating mode, which the quoting worker polls through the `modes` query.
// Minimal form: receive, record, query. The Treasury issue adds the policy that reacts to imbalances.
import {
  allHandlersFinished,
  condition,
  continueAsNew,
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
import { SA_ASSET, SA_OPERATION } from './search-attributes';
import { validateWorkflowInput } from './validate';

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
  })
  .strict();
export type LiquidityCoordinatorInput = z.input<typeof LiquidityCoordinatorInputSchema>;

export const imbalanceSignal = defineSignal<[ImbalanceEvent]>('imbalance');
export const setVenueModeUpdate = defineUpdate<Record<string, VenueModeEntry>, [SetVenueModeRequest]>('setVenueMode');
/** The same change as the update, for workflows (which can signal other workflows but not update them). */
export const setVenueModeSignal = defineSignal<[SetVenueModeRequest]>('setVenueModeSignal');
export const stateQuery = defineQuery<CoordinatorState>('state');
export const modesQuery = defineQuery<Record<string, VenueModeEntry>>('modes');

export const initialCoordinatorState = (): CoordinatorState => ({
  seq: 0,
  active: {},
  history: [],
  modes: {},
  rejected: [],
  counters: { signals: 0, raised: 0, cleared: 0, rejected: 0, modeChanges: 0, runs: 0 },
});

function recordImbalance(state: CoordinatorState, raw: unknown): void {
  state.seq += 1;
  const parsed = ImbalanceEventSchema.safeParse(raw);
  if (!parsed.success) {
    // A signal cannot be refused, and throwing here would fail the entity: record and drop it.
    const issues: FieldIssue[] = toFieldIssues(parsed.error);
    state.rejected = [...state.rejected, { seq: state.seq, signal: 'imbalance', issues }].slice(-ERROR_LIMIT);
    state.counters.rejected += 1;
    return;
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
}

export async function liquidityCoordinator(rawInput: LiquidityCoordinatorInput): Promise<void> {
  const input = validateWorkflowInput(LiquidityCoordinatorInputSchema, rawInput, 'liquidityCoordinator');
  upsertSearchAttributes([
    { key: SA_OPERATION, value: 'liquidityCoordinator' },
    { key: SA_ASSET, value: input.asset },
  ]);
  const state: CoordinatorState = input.state ?? initialCoordinatorState();
  state.counters.runs += 1;
  let eventsThisRun = 0;

  setHandler(imbalanceSignal, (raw: unknown) => {
    recordImbalance(state, raw);
    eventsThisRun += 1;
  });
  const applyMode = (req: z.output<typeof SetVenueModeSchema>) => {
    state.seq += 1;
    state.modes = { ...state.modes, [req.venueId]: { mode: req.mode, reason: req.reason, requestedBy: req.requestedBy, seq: state.seq } };
    state.counters.modeChanges += 1;
    eventsThisRun += 1;
    return state.modes;
  };
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
  setHandler(stateQuery, () => state);
  setHandler(modesQuery, () => state.modes);

  await condition(() => eventsThisRun >= input.continueAsNewAfter || workflowInfo().continueAsNewSuggested);
  await condition(allHandlersFinished);
  await continueAsNew<typeof liquidityCoordinator>({ asset: input.asset, state, continueAsNewAfter: input.continueAsNewAfter });
}
