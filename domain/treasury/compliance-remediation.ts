// The coordinator's compliance remediation (issue 12, item 3). Pure, JSON-plain state, time passed in:
// - COMPLIANCE_BREACH raised on a venue: a depth (or empty-book) failure sets `deepen` on THAT venue, a
//   spread-only failure sets `tighten`; a venue an operator or venueRisk has `paused` / `withdraw-only`
//   keeps that mode (remediation never quotes into a venue being protected). One alert per breach.
// - cleared: the venue goes back to `normal` if it still has the mode remediation set (an operator's
//   change in between wins); one "resolved" alert. With a hold (`holdAfterClearMs` > 0) the mode stays
//   that long after the clear and only then goes back to normal: a breach that returns within the hold
//   finds the mode still in force, so a requirement that only deepened quoting meets does not flap
//   breach → deepen → clear → normal → breach at every clear.
// - verification: a breach still open `verifyWithinMs` after it was raised is escalated once (a
//   decision in the log and an alert); the mode stays.
// No volume help: remediation only changes how our own quotes rest (deeper or tighter); it never
// trades, so it cannot self-trade or wash volume.
import { z } from 'zod';
import { BREACH_RULES, type BreachRule, type ImbalanceEvent } from '../quoting/imbalance';

export const REMEDIATION_MODES = ['deepen', 'tighten'] as const;
export type RemediationMode = (typeof REMEDIATION_MODES)[number];
/** Modes remediation never overrides. */
export const PROTECTIVE_MODES = ['paused', 'withdraw-only'] as const;
const LOG_LIMIT = 50;

const OpenBreachSchema = z
  .object({
    breachId: z.string(),
    rules: z.array(z.enum(BREACH_RULES)),
    /** The mode remediation set; absent: none (protective mode held, or the rules were not reported). */
    mode: z.enum(REMEDIATION_MODES).optional(),
    sinceMs: z.number(),
    verifyByMs: z.number(),
    escalated: z.boolean(),
  })
  .strict();
export type OpenBreach = z.infer<typeof OpenBreachSchema>;

const RemediationLogSchema = z
  .object({
    at: z.number(),
    venueId: z.string(),
    breachId: z.string(),
    action: z.enum(['set-mode', 'hold-mode', 'restore-normal', 'keep-mode', 'escalate']),
    mode: z.string().optional(),
    reason: z.string(),
  })
  .strict();
export type RemediationLogEntry = z.infer<typeof RemediationLogSchema>;

const HeldModeSchema = z
  .object({
    breachId: z.string(),
    rules: z.array(z.enum(BREACH_RULES)),
    mode: z.enum(REMEDIATION_MODES),
    /** When the held mode goes back to normal (workflow time, epoch ms). */
    untilMs: z.number(),
  })
  .strict();
export type HeldMode = z.infer<typeof HeldModeSchema>;

export const RemediationStateSchema = z
  .object({
    /** Open breaches keyed by venue id. */
    open: z.record(z.string(), OpenBreachSchema),
    /** Cleared breaches whose mode is held until `untilMs`, keyed by venue id; absent without a hold. */
    held: z.record(z.string(), HeldModeSchema).optional(),
    /** The last LOG_LIMIT remediation decisions, oldest first. */
    log: z.array(RemediationLogSchema),
  })
  .strict();
export type RemediationState = z.infer<typeof RemediationStateSchema>;
export const initialRemediationState = (): RemediationState => ({ open: {}, log: [] });

export interface ModeChange {
  venueId: string;
  mode: 'normal' | RemediationMode;
  reason: string;
}
/** An alert to send; (venue, rule, breachId, kind) is its de-duplication key. */
export interface AlertRequest {
  venue: string;
  rule: string;
  breachId: string;
  kind: 'raised' | 'resolved' | 'escalated';
  text: string;
  /** When the coordinator decided it (workflow time, epoch ms). */
  at: number;
}
export interface RemediationResult {
  state: RemediationState;
  setMode?: ModeChange;
  /** Several venues at once (holds that end together). */
  setModes?: ModeChange[];
  alerts: AlertRequest[];
}

/** depth or an empty/crossed book → deepen; spread alone → tighten; nothing reported → none. */
export function remediationFor(rules: readonly BreachRule[]): RemediationMode | undefined {
  if (rules.includes('depth') || rules.includes('book')) return 'deepen';
  if (rules.includes('spread')) return 'tighten';
  return undefined;
}

export const breachRuleKey = (rules: readonly BreachRule[]): string => (rules.length ? [...rules].sort().join('+') : 'compliance');

const clone = (s: RemediationState): RemediationState => JSON.parse(JSON.stringify(s)) as RemediationState;
const mins = (ms: number) => `${Math.round(ms / 6_000) / 10} min`;

function log(s: RemediationState, e: RemediationLogEntry): void {
  s.log = [...s.log, e].slice(-LOG_LIMIT);
}

/** A COMPLIANCE_BREACH event (raised or cleared); `currentMode`: the venue's mode now. Not mutating. */
export function onComplianceEvent(
  state: RemediationState,
  event: ImbalanceEvent,
  currentMode: string | undefined,
  nowMs: number,
  params: { verifyWithinMs: number; holdAfterClearMs?: number },
): RemediationResult {
  const s = clone(state);
  const venue = event.venueId;
  const open = s.open[venue];
  const hold = params.holdAfterClearMs ?? 0;
  if (event.type === 'raised') {
    // A repeated raise of an open breach (debounce resend, retry): nothing new to do or say.
    if (open) return { state: s, alerts: [] };
    const rules = event.rules ?? [];
    const breachId = `${venue}:${event.at}`;
    const heldMode = s.held?.[venue];
    if (heldMode) delete s.held![venue];
    if (heldMode && currentMode === heldMode.mode) {
      // Back while the last remediation's mode is still held: it stays in force (nothing to set).
      const what = rules.length ? rules.join(' and ') : 'a listing rule';
      s.open[venue] = { breachId, rules, mode: heldMode.mode, sinceMs: nowMs, verifyByMs: nowMs + params.verifyWithinMs, escalated: false };
      const reason = `COMPLIANCE_BREACH (${what}) on ${venue} again while ${heldMode.mode} was held after the last one: ${heldMode.mode} kept until it clears`;
      log(s, { at: nowMs, venueId: venue, breachId, action: 'keep-mode', mode: heldMode.mode, reason });
      const text = `:rotating_light: Compliance breach on ${venue}: ${what} failed again with ${heldMode.mode} still in force from the last breach.`;
      return { state: s, alerts: [{ venue, rule: breachRuleKey(rules), breachId, kind: 'raised', at: nowMs, text }] };
    }
    const want = remediationFor(rules);
    const held = currentMode !== undefined && (PROTECTIVE_MODES as readonly string[]).includes(currentMode);
    const mode = want && !held ? want : undefined;
    s.open[venue] = { breachId, rules, ...(mode ? { mode } : {}), sinceMs: nowMs, verifyByMs: nowMs + params.verifyWithinMs, escalated: false };
    const what = rules.length ? rules.join(' and ') : 'a listing rule';
    const reason = mode
      ? `COMPLIANCE_BREACH (${what}) on ${venue}: ${mode} until it clears`
      : held
        ? `COMPLIANCE_BREACH (${what}) on ${venue}: ${currentMode} kept (remediation never overrides it)`
        : `COMPLIANCE_BREACH on ${venue} without the failed rule: no mode change`;
    log(s, { at: nowMs, venueId: venue, breachId, action: mode ? 'set-mode' : 'hold-mode', ...(mode ? { mode } : {}), reason });
    const alert: AlertRequest = {
      venue,
      rule: breachRuleKey(rules),
      breachId,
      kind: 'raised',
      at: nowMs,
      text: `:rotating_light: Compliance breach on ${venue}: ${what} failed. ${mode ? `Remediation: ${mode}.` : held ? `Venue kept ${currentMode}.` : 'No automatic remediation.'}`,
    };
    return { state: s, ...(mode ? { setMode: { venueId: venue, mode, reason } } : {}), alerts: [alert] };
  }
  if (!open) return { state: s, alerts: [] };
  delete s.open[venue];
  const restore = open.mode !== undefined && currentMode === open.mode;
  const took = mins(nowMs - open.sinceMs);
  if (restore && hold > 0) {
    s.held = { ...(s.held ?? {}), [venue]: { breachId: open.breachId, rules: open.rules, mode: open.mode!, untilMs: nowMs + hold } };
    const reason = `COMPLIANCE_BREACH on ${venue} cleared after ${took}: ${open.mode} held ${mins(hold)}, then normal`;
    log(s, { at: nowMs, venueId: venue, breachId: open.breachId, action: 'keep-mode', mode: open.mode!, reason });
    const text = `:white_check_mark: Resolved: compliance breach on ${venue} (${open.rules.join(' and ') || 'a listing rule'}) cleared after ${took}. ${open.mode} held ${mins(hold)}, then normal.`;
    return { state: s, alerts: [{ venue, rule: breachRuleKey(open.rules), breachId: open.breachId, kind: 'resolved', at: nowMs, text }] };
  }
  const reason = restore
    ? `COMPLIANCE_BREACH on ${venue} cleared after ${took}: back to normal`
    : `COMPLIANCE_BREACH on ${venue} cleared after ${took}: mode ${currentMode ?? 'normal'} left as it is${open.mode ? ` (changed since remediation set ${open.mode})` : ''}`;
  log(s, { at: nowMs, venueId: venue, breachId: open.breachId, action: restore ? 'restore-normal' : 'keep-mode', ...(restore ? { mode: 'normal' } : {}), reason });
  const alert: AlertRequest = {
    venue,
    rule: breachRuleKey(open.rules),
    breachId: open.breachId,
    kind: 'resolved',
    at: nowMs,
    text: `:white_check_mark: Resolved: compliance breach on ${venue} (${open.rules.join(' and ') || 'a listing rule'}) cleared after ${took}.${restore ? ' Back to normal.' : ''}`,
  };
  return { state: s, ...(restore ? { setMode: { venueId: venue, mode: 'normal', reason } } : {}), alerts: [alert] };
}

/** Escalates every open breach past its verification deadline (once each). Not mutating. */
export function verifyRemediations(state: RemediationState, nowMs: number): RemediationResult {
  const s = clone(state);
  const alerts: AlertRequest[] = [];
  for (const venue of Object.keys(s.open).sort()) {
    const b = s.open[venue]!;
    if (b.escalated || nowMs < b.verifyByMs) continue;
    b.escalated = true;
    const reason = `COMPLIANCE_BREACH on ${venue} not cleared ${mins(nowMs - b.sinceMs)} after it was raised${b.mode ? ` (${b.mode} set)` : ''}: escalated, mode kept`;
    log(s, { at: nowMs, venueId: venue, breachId: b.breachId, action: 'escalate', ...(b.mode ? { mode: b.mode } : {}), reason });
    alerts.push({ venue, rule: breachRuleKey(b.rules), breachId: b.breachId, kind: 'escalated', at: nowMs, text: `:warning: Escalation: ${reason}. An operator should look at ${venue}.` });
  }
  return { state: s, alerts };
}

/**
 * Ends every hold that is due: back to normal where the venue still has the held mode (an operator's
 * change in between wins). Not mutating.
 */
export function releaseHolds(state: RemediationState, nowMs: number, modes: Record<string, string | undefined>): RemediationResult {
  const s = clone(state);
  const setModes: ModeChange[] = [];
  for (const venue of Object.keys(s.held ?? {}).sort()) {
    const h = s.held![venue]!;
    if (nowMs < h.untilMs) continue;
    delete s.held![venue];
    const restore = modes[venue] === h.mode;
    const reason = restore
      ? `${h.mode} held after the compliance breach on ${venue} cleared: back to normal`
      : `hold of ${h.mode} on ${venue} ended: mode ${modes[venue] ?? 'normal'} left as it is (changed during the hold)`;
    log(s, { at: nowMs, venueId: venue, breachId: h.breachId, action: restore ? 'restore-normal' : 'keep-mode', ...(restore ? { mode: 'normal' } : {}), reason });
    if (restore) setModes.push({ venueId: venue, mode: 'normal', reason });
  }
  return { state: s, ...(setModes.length ? { setModes } : {}), alerts: [] };
}

/** When verifyRemediations or releaseHolds has something to do next; undefined when nothing waits. */
export function nextVerificationAt(state: RemediationState): number | undefined {
  const due = [...Object.values(state.open).filter((b) => !b.escalated).map((b) => b.verifyByMs), ...Object.values(state.held ?? {}).map((h) => h.untilMs)];
  return due.length ? Math.min(...due) : undefined;
}
