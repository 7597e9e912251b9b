// Where the dashboard reads its figures. Each source is read on its own interval with its own
// deadline, and fails alone: the collector marks it unavailable and the snapshot carries null there.
import { Client, WorkflowNotFoundError, type Connection } from '@temporalio/client';
import type { DataConverter } from '@temporalio/common';
import { z } from 'zod';
import type { BallastConfig } from '../../domain/config.schema';
import { openReservations } from '../../domain/treasury/rebalance-inputs';
import { coordinatorWorkflowId, stateQuery, type CoordinatorState } from '../../workflows/liquidity-coordinator.workflow';
import { workflowUiUrl, type InFlightEntry, type VenueComplianceHistory } from './assemble';
import type { SourceName, WorkflowLink } from './model';
import { parsePromText, type PromSamples } from './prom-text';

export interface Source<T> {
  name: SourceName;
  /** False: this deployment has no such source (the snapshot says so; nothing is read). */
  configured: boolean;
  everyMs: number;
  read(): Promise<T>;
}

/** The ledger rows the dashboard reads (activities/ledger/pg-ledger.ts PgLedgerStore.entriesOfOpenReservations). */
export interface LedgerLine {
  workflowId: string;
  kind: 'reservation' | 'release' | 'transfer' | 'fee' | 'suspense' | 'reversal' | 'trade' | 'execution';
  asset: string;
  amount: string;
  amountUsd: string;
  from?: string;
  to?: string;
  at: number;
}

export interface SourceDeps {
  config: BallastConfig;
  /** The API's Temporal connection (lazily re-established). */
  connection?: () => Promise<Connection>;
  dataConverter?: DataConverter;
  ledger?: { entriesOfOpenReservations(): Promise<LedgerLine[]> };
  /** Uptime and breaches per venue (the compliance time series), when there is one. */
  compliance?: (now: number) => Promise<Record<string, VenueComplianceHistory>>;
  /** Overrides of the workers' /metrics URLs (tests binding port 0). */
  metricsUrls?: { quoting?: string; worker?: string };
  now?: () => number;
}

export interface DashboardSources {
  quotingMetrics: Source<PromSamples>;
  workerMetrics: Source<PromSamples>;
  market: Source<Record<string, number | null>>;
  coordinator: Source<CoordinatorState | null>;
  visibility: Source<WorkflowLink[]>;
  ledger: Source<InFlightEntry[]>;
  compliance: Source<Record<string, VenueComplianceHistory>>;
}

/** Types of the workflows shown as running operations (treasury and price action). */
export const OPERATION_TYPES = ['fundTransfer', 'withdrawal', 'rebalance', 'buyback', 'liquidation', 'venueRisk'] as const;

const loopback = (host: string) => (host === '0.0.0.0' || host === '::' ? '127.0.0.1' : host);

/** The Temporal Web UI's base URL (config temporal.address host, temporal.uiPort). */
export function temporalUiBase(config: BallastConfig): string {
  const host = loopback(config.temporal.address.split(':')[0] ?? '127.0.0.1');
  return `http://${host}:${config.temporal.uiPort}`;
}

async function getText(url: string, timeoutMs: number): Promise<string> {
  const r = await fetch(url, { signal: AbortSignal.timeout(timeoutMs) });
  if (!r.ok) throw new Error(`${url} answered ${r.status}`);
  return r.text();
}

const Volume = z.object({ volume24hQuote: z.string() });

export function dashboardSources(deps: SourceDeps, timeoutMs: number): DashboardSources {
  const { config } = deps;
  const mh = loopback(config.metrics.host);
  const quotingUrl = deps.metricsUrls?.quoting ?? (config.metrics.quotingPort > 0 ? `http://${mh}:${config.metrics.quotingPort}/metrics` : undefined);
  const workerUrl = deps.metricsUrls?.worker ?? (config.metrics.workerPort > 0 ? `http://${mh}:${config.metrics.workerPort}/metrics` : undefined);
  const sim = config.simulation;
  const marketUrl = sim ? `http://${loopback(sim.host)}:${sim.port}` : undefined;
  const ns = config.temporal.namespace;
  const ui = temporalUiBase(config);

  let client: { conn: Connection; client: Client } | undefined;
  const temporal = async (): Promise<Client> => {
    const conn = await deps.connection!();
    if (client?.conn !== conn) client = { conn, client: new Client({ connection: conn, namespace: ns, dataConverter: deps.dataConverter }) };
    return client.client;
  };

  return {
    quotingMetrics: { name: 'quotingMetrics', configured: quotingUrl !== undefined, everyMs: 0, read: async () => parsePromText(await getText(quotingUrl!, timeoutMs)) },
    workerMetrics: { name: 'workerMetrics', configured: workerUrl !== undefined, everyMs: 0, read: async () => parsePromText(await getText(workerUrl!, timeoutMs)) },
    market: {
      name: 'market',
      configured: marketUrl !== undefined,
      // 24 h volume moves slowly: every 5 s is plenty.
      everyMs: 5_000,
      read: async () => {
        const out: Record<string, number | null> = {};
        await Promise.all(
          config.venues.map(async (v) => {
            const r = await fetch(`${marketUrl}/venues/${v.id}/volume24h`, { signal: AbortSignal.timeout(timeoutMs) });
            if (r.status === 404) return void (out[v.id] = null);
            if (!r.ok) throw new Error(`market volume of ${v.id}: ${r.status}`);
            out[v.id] = Number(Volume.parse(await r.json()).volume24hQuote);
          }),
        );
        return out;
      },
    },
    coordinator: {
      name: 'coordinator',
      configured: deps.connection !== undefined,
      everyMs: 0,
      read: async () => {
        const c = await temporal();
        try {
          const h = c.workflow.getHandle(coordinatorWorkflowId(config.asset.symbol));
          return await c.withDeadline(Date.now() + timeoutMs, () => h.query(stateQuery));
        } catch (e) {
          // No imbalance has started the coordinator yet: nothing to show, not a failure.
          if (e instanceof WorkflowNotFoundError) return null;
          throw e;
        }
      },
    },
    visibility: {
      name: 'visibility',
      configured: deps.connection !== undefined,
      everyMs: 2_000,
      read: async () => {
        const c = await temporal();
        const types = OPERATION_TYPES.map((t) => `WorkflowType = '${t}'`).join(' OR ');
        const out: WorkflowLink[] = [];
        await c.withDeadline(Date.now() + timeoutMs, async () => {
          for await (const wf of c.workflow.list({ query: `ExecutionStatus = 'Running' AND (${types})`, pageSize: 50 })) {
            out.push({ type: wf.type, workflowId: wf.workflowId, runId: wf.runId, status: wf.status.name, startTime: wf.startTime.toISOString(), uiUrl: workflowUiUrl(ui, ns, wf.workflowId, wf.runId) });
            if (out.length >= 50) break;
          }
        });
        return out;
      },
    },
    ledger: {
      name: 'ledger',
      configured: deps.ledger !== undefined,
      everyMs: 2_000,
      read: async () => openReservations(await deps.ledger!.entriesOfOpenReservations()),
    },
    compliance: {
      name: 'compliance',
      configured: deps.compliance !== undefined,
      everyMs: 10_000,
      read: async () => deps.compliance!((deps.now ?? Date.now)()),
    },
  };
}
