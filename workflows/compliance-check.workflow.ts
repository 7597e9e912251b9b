// complianceCheck: measures one venue's book against its listing requirements (spread, depth within
// ±1/2/5 %, 24 h volume) and returns the verdict. Runs on a schedule per venue, or from the Web UI.
import { patched, proxyActivities, upsertSearchAttributes, workflowInfo } from '@temporalio/workflow';
import { z } from 'zod';
import type { ComplianceActivities } from '../activities/compliance.activities';
import type { ComplianceWindows } from '../domain/compliance-history';
import {
  bandsFor,
  computeBookMetrics,
  evaluateCompliance,
  type BookMetrics,
  type ComplianceCheckItem,
  type VenueRequirements,
} from '../domain/compliance';
import { SA_ASSET, SA_OPERATION, SA_REQUESTER, SA_VENUE } from './search-attributes';
import { validateWorkflowInput } from './validate';

export const ComplianceCheckInputSchema = z
  .object({
    venue: z.string().min(1, 'expected a venue id, e.g. "alpha"'),
    requester: z.string().min(1).default('schedule'),
  })
  .strict();
export type ComplianceCheckInput = z.input<typeof ComplianceCheckInputSchema>;

export interface ComplianceCheckResult {
  venue: string;
  market: string;
  /** Venue time of the measured book, ISO 8601. */
  asOf: string;
  compliant: boolean;
  checks: ComplianceCheckItem[];
  metrics: BookMetrics;
  volume24hQuote: string;
  requirements: VenueRequirements;
  /** The rolling windows (24 h / 7 d uptime, ADV 15 d) at the time of the check; absent without a history store and in runs recorded before them. */
  windows?: ComplianceWindows;
  /** Why the windows could not be recorded (the history store failed after its retries). */
  windowsError?: string;
}

const acts = proxyActivities<ComplianceActivities>({
  startToCloseTimeout: '15s',
  retry: { initialInterval: '1s', backoffCoefficient: 2, maximumInterval: '20s', maximumAttempts: 5 },
});

export async function complianceCheck(rawInput: ComplianceCheckInput): Promise<ComplianceCheckResult> {
  const input = validateWorkflowInput(ComplianceCheckInputSchema, rawInput, 'complianceCheck');
  upsertSearchAttributes([
    { key: SA_OPERATION, value: 'complianceCheck' },
    { key: SA_VENUE, value: input.venue },
    { key: SA_REQUESTER, value: input.requester },
  ]);

  const profile = await acts.loadVenueProfile({ venue: input.venue });
  upsertSearchAttributes([{ key: SA_ASSET, value: profile.asset }]);

  const snapshot = await acts.fetchComplianceSnapshot({ venue: input.venue });
  const metrics = computeBookMetrics(snapshot.book, bandsFor(profile.requirements));
  const verdict = evaluateCompliance(metrics, snapshot.volume24hQuote, profile.requirements);
  // Runs recorded before compliance history returned the point-in-time verdict only.
  let windows: ComplianceWindows | undefined;
  let windowsError: string | undefined;
  if (patched('compliance-windows')) {
    const { workflowId, runId } = workflowInfo();
    // The verdict stands without its history: a ledger database down after the retries is reported, not fatal.
    try {
      const r = await acts.recordComplianceWindows({ venue: profile.venue, checkId: `${workflowId}:${runId}`, compliant: verdict.compliant, checks: verdict.checks });
      windows = r.windows;
    } catch (e) {
      windowsError = e instanceof Error ? e.message : String(e);
    }
  }

  return {
    venue: profile.venue,
    market: profile.market,
    asOf: new Date(snapshot.book.timestamp).toISOString(),
    compliant: verdict.compliant,
    checks: verdict.checks,
    metrics,
    volume24hQuote: snapshot.volume24hQuote,
    requirements: profile.requirements,
    ...(windows ? { windows } : {}),
    ...(windowsError !== undefined ? { windowsError } : {}),
  };
}
