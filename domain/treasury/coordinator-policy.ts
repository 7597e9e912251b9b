// The liquidityCoordinator's policy: which child workflow to start when the quoting worker reports an
// imbalance. Pure (time comes in as `nowMs`, the workflow's clock) and JSON-plain (the state goes
// through continueAsNew and the `state` query unchanged). Decide, then act: this returns decisions;
// the workflow starts the children and reports back with noteChildFinished.
//
// Rules:
// - Hysteresis: an imbalance acts only after it has stayed raised for minRaisedMs and minRaisedSeq
//   further coordinator events; once acted on it never acts again until it is cleared and re-raised,
//   so a flapping signal (raised episodes shorter than minRaisedMs) never starts anything.
// - Cooldown per action kind and target: rebalance is asset-wide (one plan moves every venue), so it
//   has one cooldown key; venueRisk has one per venue. One running child per key at a time.
// - Budgets over a rolling 24 h: max starts per kind; max USD per day for rebalances (each start
//   reserves its `maxUsd` cap, replaced by the USD actually moved when the child reports).
import { z } from 'zod';
import { D, fmt, zNonNegativeDecimal, zPositiveDecimal, type Dec } from '../money';
import { IMBALANCE_KINDS, type ImbalanceEvent, type ImbalanceKind } from '../quoting/imbalance';

export const DAY_MS = 86_400_000;
export const POLICY_ACTIONS = ['rebalance', 'venueRisk', 'buyback', 'liquidation'] as const;
export type PolicyAction = (typeof POLICY_ACTIONS)[number];
const COMPLIANCE_LIMIT = 50;
const OUTCOME_LIMIT = 20;

/** What each imbalance leads to without price action (runs recorded before it keep this mapping). */
export const ACTION_FOR: Record<ImbalanceKind, PolicyAction | 'none'> = {
  INVENTORY_DRIFT: 'rebalance',
  ONE_SIDED_SELLING: 'rebalance',
  VENUE_UNHEALTHY: 'venueRisk',
  COMPLIANCE_BREACH: 'none',
  ONE_SIDED_BUYING: 'none',
  SELL_OFF: 'none',
};
/** With price action (issue 10): sustained selling → a buyback; buy pressure with bought-back inventory → a liquidation. */
export const ACTION_FOR_PRICE_ACTION: Record<ImbalanceKind, PolicyAction | 'none'> = {
  ...ACTION_FOR,
  ONE_SIDED_SELLING: 'buyback',
  ONE_SIDED_BUYING: 'liquidation',
};
/**
 * Price action triggered by a sell-off (`priceAction.trigger: sell-off`): a buyback answers selling
 * that has moved the price below its trailing anchor, not one-sided flow alone (which, in ordinary
 * trading, spends the day's buybacks on noise before a real sell-off comes).
 */
export const ACTION_FOR_SELL_OFF: Record<ImbalanceKind, PolicyAction | 'none'> = {
  ...ACTION_FOR_PRICE_ACTION,
  ONE_SIDED_SELLING: 'none',
  SELL_OFF: 'buyback',
};
export const actionFor = (kind: ImbalanceKind, params: Pick<PolicyParams, 'priceAction'>): PolicyAction | 'none' =>
  (params.priceAction.enabled ? (params.priceAction.trigger === 'sell-off' ? ACTION_FOR_SELL_OFF : ACTION_FOR_PRICE_ACTION) : ACTION_FOR)[kind];

/** The coordinator's price-action knobs; `enabled` false keeps the pre-price-action mapping. */
export const PriceActionPolicySchema = z
  .object({
    enabled: z.boolean().default(false),
    /**
     * What starts a buyback: `one-sided-selling` (the sell share of taker flow alone; runs recorded
     * before the sell-off trigger; also when absent) or `sell-off` (that selling with the price below its
     * trailing anchor). No default here: the coordinator picks it (patch `sell-off-trigger`).
     */
    trigger: z.enum(['one-sided-selling', 'sell-off']).optional(),
    /** USD a buyback may spend over any rolling 24 h, and in one episode (one buyback). */
    buybackUsdPerDay: zNonNegativeDecimal.default('500000'),
    buybackUsdPerEpisode: zPositiveDecimal.default('250000'),
    /** A buyback pays at most the fair value at its start × (1 + this %) (0: never above arrival). */
    buybackLimitPct: z.number().min(-50).max(10).default(0),
    /** A liquidation sells only at or above the fair value at its start × (1 + premium %). */
    liquidationPremiumPct: z.number().min(0).max(50).default(0.5),
    /** Liquidate only when bought-back inventory exceeds this (base). */
    minLiquidationBase: zNonNegativeDecimal.default('1000'),
    /** Handed to the child: how long it may run, its participation cap and its informed-move stop. */
    durationMs: z.number().int().min(60_000).default(2 * 3_600_000),
    sliceIntervalMs: z.number().int().min(1_000).default(60_000),
    participationPct: z.number().gt(0).lt(100).default(10),
    maxFairMovePct: z.number().positive().default(6),
  })
  .strict();
export type PriceActionPolicy = z.output<typeof PriceActionPolicySchema>;

const zMs = z.number().int().nonnegative();
const HysteresisSchema = z.object({ minRaisedSeq: z.number().int().nonnegative(), minRaisedMs: zMs }).strict();

export const PolicyParamsSchema = z
  .object({
    asset: z.string().min(1, 'expected an asset symbol'),
    minRaisedSeq: z.number().int().nonnegative().default(0),
    minRaisedMs: zMs.default(30_000),
    /** Per-kind overrides of the two above (e.g. act faster on VENUE_UNHEALTHY). */
    perKind: z.partialRecord(z.enum(IMBALANCE_KINDS), HysteresisSchema.partial()).default({}),
    cooldownMs: z
      .object({ rebalance: zMs, venueRisk: zMs, buyback: zMs.default(30 * 60_000), liquidation: zMs.default(30 * 60_000) })
      .strict()
      .default({ rebalance: 15 * 60_000, venueRisk: 10 * 60_000, buyback: 30 * 60_000, liquidation: 30 * 60_000 }),
    maxActionsPerDay: z
      .object({
        rebalance: z.number().int().nonnegative(),
        venueRisk: z.number().int().nonnegative(),
        buyback: z.number().int().nonnegative().default(4),
        liquidation: z.number().int().nonnegative().default(4),
      })
      .strict()
      .default({ rebalance: 6, venueRisk: 4, buyback: 4, liquidation: 4 }),
    priceAction: PriceActionPolicySchema.default(PriceActionPolicySchema.parse({})),
    rebalanceUsdPerDay: zNonNegativeDecimal.default('250000'),
    /** Cap handed to one rebalance (its `maxUsd`); defaults to whatever is left of the day's budget. */
    rebalanceMaxUsdPerAction: zPositiveDecimal.optional(),
    /** Below this much budget left, a rebalance is not worth starting. */
    minRebalanceUsd: zNonNegativeDecimal.default('0'),
  })
  .strict();
export type PolicyParams = z.output<typeof PolicyParamsSchema>;
export type PolicyParamsInput = z.input<typeof PolicyParamsSchema>;

const RaisedSchema = z
  .object({
    venueId: z.string(),
    kind: z.enum(IMBALANCE_KINDS),
    value: z.number(),
    sinceSeq: z.number().int(),
    sinceMs: z.number(),
    /** The decision that acted on this raise; none until cleared and raised again. */
    actedBy: z.string().optional(),
  })
  .strict();

const ActionSchema = z
  .object({
    id: z.string(),
    kind: z.enum(POLICY_ACTIONS),
    key: z.string(),
    startedAt: z.number(),
    reservedUsd: z.string(),
    movedUsd: z.string().optional(),
    status: z.enum(['running', 'completed', 'failed', 'canceled']),
    finishedAt: z.number().optional(),
  })
  .strict();
export type ActionRecord = z.infer<typeof ActionSchema>;

export const PolicyStateSchema = z
  .object({
    seq: z.number().int().nonnegative(),
    nextActionId: z.number().int().positive(),
    /** Raised, not yet cleared imbalances keyed `venueId|kind`. */
    raised: z.record(z.string(), RaisedSchema),
    /** Running children and everything started within the last 24 h (the budget window). */
    actions: z.array(ActionSchema),
    /** Last start per cooldown key (kept beyond 24 h, cooldowns may be longer). */
    lastStartedAt: z.record(z.string(), z.number()),
    compliance: z.array(z.object({ seq: z.number().int(), at: z.number(), venueId: z.string(), type: z.enum(['raised', 'cleared']), value: z.number() }).strict()),
    outcomes: z.array(z.object({ id: z.string(), status: z.string(), at: z.number(), movedUsd: z.string().optional(), message: z.string().optional() }).strict()),
    counters: z
      .object({ events: z.number().int(), started: z.number().int(), skipped: z.number().int(), finished: z.number().int(), failed: z.number().int() })
      .strict(),
    /** Base bought by buybacks minus base sold by liquidations: what a liquidation may sell (absent before price action). */
    boughtBackBase: z.string().optional(),
  })
  .strict();
export type PolicyState = z.infer<typeof PolicyStateSchema>;

export const initialPolicyState = (): PolicyState => ({
  seq: 0,
  nextActionId: 1,
  raised: {},
  actions: [],
  lastStartedAt: {},
  compliance: [],
  outcomes: [],
  counters: { events: 0, started: 0, skipped: 0, finished: 0, failed: 0 },
});

export interface Trigger {
  venueId: string;
  kind: ImbalanceKind;
  value: number;
}
export type Decision =
  | { kind: 'rebalance'; id: string; asset: string; reason: string; maxUsd: string; triggers: Trigger[] }
  | { kind: 'venueRisk'; id: string; asset: string; venue: string; reason: string; triggers: Trigger[] }
  | {
      kind: 'buyback' | 'liquidation';
      id: string;
      asset: string;
      reason: string;
      /** The episode's USD budget (buyback) — reserved against the day's until the child reports what it spent. */
      maxUsd: string;
      /** Liquidation: the bought-back base it may sell. Buyback: none (the budget bounds it). */
      quantityBase?: string;
      triggers: Trigger[];
    };
/** A running price-action child the coordinator asks to stop (its imbalance cleared). */
export interface StopRequest {
  id: string;
  reason: string;
}

export type SkipCode = 'HYSTERESIS' | 'RUNNING' | 'VENUE_RISK_RUNNING' | 'COOLDOWN' | 'BUDGET_ACTIONS' | 'BUDGET_USD' | 'NOT_IN_SCOPE';
export interface Skipped {
  code: SkipCode;
  reason: string;
  action?: PolicyAction;
  venueId?: string;
  imbalance?: ImbalanceKind;
}
export interface PolicyResult {
  state: PolicyState;
  start: Decision[];
  skipped: Skipped[];
  /** Running buybacks / liquidations to stop (absent when none). */
  stop?: StopRequest[];
}
export interface ChildOutcome {
  status: 'completed' | 'failed' | 'canceled';
  /** USD actually moved (rebalances) or spent (buybacks, liquidations); replaces the reservation in the day's budget. */
  movedUsd?: string;
  /** Price action: base bought (buyback) or sold (liquidation). */
  filledBase?: string;
  message?: string;
}

const raisedKey = (venueId: string, kind: ImbalanceKind) => `${venueId}|${kind}`;
export const cooldownKey = (action: PolicyAction, venue?: string) => (action === 'venueRisk' ? `venueRisk:${venue ?? ''}` : action);
const clone = (s: PolicyState): PolicyState => JSON.parse(JSON.stringify(s)) as PolicyState;
const secs = (ms: number) => `${Math.round(ms / 100) / 10}s`;

/** Records one imbalance event, then decides what (if anything) to start. The input state is not mutated. */
export function decideOnEvent(state: PolicyState, event: ImbalanceEvent, nowMs: number, params: PolicyParams): PolicyResult {
  const s = clone(state);
  s.seq += 1;
  s.counters.events += 1;
  const skipped: Skipped[] = [];
  const key = raisedKey(event.venueId, event.kind);
  if (event.kind === 'COMPLIANCE_BREACH') {
    s.compliance = [...s.compliance, { seq: s.seq, at: nowMs, venueId: event.venueId, type: event.type, value: event.value }].slice(-COMPLIANCE_LIMIT);
    if (event.type === 'raised') {
      skipped.push({
        code: 'NOT_IN_SCOPE',
        venueId: event.venueId,
        imbalance: event.kind,
        reason: `COMPLIANCE_BREACH on ${event.venueId} recorded; no child started (remediation sets the venue's mode: compliance-remediation.ts)`,
      });
    }
  }
  if (event.type === 'raised') {
    const prev = s.raised[key];
    // A repeated raise (debounce resend, retry) keeps the original start and any "acted" mark.
    s.raised[key] = prev ? { ...prev, value: event.value } : { venueId: event.venueId, kind: event.kind, value: event.value, sinceSeq: s.seq, sinceMs: nowMs };
  } else {
    delete s.raised[key];
  }
  const r = evaluate(s, nowMs, params, skipped);
  if (event.type === 'cleared' && params.priceAction.enabled) {
    // The imbalance a running buyback (liquidation) answers has cleared everywhere: ask it to stop.
    const action = actionFor(event.kind, params);
    const kind = action === 'buyback' || action === 'liquidation' ? action : undefined;
    const stillRaised = Object.values(r.state.raised).some((x) => x.kind === event.kind);
    if (kind && !stillRaised) {
      const stop = r.state.actions.filter((a) => a.kind === kind && a.status === 'running').map((a) => ({ id: a.id, reason: `${event.kind} cleared on every venue (last: ${event.venueId})` }));
      if (stop.length) r.stop = stop;
    }
  }
  return r;
}

/** Re-evaluates pending imbalances without a new event (call on a timer, see nextCheckAt). */
export function decideOnTick(state: PolicyState, nowMs: number, params: PolicyParams): PolicyResult {
  return evaluate(clone(state), nowMs, params, []);
}

function hysteresis(params: PolicyParams, kind: ImbalanceKind): { minRaisedSeq: number; minRaisedMs: number } {
  const o = params.perKind[kind];
  return { minRaisedSeq: o?.minRaisedSeq ?? params.minRaisedSeq, minRaisedMs: o?.minRaisedMs ?? params.minRaisedMs };
}

const inWindow = (a: ActionRecord, nowMs: number) => a.startedAt > nowMs - DAY_MS;
const usdOf = (a: ActionRecord) => a.movedUsd ?? a.reservedUsd;

function evaluate(s: PolicyState, nowMs: number, params: PolicyParams, skipped: Skipped[]): PolicyResult {
  s.actions = s.actions.filter((a) => a.status === 'running' || inWindow(a, nowMs));
  const pending = Object.keys(s.raised)
    .sort()
    .map((k) => s.raised[k])
    .filter((r): r is NonNullable<typeof r> => r !== undefined && r.actedBy === undefined && actionFor(r.kind, params) !== 'none');
  const ready: typeof pending = [];
  for (const r of pending) {
    const h = hysteresis(params, r.kind);
    const age = nowMs - r.sinceMs;
    const events = s.seq - r.sinceSeq;
    if (age >= h.minRaisedMs && events >= h.minRaisedSeq) ready.push(r);
    else {
      skipped.push({
        code: 'HYSTERESIS',
        action: actionFor(r.kind, params) as PolicyAction,
        venueId: r.venueId,
        imbalance: r.kind,
        reason: `${r.kind} on ${r.venueId} raised ${secs(age)} / ${events} events ago; acts after ${secs(h.minRaisedMs)} and ${h.minRaisedSeq} events`,
      });
    }
  }
  const start: Decision[] = [];
  const describe = (r: Trigger) => `${r.kind} on ${r.venueId} (value ${r.value})`;

  // venueRisk first: protecting funds on a failing venue comes before rebalancing into it.
  for (const r of ready.filter((x) => actionFor(x.kind, params) === 'venueRisk')) {
    const block = blocked(s, 'venueRisk', r.venueId, nowMs, params);
    if (block) {
      skipped.push({ ...block, action: 'venueRisk', venueId: r.venueId, imbalance: r.kind });
      continue;
    }
    const id = `venueRisk:${params.asset}:${r.venueId}:${s.nextActionId}`;
    start.push({ kind: 'venueRisk', id, asset: params.asset, venue: r.venueId, reason: `${describe(r)}: pause quoting, cancel orders, withdraw to the safe wallet`, triggers: [trigger(r)] });
    begin(s, id, 'venueRisk', cooldownKey('venueRisk', r.venueId), nowMs, '0');
    r.actedBy = id;
  }

  const rebalanceTriggers = ready.filter((x) => actionFor(x.kind, params) === 'rebalance');
  if (rebalanceTriggers.length > 0) {
    const budget = usdBudget(s, nowMs, params);
    const block = blocked(s, 'rebalance', undefined, nowMs, params) ?? (budget.ok ? undefined : budget.skip);
    if (block) {
      for (const r of rebalanceTriggers) skipped.push({ ...block, action: 'rebalance', venueId: r.venueId, imbalance: r.kind });
    } else if (budget.ok) {
      const id = `rebalance:${params.asset}:${s.nextActionId}`;
      const why = rebalanceTriggers.map((r) => describe(r) + (r.kind === 'ONE_SIDED_SELLING' ? ' (buyback comes later; rebalancing for now)' : '')).join('; ');
      start.push({ kind: 'rebalance', id, asset: params.asset, reason: `${why}: rebalance ${params.asset} to the target allocation`, maxUsd: budget.cap, triggers: rebalanceTriggers.map(trigger) });
      begin(s, id, 'rebalance', cooldownKey('rebalance'), nowMs, budget.cap);
      for (const r of rebalanceTriggers) r.actedBy = id;
    }
  }
  priceAction(s, ready, nowMs, params, start, skipped);
  s.counters.skipped += skipped.length;
  return { state: s, start, skipped };
}

/** Buyback on sustained selling, liquidation of bought-back inventory on buy pressure (one running each). */
function priceAction(s: PolicyState, ready: PolicyState['raised'][string][], nowMs: number, params: PolicyParams, start: Decision[], skipped: Skipped[]): void {
  const pa = params.priceAction;
  const describe = (r: Trigger) => `${r.kind} on ${r.venueId} (value ${r.value})`;
  for (const kind of ['buyback', 'liquidation'] as const) {
    const triggers = ready.filter((x) => actionFor(x.kind, params) === kind);
    if (triggers.length === 0) continue;
    let block = blocked(s, kind, undefined, nowMs, params);
    let maxUsd = '0';
    let quantityBase: string | undefined;
    if (!block && kind === 'buyback') {
      const used = s.actions.filter((a) => a.kind === 'buyback' && inWindow(a, nowMs)).reduce((acc, a) => acc.plus(usdOf(a)), new D(0));
      const left = D.min(new D(pa.buybackUsdPerDay).minus(used), pa.buybackUsdPerEpisode);
      if (left.lte(0)) block = { code: 'BUDGET_USD', reason: `${fmt(used)} of ${fmt(pa.buybackUsdPerDay)} USD of buybacks spent or reserved in the last 24 h` };
      else maxUsd = fmt(left);
    }
    if (!block && kind === 'liquidation') {
      const held = new D(s.boughtBackBase ?? '0');
      if (held.lte(pa.minLiquidationBase)) block = { code: 'NOT_IN_SCOPE', reason: `bought-back inventory ${fmt(held)} is not above ${fmt(pa.minLiquidationBase)}: nothing to liquidate` };
      else quantityBase = fmt(held);
    }
    if (block) {
      for (const r of triggers) skipped.push({ ...block, action: kind, venueId: r.venueId, imbalance: r.kind });
      // A liquidation with nothing to sell stays acted-on until the buy pressure clears and comes back.
      if (block.code === 'NOT_IN_SCOPE') for (const r of triggers) r.actedBy = 'none';
      continue;
    }
    const id = `${kind}:${params.asset}:${s.nextActionId}`;
    const why = triggers.map(describe).join('; ');
    const what = kind === 'buyback' ? `buy back ${params.asset} for at most ${maxUsd} USD, never above the fair value at start` : `sell ${quantityBase} bought-back ${params.asset} into the buying, only above fair value + ${pa.liquidationPremiumPct} %`;
    start.push({ kind, id, asset: params.asset, reason: `${why}: ${what}`, maxUsd, ...(quantityBase !== undefined ? { quantityBase } : {}), triggers: triggers.map(trigger) });
    begin(s, id, kind, cooldownKey(kind), nowMs, maxUsd);
    for (const r of triggers) r.actedBy = id;
  }
}

const trigger = (r: Trigger): Trigger => ({ venueId: r.venueId, kind: r.kind, value: r.value });

function begin(s: PolicyState, id: string, kind: PolicyAction, key: string, nowMs: number, reservedUsd: string): void {
  s.nextActionId += 1;
  s.actions.push({ id, kind, key, startedAt: nowMs, reservedUsd, status: 'running' });
  s.lastStartedAt[key] = nowMs;
  s.counters.started += 1;
}

/** Why `action` cannot start now (running, cooldown, daily count), or undefined. */
function blocked(s: PolicyState, action: PolicyAction, venue: string | undefined, nowMs: number, params: PolicyParams): Omit<Skipped, 'action'> | undefined {
  const key = cooldownKey(action, venue);
  const running = s.actions.find((a) => a.key === key && a.status === 'running');
  if (running) return { code: 'RUNNING', reason: `${running.id} is still running` };
  if (action === 'rebalance') {
    const risk = s.actions.find((a) => a.kind === 'venueRisk' && a.status === 'running');
    if (risk) return { code: 'VENUE_RISK_RUNNING', reason: `${risk.id} is running: no rebalance while a venue is being evacuated` };
  }
  const last = s.lastStartedAt[key];
  if (last !== undefined && nowMs - last < params.cooldownMs[action]) {
    return { code: 'COOLDOWN', reason: `${key} started ${secs(nowMs - last)} ago; cooldown ${secs(params.cooldownMs[action])}` };
  }
  const count = s.actions.filter((a) => a.kind === action && inWindow(a, nowMs)).length;
  if (count >= params.maxActionsPerDay[action]) {
    return { code: 'BUDGET_ACTIONS', reason: `${count} ${action} started in the last 24 h; the budget is ${params.maxActionsPerDay[action]}` };
  }
  return undefined;
}

/** The USD cap for a new rebalance (a decimal string), or why there is none left. */
function usdBudget(s: PolicyState, nowMs: number, params: PolicyParams): { ok: true; cap: string } | { ok: false; skip: Omit<Skipped, 'action'> } {
  const used = s.actions.filter((a) => a.kind === 'rebalance' && inWindow(a, nowMs)).reduce((acc, a) => acc.plus(usdOf(a)), new D(0));
  const left = new D(params.rebalanceUsdPerDay).minus(used);
  const cap = params.rebalanceMaxUsdPerAction !== undefined ? D.min(left, params.rebalanceMaxUsdPerAction) : left;
  if (cap.lte(0) || cap.lt(params.minRebalanceUsd)) {
    const reason = `${fmt(used)} of ${fmt(params.rebalanceUsdPerDay)} USD rebalanced or reserved in the last 24 h; ${fmt(D.max(left, 0))} left`;
    return { ok: false, skip: { code: 'BUDGET_USD', reason } };
  }
  return { ok: true, cap: fmt(cap) };
}

/** Records a child's end: frees its key for the next start and settles its USD budget. Not mutating. */
export function noteChildFinished(state: PolicyState, decision: Pick<Decision, 'id'>, outcome: ChildOutcome, nowMs: number): PolicyState {
  const s = clone(state);
  const moved = outcome.movedUsd !== undefined && /^\d+(\.\d+)?$/.test(outcome.movedUsd) ? fmt(outcome.movedUsd) : undefined;
  const a = s.actions.find((x) => x.id === decision.id);
  // Only the first report settles the action (a repeated one must not count its fills again).
  const first = a !== undefined && a.status === 'running';
  if (a && first) {
    a.status = outcome.status;
    a.finishedAt = nowMs;
    // Without a report of what moved, the reservation stays: the budget errs on the safe side.
    if (moved !== undefined) a.movedUsd = moved;
  }
  s.counters.finished += 1;
  if (outcome.status !== 'completed') s.counters.failed += 1;
  if (a && first && (a.kind === 'buyback' || a.kind === 'liquidation') && outcome.filledBase !== undefined && /^\d+(\.\d+)?$/.test(outcome.filledBase)) {
    const held = new D(s.boughtBackBase ?? '0');
    s.boughtBackBase = fmt(D.max(0, a.kind === 'buyback' ? held.plus(outcome.filledBase) : held.minus(outcome.filledBase)));
  }
  const entry = { id: decision.id, status: outcome.status, at: nowMs, ...(moved !== undefined ? { movedUsd: moved } : {}), ...(outcome.message ? { message: outcome.message.slice(0, 500) } : {}) };
  s.outcomes = [...s.outcomes, entry].slice(-OUTCOME_LIMIT);
  return s;
}

/**
 * The earliest time a pending imbalance may become actionable by time alone (hysteresis, cooldown,
 * daily budgets rolling over), so the workflow can sleep until then; undefined when nothing waits on time.
 *
 * `waitForBlocks`: an imbalance blocked by a running action (RUNNING, VENUE_RISK_RUNNING) waits for
 * that action's end, not for time — the caller re-decides when a child finishes (decideOnTick after
 * noteChildFinished) — and one blocked by the USD budget waits until enough of the day's rebalances
 * (buybacks) roll out of the 24 h window. Without it, such an imbalance yields `nowMs` once hysteresis and
 * cooldown are over, and a caller that sleeps until then wakes at once, again and again.
 */
export function nextCheckAt(state: PolicyState, nowMs: number, params: PolicyParams, opts: { waitForBlocks?: boolean } = {}): number | undefined {
  let best: number | undefined;
  const running = (key: string) => state.actions.some((a) => a.key === key && a.status === 'running');
  const riskRunning = state.actions.some((a) => a.kind === 'venueRisk' && a.status === 'running');
  for (const r of Object.values(state.raised)) {
    const action = actionFor(r.kind, params);
    if (r.actedBy !== undefined || action === 'none') continue;
    const key = cooldownKey(action, r.venueId);
    if (opts.waitForBlocks && (running(key) || (action === 'rebalance' && riskRunning))) continue;
    let at = r.sinceMs + hysteresis(params, r.kind).minRaisedMs;
    const last = state.lastStartedAt[key];
    if (last !== undefined) at = Math.max(at, last + params.cooldownMs[action]);
    // Blocked by the day's USD (rebalance, buyback): wake when enough of it rolls out of the 24 h window.
    if (opts.waitForBlocks && (action === 'rebalance' || action === 'buyback')) {
      const usd = usdRollsOutAt(state, nowMs, params, action);
      if (usd === null) continue;
      at = Math.max(at, usd);
    }
    const window = state.actions.filter((a) => a.kind === action && inWindow(a, nowMs)).sort((x, y) => x.startedAt - y.startedAt);
    const max = params.maxActionsPerDay[action];
    if (max === 0) continue;
    // Room for one more once all but (max - 1) of the window's starts have rolled out.
    const rollsOut = window[window.length - max];
    if (rollsOut) at = Math.max(at, rollsOut.startedAt + DAY_MS);
    at = Math.max(at, nowMs);
    best = best === undefined ? at : Math.min(best, at);
  }
  return best;
}

/**
 * When the USD budget has room for a rebalance (buyback) again: now if it has; else when enough of the
 * window's rebalances (buybacks) have rolled out; null if no roll-out frees enough (a rebalance budget
 * below minRebalanceUsd, a buyback day budget of 0).
 */
function usdRollsOutAt(state: PolicyState, nowMs: number, params: PolicyParams, kind: 'rebalance' | 'buyback'): number | null {
  const window = state.actions.filter((a) => a.kind === kind && inWindow(a, nowMs)).sort((x, y) => x.startedAt - y.startedAt);
  const room = (used: Dec) => {
    if (kind === 'buyback') return new D(params.priceAction.buybackUsdPerDay).minus(used).gt(0);
    const left = new D(params.rebalanceUsdPerDay).minus(used);
    const cap = params.rebalanceMaxUsdPerAction !== undefined ? D.min(left, params.rebalanceMaxUsdPerAction) : left;
    return cap.gt(0) && cap.gte(params.minRebalanceUsd);
  };
  let used = window.reduce((acc, a) => acc.plus(usdOf(a)), new D(0));
  if (room(used)) return nowMs;
  for (const a of window) {
    used = used.minus(usdOf(a));
    if (room(used)) return a.startedAt + DAY_MS;
  }
  return null;
}
