// The coordinator's compliance remediation (domain/treasury/compliance-remediation.ts) and the alert
// activity's payload and de-duplication (activities/alerts.activities.ts, memory store, local receiver).
import { createServer, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import pino from 'pino';
import { createAlertActivities, slackPayload } from '../../activities/alerts.activities';
import { MemoryLedgerStore } from '../../activities/ledger/memory-ledger';
import { loadConfig } from '../../config/load';
import { MarketState } from '../../domain/quoting/market-state';
import { ImbalanceMonitor } from '../../hotpath/imbalance-monitor';
import { observeImbalance, emptyDetectorState, DEFAULT_IMBALANCE_CONFIG, type ImbalanceEvent } from '../../domain/quoting/imbalance';
import {
  initialRemediationState,
  nextVerificationAt,
  onComplianceEvent,
  releaseHolds,
  remediationFor,
  verifyRemediations,
  type AlertRequest,
} from '../../domain/treasury/compliance-remediation';

const T0 = 1_000_000;
const P = { verifyWithinMs: 600_000 };
const raised = (venueId: string, rules?: ImbalanceEvent['rules'], at = T0): ImbalanceEvent => ({ type: 'raised', venueId, kind: 'COMPLIANCE_BREACH', value: 1, at, ...(rules ? { rules } : {}) });
const cleared = (venueId: string, at = T0): ImbalanceEvent => ({ type: 'cleared', venueId, kind: 'COMPLIANCE_BREACH', value: 0, at });

describe('remediation mapping', () => {
  it('depth (or an empty book) → deepen; spread alone → tighten; nothing reported → none', () => {
    expect(remediationFor(['depth'])).toBe('deepen');
    expect(remediationFor(['spread', 'depth'])).toBe('deepen');
    expect(remediationFor(['book'])).toBe('deepen');
    expect(remediationFor(['spread'])).toBe('tighten');
    expect(remediationFor([])).toBeUndefined();
  });

  it('a raise sets the mode on THAT venue and alerts once; a repeated raise does nothing; clearing restores normal and resolves', () => {
    const r1 = onComplianceEvent(initialRemediationState(), raised('bravo', ['spread']), 'normal', T0, P);
    expect(r1.setMode).toEqual({ venueId: 'bravo', mode: 'tighten', reason: expect.stringContaining('tighten') });
    expect(r1.alerts).toEqual([expect.objectContaining({ venue: 'bravo', rule: 'spread', breachId: `bravo:${T0}`, kind: 'raised' })]);
    expect(r1.state.open.bravo).toMatchObject({ mode: 'tighten', verifyByMs: T0 + P.verifyWithinMs, escalated: false });
    const again = onComplianceEvent(r1.state, raised('bravo', ['spread'], T0 + 5), 'tighten', T0 + 5, P);
    expect(again).toEqual({ state: r1.state, alerts: [] });
    const r2 = onComplianceEvent(r1.state, cleared('bravo', T0 + 60_000), 'tighten', T0 + 60_000, P);
    expect(r2.setMode).toMatchObject({ venueId: 'bravo', mode: 'normal' });
    expect(r2.alerts).toEqual([expect.objectContaining({ venue: 'bravo', rule: 'spread', breachId: `bravo:${T0}`, kind: 'resolved' })]);
    expect(r2.state.open).toEqual({});
    expect(r2.state.log.map((l) => l.action)).toEqual(['set-mode', 'restore-normal']);
    // A second clear (resend) says nothing.
    expect(onComplianceEvent(r2.state, cleared('bravo'), 'normal', T0 + 61_000, P)).toEqual({ state: r2.state, alerts: [] });
  });

  it('never overrides paused / withdraw-only, and leaves an operator\'s later mode alone on clear', () => {
    const held = onComplianceEvent(initialRemediationState(), raised('alpha', ['depth']), 'withdraw-only', T0, P);
    expect(held.setMode).toBeUndefined();
    expect(held.state.log[0]).toMatchObject({ action: 'hold-mode' });
    expect(held.alerts[0]!.text).toContain('withdraw-only');
    expect(onComplianceEvent(held.state, cleared('alpha'), 'withdraw-only', T0 + 1, P).setMode).toBeUndefined();

    const set = onComplianceEvent(initialRemediationState(), raised('alpha', ['depth']), undefined, T0, P);
    expect(set.setMode?.mode).toBe('deepen');
    // An operator paused alpha during the breach: clearing must not un-pause it.
    const clear = onComplianceEvent(set.state, cleared('alpha'), 'paused', T0 + 1, P);
    expect(clear.setMode).toBeUndefined();
    expect(clear.alerts.map((a) => a.kind)).toEqual(['resolved']);
  });

  it('verification: an open breach past verifyWithin is escalated once (decision + alert), the mode kept', () => {
    const r = onComplianceEvent(initialRemediationState(), raised('charlie', ['depth']), 'normal', T0, P);
    expect(nextVerificationAt(r.state)).toBe(T0 + P.verifyWithinMs);
    expect(verifyRemediations(r.state, T0 + P.verifyWithinMs - 1).alerts).toEqual([]);
    const e = verifyRemediations(r.state, T0 + P.verifyWithinMs);
    expect(e.setMode).toBeUndefined();
    expect(e.alerts).toEqual([expect.objectContaining({ venue: 'charlie', kind: 'escalated', breachId: `charlie:${T0}`, rule: 'depth' })]);
    expect(e.state.open.charlie).toMatchObject({ escalated: true, mode: 'deepen' });
    expect(e.state.log.at(-1)).toMatchObject({ action: 'escalate', mode: 'deepen' });
    expect(nextVerificationAt(e.state)).toBeUndefined();
    expect(verifyRemediations(e.state, T0 + 10 * P.verifyWithinMs).alerts).toEqual([]);
  });

  it('hold after clear: the mode stays, a breach back within the hold finds it in force, and normal returns only when the hold ends', () => {
    const H = { ...P, holdAfterClearMs: 900_000 };
    const up = onComplianceEvent(initialRemediationState(), raised('alpha', ['depth']), 'normal', T0, H);
    expect(up.setMode).toMatchObject({ venueId: 'alpha', mode: 'deepen' });
    // Cleared: resolved, but no mode change; the hold is a wake-up.
    const clear = onComplianceEvent(up.state, cleared('alpha', T0 + 60_000), 'deepen', T0 + 60_000, H);
    expect(clear.setMode).toBeUndefined();
    expect(clear.alerts).toEqual([expect.objectContaining({ kind: 'resolved', breachId: `alpha:${T0}` })]);
    expect(clear.alerts[0]!.text).toContain('deepen held 15 min, then normal');
    expect(clear.state.held?.alpha).toEqual({ breachId: `alpha:${T0}`, rules: ['depth'], mode: 'deepen', untilMs: T0 + 960_000 });
    expect(nextVerificationAt(clear.state)).toBe(T0 + 960_000);
    expect(releaseHolds(clear.state, T0 + 959_999, { alpha: 'deepen' }).setModes).toBeUndefined();
    // Back within the hold: a new breach, deepen kept (nothing to set), alerted.
    const back = onComplianceEvent(clear.state, raised('alpha', ['depth'], T0 + 120_000), 'deepen', T0 + 120_000, H);
    expect(back.setMode).toBeUndefined();
    expect(back.state.held?.alpha).toBeUndefined();
    expect(back.state.open.alpha).toMatchObject({ breachId: `alpha:${T0 + 120_000}`, mode: 'deepen', escalated: false });
    expect(back.state.log.at(-1)).toMatchObject({ action: 'keep-mode', mode: 'deepen' });
    expect(back.alerts).toEqual([expect.objectContaining({ kind: 'raised', breachId: `alpha:${T0 + 120_000}` })]);
    // That one clears too; when its hold ends, normal.
    const clear2 = onComplianceEvent(back.state, cleared('alpha', T0 + 180_000), 'deepen', T0 + 180_000, H);
    const end = releaseHolds(clear2.state, T0 + 180_000 + 900_000, { alpha: 'deepen' });
    expect(end.setModes).toEqual([expect.objectContaining({ venueId: 'alpha', mode: 'normal' })]);
    expect(end.state.held).toEqual({});
    expect(end.state.log.at(-1)).toMatchObject({ action: 'restore-normal', mode: 'normal' });
    expect(nextVerificationAt(end.state)).toBeUndefined();
    // An operator's change during the hold wins: the hold ends without touching the mode.
    const changed = releaseHolds(clear.state, T0 + 960_000, { alpha: 'paused' });
    expect(changed.setModes).toBeUndefined();
    expect(changed.state.log.at(-1)).toMatchObject({ action: 'keep-mode' });
    // After the hold, a new breach is remediated from scratch (a mode to set).
    expect(onComplianceEvent(end.state, raised('alpha', ['spread'], T0 + 2_000_000), 'normal', T0 + 2_000_000, H).setMode).toMatchObject({ mode: 'tighten' });
    // Without a hold (older runs): normal at once.
    expect(onComplianceEvent(up.state, cleared('alpha'), 'deepen', T0 + 1, P).setMode).toMatchObject({ mode: 'normal' });
  });
});

describe('the imbalance detector carries the failed rules on a raise (additive)', () => {
  it('raised COMPLIANCE_BREACH names the rules of the observation that raised it; cleared has none', () => {
    const cfg = { ...DEFAULT_IMBALANCE_CONFIG, COMPLIANCE_BREACH: { enter: 1, exit: 0.5, minDurationMs: 0, cooldownMs: 0 } };
    const a = observeImbalance(emptyDetectorState(), { now: 1, venueId: 'bravo', kind: 'COMPLIANCE_BREACH', value: 1, rules: ['depth'] }, cfg);
    expect(a.events).toEqual([{ type: 'raised', venueId: 'bravo', kind: 'COMPLIANCE_BREACH', value: 1, at: 1, rules: ['depth'] }]);
    const b = observeImbalance(a.state, { now: 2, venueId: 'bravo', kind: 'COMPLIANCE_BREACH', value: 0 }, cfg);
    expect(b.events).toEqual([{ type: 'cleared', venueId: 'bravo', kind: 'COMPLIANCE_BREACH', value: 0, at: 2 }]);
  });
});

describe('ImbalanceMonitor: a COMPLIANCE_BREACH observation names the failed rules', () => {
  const REQ = { maxSpreadPct: '0.5', minDepthQuote: '50000', depthBandPct: '2', minVolume24hQuote: '0' };
  const observe = (bid: string, ask: string, amount: string) => {
    const market = new MarketState();
    market.register('bravo', 'cex', '0.001');
    market.updateBook('bravo', { venue: 'bravo', market: 'BLST/USDT', timestamp: 0, bids: [{ price: bid, amount }], asks: [{ price: ask, amount }] }, 0);
    const monitor = new ImbalanceMonitor(market, async () => undefined, { venues: [{ venueId: 'bravo', targetInventory: '0', requirements: REQ }] });
    return monitor.observe(1000).find((o) => o.kind === 'COMPLIANCE_BREACH');
  };
  it('spread only → [spread]; thin → [depth]; both → [spread, depth]; compliant → no rules', () => {
    expect(observe('0.49', '0.51', '200000')).toMatchObject({ value: 1, rules: ['spread'] });
    expect(observe('0.499', '0.5005', '1000')).toMatchObject({ value: 1, rules: ['depth'] });
    expect(observe('0.49', '0.51', '1000')).toMatchObject({ value: 1, rules: ['spread', 'depth'] });
    const calm = observe('0.499', '0.5005', '200000');
    expect(calm).toMatchObject({ value: 0 });
    expect(calm?.rules).toBeUndefined();
  });
});

describe('sendComplianceAlert', () => {
  const alert: AlertRequest = { venue: 'bravo', rule: 'spread', breachId: 'bravo:1', kind: 'raised', text: 'breach on bravo', at: Date.UTC(2026, 11, 3) };

  it('payload: Slack-compatible { text, blocks } with the key in the context block', () => {
    const p = slackPayload(alert);
    expect(p.text).toBe('breach on bravo');
    expect(p.blocks).toEqual([
      { type: 'section', text: { type: 'mrkdwn', text: 'breach on bravo' } },
      { type: 'context', elements: [{ type: 'mrkdwn', text: 'venue *bravo* · rule spread · breach bravo:1 · raised · 2026-12-03T00:00:00.000Z' }] },
    ]);
  });

  it('posts once per key to a local receiver (a retry or second raise sends nothing); the URL never in the result or logs', async () => {
    const got: unknown[] = [];
    const server = createServer((req: IncomingMessage, res) => {
      let body = '';
      req.on('data', (c: Buffer) => (body += c.toString()));
      req.on('end', () => {
        got.push(JSON.parse(body));
        res.writeHead(200).end('ok');
      });
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/hooks/secret-token-123`;
    const lines: string[] = [];
    const logger = pino({ level: 'debug' }, { write: (l: string) => lines.push(l) });
    try {
      const config = loadConfig();
      const store = new MemoryLedgerStore();
      const acts = createAlertActivities({ config, store, env: { BALLAST_ALERT_WEBHOOK_URL: url }, logger, now: () => 5 });
      const outcomes = [await acts.sendComplianceAlert(alert), await acts.sendComplianceAlert(alert), await acts.sendComplianceAlert({ ...alert, at: alert.at + 9 })];
      expect(outcomes).toEqual([{ sent: true, via: 'webhook' }, { sent: false, duplicate: true }, { sent: false, duplicate: true }]);
      expect(await acts.sendComplianceAlert({ ...alert, kind: 'resolved', text: 'resolved bravo' })).toEqual({ sent: true, via: 'webhook' });
      expect(got).toEqual([slackPayload(alert), slackPayload({ ...alert, kind: 'resolved', text: 'resolved bravo' })]);
      expect(lines.join('')).not.toContain('secret-token-123');
      expect(JSON.stringify(await store.alerts())).not.toContain('secret-token-123');
      // Without a webhook: logged, and still de-duplicated.
      const logOnly = createAlertActivities({ config, store: new MemoryLedgerStore(), env: {}, logger, now: () => 5 });
      expect([await logOnly.sendComplianceAlert(alert), await logOnly.sendComplianceAlert(alert)]).toEqual([{ sent: true, via: 'log' }, { sent: false, duplicate: true }]);
    } finally {
      await new Promise((r) => server.close(r));
    }
  });

  it('a webhook answering 500 fails retryably and is not marked sent (the retry sends it)', async () => {
    let calls = 0;
    const server = createServer((req, res) => {
      req.resume();
      req.on('end', () => res.writeHead(++calls === 1 ? 500 : 200).end());
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    try {
      const config = loadConfig();
      const acts = createAlertActivities({ config, store: new MemoryLedgerStore(), env: { BALLAST_ALERT_WEBHOOK_URL: `http://127.0.0.1:${(server.address() as AddressInfo).port}/` }, logger: pino({ level: 'silent' }), now: () => 5 });
      await expect(acts.sendComplianceAlert(alert)).rejects.toMatchObject({ type: 'ALERT.WEBHOOK_REJECTED', nonRetryable: false });
      expect(await acts.sendComplianceAlert(alert)).toEqual({ sent: true, via: 'webhook' });
      expect(calls).toBe(2);
    } finally {
      await new Promise((r) => server.close(r));
    }
  });
});
