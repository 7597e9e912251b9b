// Export and replay workflow histories: what auditors use to check that the current code makes the
// same decisions the recorded executions made.
import type { Client } from '@temporalio/client';
import { historyFromJSON, historyToJSON } from '@temporalio/common/lib/proto-utils';
import { Worker, type ReplayWorkerOptions } from '@temporalio/worker';

export interface ExportedHistory {
  workflowId: string;
  runId?: string;
  history: unknown;
}

/** The history as the Web UI and `temporal workflow show --output json` write it. */
export async function exportHistory(client: Client, workflowId: string, runId?: string): Promise<string> {
  const history = await client.workflow.getHandle(workflowId, runId).fetchHistory();
  return historyToJSON(history);
}

export interface ReplayOutcome {
  workflowId: string;
  deterministic: boolean;
  error?: string;
}

/**
 * Encrypted histories need the codec: pass `dataConverter: ballastDataConverter(env)`
 * (temporal/data-converter.ts) in `options`; unencrypted payloads pass through it unchanged.
 */
export async function replayHistories(
  options: ReplayWorkerOptions,
  histories: { workflowId: string; json: unknown }[],
): Promise<ReplayOutcome[]> {
  const outcomes: ReplayOutcome[] = [];
  const input = histories.map((h) => ({ workflowId: h.workflowId, history: historyFromJSON(h.json) }));
  for await (const r of Worker.runReplayHistories(options, input)) {
    outcomes.push({ workflowId: r.workflowId, deterministic: r.error === undefined, ...(r.error ? { error: String(r.error) } : {}) });
  }
  return outcomes;
}

/**
 * Replay needs each history's original workflow id (a workflow that derives child ids or idempotency
 * keys from it makes different commands under another id). Exported files keep it in a manifest,
 * `workflow-ids.json` beside them: { "<file>.json": "<workflowId>" }. Files not listed replay under their name.
 */
export const WORKFLOW_IDS_MANIFEST = 'workflow-ids.json';

export function readWorkflowIds(dir: string, read: (path: string) => string | undefined): Record<string, string> {
  const text = read(`${dir}/${WORKFLOW_IDS_MANIFEST}`);
  return text === undefined ? {} : (JSON.parse(text) as Record<string, string>);
}
