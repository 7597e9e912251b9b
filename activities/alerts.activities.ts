// Compliance alerts to a Slack-compatible webhook (`{ text, blocks }`). The URL is a secret: it is read
// from the environment variable named by config `compliance.alerts.webhookUrlEnv` when the worker
// starts and never enters a payload, a history or a log line. De-duplicated durably by (venue, rule,
// breach id, kind) in the ledger database: a retried activity or a second raise of an open breach sends
// nothing new once the first delivery is recorded. Without a webhook, alerts are logged (and recorded).
import type { Logger } from 'pino';
import { z } from 'zod';
import type { BallastConfig } from '../domain/config.schema';
import { DomainError, parseOrThrow } from '../domain/errors';
import type { AlertRequest } from '../domain/treasury/compliance-remediation';
import type { ComplianceHistoryStore } from './compliance-history-store';
import { withDomainErrors } from './boundary';

export interface AlertActivityDeps {
  config: BallastConfig;
  /** Durable de-duplication; without it (no ledger database) every alert is only logged. */
  store?: Pick<ComplianceHistoryStore, 'claimAlert' | 'markAlertSent'>;
  env: Record<string, string | undefined>;
  logger: Logger;
  now: () => number;
  fetch?: typeof fetch;
}

const AlertArg = z
  .object({
    venue: z.string().min(1),
    rule: z.string().min(1),
    breachId: z.string().min(1),
    kind: z.enum(['raised', 'resolved', 'escalated']),
    text: z.string().min(1).max(2_000),
    at: z.number().int(),
  })
  .strict();

/** The Slack-compatible body: `text` (the fallback every receiver shows) and one section block. */
export function slackPayload(a: AlertRequest): { text: string; blocks: unknown[] } {
  return {
    text: a.text,
    blocks: [
      { type: 'section', text: { type: 'mrkdwn', text: a.text } },
      { type: 'context', elements: [{ type: 'mrkdwn', text: `venue *${a.venue}* · rule ${a.rule} · breach ${a.breachId} · ${a.kind} · ${new Date(a.at).toISOString()}` }] },
    ],
  };
}

export type AlertOutcome = { sent: true; via: 'webhook' | 'log' } | { sent: false; duplicate: true };

export function createAlertActivities(deps: AlertActivityDeps) {
  const url = deps.env[deps.config.compliance.alerts.webhookUrlEnv]?.trim() || undefined;
  const doFetch = deps.fetch ?? fetch;
  return withDomainErrors({
    /** Sends one alert unless its key was delivered already. */
    async sendComplianceAlert(arg: AlertRequest): Promise<AlertOutcome> {
      const a = parseOrThrow(AlertArg, arg, 'sendComplianceAlert argument');
      const key = { venue: a.venue, rule: a.rule, breachId: a.breachId, kind: a.kind };
      const log = deps.logger.child({ venue: a.venue, rule: a.rule, breachId: a.breachId, kind: a.kind });
      const store = deps.store;
      if (!store) {
        log.warn({ text: a.text }, 'compliance alert (no ledger database: logged only, not de-duplicated)');
        return { sent: true, via: 'log' };
      }
      const { alert } = await store.claimAlert(key, a.at, a.text);
      if (alert.sentAt !== undefined) return { sent: false, duplicate: true };
      if (!url) {
        log.warn({ text: a.text }, 'compliance alert (no webhook configured: logged only)');
        await store.markAlertSent(key, deps.now());
        return { sent: true, via: 'log' };
      }
      let status: number;
      try {
        const r = await doFetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(slackPayload(a)), signal: AbortSignal.timeout(10_000) });
        status = r.status;
      } catch (e) {
        // The URL is left out of the message: it is a secret.
        throw new DomainError('ALERT.WEBHOOK_UNREACHABLE', `alert webhook unreachable: ${(e as Error).name}`, false);
      }
      if (status < 200 || status >= 300) throw new DomainError('ALERT.WEBHOOK_REJECTED', `alert webhook answered HTTP ${status}`, !(status >= 500 || status === 429));
      await store.markAlertSent(key, deps.now());
      log.info('compliance alert sent');
      return { sent: true, via: 'webhook' };
    },
  });
}

export type AlertActivities = ReturnType<typeof createAlertActivities>;
