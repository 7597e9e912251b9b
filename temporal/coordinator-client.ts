// The quoting worker's link to the durable plane: imbalance events go to the asset's liquidityCoordinator
// (started by the quoting worker at start-up, else on first use with signalWithStart), and the per-venue operating modes come back through its
// `modes` query (with the operators' kill-switch resets: `quotingControls`). Nothing here throws on the
// hot path: failures are logged; `readControls` says when the coordinator could not be read, so the
// quoting side can fail safe (hotpath/mode-source.ts PolledModeSource).
import { WorkflowExecutionAlreadyStartedError, WorkflowNotFoundError, type Client } from '@temporalio/client';
import type { Logger } from 'pino';
import type { ImbalanceEvent } from '../domain/quoting/imbalance';
import type { PolledModeSource } from '../hotpath/mode-source';
import {
  coordinatorWorkflowId,
  imbalanceSignal,
  killSwitchTripSignal,
  type KillSwitchTripReport,
  liquidityCoordinator,
  modesQuery,
  quotingControlsQuery,
  type QuotingControls,
  type VenueMode,
  type VenueModeEntry,
} from '../workflows/liquidity-coordinator.workflow';

export type VenueModes = Record<string, VenueModeEntry>;

/** A venue nobody has set a mode for quotes normally. */
export const modeOf = (modes: VenueModes, venueId: string): VenueMode => modes[venueId]?.mode ?? 'normal';

export interface CoordinatorClientOptions {
  client: Client;
  taskQueue: string;
  asset: string;
  logger: Logger;
  /** Deadline for the `modes` query; a slow server must not stall quoting. */
  queryTimeoutMs?: number;
  /** Start input: how long a compliance breach may stay open before escalation (config compliance.verifyWithin). */
  complianceVerifyWithinMs?: number;
  /** Start input: how long deepen / tighten stays after a breach cleared (config compliance.holdAfterClear). */
  complianceHoldAfterClearMs?: number;
}

export class CoordinatorClient {
  readonly workflowId: string;
  private lastModes: VenueModes = {};
  private readonly queryTimeoutMs: number;

  constructor(private readonly opts: CoordinatorClientOptions) {
    this.workflowId = coordinatorWorkflowId(opts.asset);
    this.queryTimeoutMs = opts.queryTimeoutMs ?? 300;
  }

  private startInput() {
    const o = this.opts;
    return {
      asset: o.asset,
      ...(o.complianceVerifyWithinMs !== undefined ? { complianceVerifyWithinMs: o.complianceVerifyWithinMs } : {}),
      ...(o.complianceHoldAfterClearMs !== undefined ? { complianceHoldAfterClearMs: o.complianceHoldAfterClearMs } : {}),
    };
  }

  /** Signals the coordinator, starting it if needed. Returns false (and logs) when Temporal refused. */
  async signalImbalance(event: ImbalanceEvent): Promise<boolean> {
    try {
      await this.opts.client.workflow.signalWithStart(liquidityCoordinator, {
        workflowId: this.workflowId,
        taskQueue: this.opts.taskQueue,
        args: [this.startInput()],
        signal: imbalanceSignal,
        signalArgs: [event],
      });
      return true;
    } catch (err) {
      this.opts.logger.warn({ err, workflowId: this.workflowId, venue: event.venueId, kind: event.kind }, 'imbalance signal failed');
      return false;
    }
  }

  /**
   * Reports a kill-switch trip to the coordinator (starting it if needed), where it is kept in state
   * and history. Returns false (and logs) when Temporal refused: the trip still halts quoting.
   */
  async signalKillSwitchTrip(trip: KillSwitchTripReport): Promise<boolean> {
    try {
      await this.opts.client.workflow.signalWithStart(liquidityCoordinator, {
        workflowId: this.workflowId,
        taskQueue: this.opts.taskQueue,
        args: [this.startInput()],
        signal: killSwitchTripSignal,
        signalArgs: [trip],
      });
      return true;
    } catch (err) {
      this.opts.logger.warn({ err, workflowId: this.workflowId, venue: trip.venueId ?? 'all', reason: trip.reason }, 'kill-switch trip signal failed');
      return false;
    }
  }

  /** The coordinator's modes, or the last known ones when the query fails or times out. */
  async fetchModes(): Promise<VenueModes> {
    try {
      const handle = this.opts.client.workflow.getHandle(this.workflowId);
      this.lastModes = await this.opts.client.withDeadline(Date.now() + this.queryTimeoutMs, () => handle.query(modesQuery));
    } catch (err) {
      // Before the first imbalance there is no coordinator yet: every venue is in its default mode.
      if (err instanceof WorkflowNotFoundError) this.opts.logger.debug({ workflowId: this.workflowId }, 'no coordinator yet; default modes');
      else this.opts.logger.warn({ err, workflowId: this.workflowId }, 'modes query failed; keeping the last known modes');
    }
    return this.lastModes;
  }

  /**
   * The modes and kill-switch resets, or undefined when the coordinator could not be read (query
   * failed or timed out). No coordinator yet is an answer: every venue in its default mode.
   */
  async readControls(): Promise<QuotingControls | undefined> {
    try {
      const handle = this.opts.client.workflow.getHandle(this.workflowId);
      const c = await this.opts.client.withDeadline(Date.now() + this.queryTimeoutMs, () => handle.query(quotingControlsQuery));
      this.lastModes = c.modes;
      return c;
    } catch (err) {
      if (err instanceof WorkflowNotFoundError) {
        this.lastModes = {};
        return { modes: {}, killSwitchResets: [] };
      }
      // Every 500 ms while it lasts: the caller logs the outage once (quotingControlsHandlers).
      this.opts.logger.debug({ err: err instanceof Error ? err.message : String(err), workflowId: this.workflowId }, 'quoting controls query failed');
      return undefined;
    }
  }

  knownModes(): VenueModes {
    return this.lastModes;
  }

  /**
   * Starts the coordinator on this deployment's task queue unless one is running (what the first
   * imbalance's signalWithStart would do, done at start-up). Without it, the modes query would go to the
   * last closed run, which only a worker on that run's task queue can answer: one terminated under an
   * earlier deployment's queue would keep every quote pulled until the next imbalance. Returns whether
   * this call started it; false (and logs) when one was running already or Temporal refused.
   */
  async ensureRunning(): Promise<boolean> {
    try {
      await this.opts.client.workflow.start(liquidityCoordinator, { workflowId: this.workflowId, taskQueue: this.opts.taskQueue, args: [this.startInput()] });
      this.opts.logger.info({ workflowId: this.workflowId, taskQueue: this.opts.taskQueue }, 'coordinator started');
      return true;
    } catch (err) {
      if (!(err instanceof WorkflowExecutionAlreadyStartedError)) this.opts.logger.warn({ err, workflowId: this.workflowId }, 'coordinator could not be started; the first imbalance signal starts it');
      return false;
    }
  }

  /**
   * Why the coordinator cannot be read, when Temporal can say: a coordinator running on another task
   * queue (left by an earlier deployment under a different `temporal.taskQueue`) is never answered by
   * this deployment's worker, and every query of it times out. Undefined when no cause is found.
   */
  async diagnose(): Promise<string | undefined> {
    try {
      const d = await this.opts.client.workflow.getHandle(this.workflowId).describe();
      if (d.status.name === 'RUNNING' && d.taskQueue !== this.opts.taskQueue)
        return (
          `${this.workflowId} is running on task queue "${d.taskQueue}", but this deployment's worker polls "${this.opts.taskQueue}": ` +
          `nothing answers its queries. Terminate it (temporal workflow terminate --workflow-id ${this.workflowId}) and restart the ` +
          `quoting worker, which starts a new one on "${this.opts.taskQueue}"; set again any operating mode an operator had set on the old one.`
        );
      return undefined;
    } catch {
      return undefined;
    }
  }
}

/**
 * A poll loop of chained timeouts, not setInterval: a slow query never overlaps the next one.
 * Subclasses say what one poll does.
 */
abstract class ChainedPoller<T> {
  private timer: NodeJS.Timeout | undefined;
  private running = false;

  protected constructor(private readonly intervalMs: number) {}

  start(): void {
    if (this.running) return;
    this.running = true;
    this.schedule(0);
  }

  stop(): void {
    this.running = false;
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
  }

  /** One poll; exposed so callers (and tests) can force a refresh. */
  abstract pollOnce(): Promise<T>;

  private schedule(delayMs: number): void {
    this.timer = setTimeout(() => {
      void this.pollOnce().finally(() => {
        if (this.running) this.schedule(this.intervalMs);
      });
    }, delayMs);
  }
}

/** Polls the modes (default every 500 ms) and calls `onChange` when they differ from the last poll. */
export class ModePoller extends ChainedPoller<void> {
  private lastJson = JSON.stringify({});

  constructor(
    private readonly source: Pick<CoordinatorClient, 'fetchModes'>,
    private readonly onChange: (modes: VenueModes) => void,
    intervalMs = 500,
  ) {
    super(intervalMs);
  }

  async pollOnce(): Promise<void> {
    const modes = await this.source.fetchModes();
    const json = JSON.stringify(modes);
    if (json === this.lastJson) return;
    this.lastJson = json;
    this.onChange(modes);
  }
}

/**
 * Polls the quoting controls (default every 500 ms): `onRead` after every successful read (the
 * caller stamps its mode source with it), `onFailure` after every failed one.
 */
export class ControlsPoller extends ChainedPoller<boolean> {
  constructor(
    private readonly source: Pick<CoordinatorClient, 'readControls'>,
    private readonly handlers: { onRead: (c: QuotingControls) => void; onFailure?: () => void },
    intervalMs = 500,
  ) {
    super(intervalMs);
  }

  /** True if the controls were read. */
  async pollOnce(): Promise<boolean> {
    const c = await this.source.readControls();
    if (c === undefined) this.handlers.onFailure?.();
    else this.handlers.onRead(c);
    return c !== undefined;
  }
}

/**
 * What the quoting worker does with each read: stamps its mode source with the modes (every venue it
 * quotes) and clears a kill-switch latch once per operator reset. Resets already recorded at the first
 * read belong to earlier runs (this run's latch starts clear) and are not applied.
 */
export function quotingControlsHandlers(o: {
  modes: PolledModeSource;
  venueIds: readonly string[];
  resetKillSwitch: (venueId?: string) => void;
  now: () => number;
  logger: Logger;
  /** Looked up once per outage and logged as an error when it finds a cause (CoordinatorClient.diagnose). */
  diagnose?: () => Promise<string | undefined>;
}): { onRead: (c: QuotingControls) => void; onFailure: () => void } {
  let appliedSeq: number | undefined;
  let lastModes = '';
  let failing = false;
  return {
    onRead: (c) => {
      const modes = Object.fromEntries(o.venueIds.map((v) => [v, modeOf(c.modes, v)]));
      o.modes.update(modes, o.now());
      const json = JSON.stringify(modes);
      if (json !== lastModes || failing) o.logger.info({ modes }, failing ? 'operating modes readable again' : 'operating modes changed');
      lastModes = json;
      failing = false;
      const latest = c.killSwitchResets.reduce((m, r) => Math.max(m, r.seq), 0);
      if (appliedSeq !== undefined) {
        for (const r of c.killSwitchResets) {
          if (r.seq <= appliedSeq) continue;
          o.logger.warn({ venue: r.venueId ?? 'all', requestedBy: r.requestedBy, reason: r.reason, seq: r.seq }, 'kill switch reset by an operator');
          o.resetKillSwitch(r.venueId);
        }
      }
      appliedSeq = Math.max(appliedSeq ?? 0, latest);
    },
    onFailure: () => {
      if (!failing) {
        o.logger.warn({ lastReadAt: o.modes.lastReadAt() }, 'operating modes unreadable (coordinator query failing); quotes are pulled past quoting.modesMaxAgeMs');
        void o
          .diagnose?.()
          .then((cause) => cause && o.logger.error({ cause }, 'operating modes unreadable: coordinator on another task queue'))
          .catch(() => undefined);
      }
      failing = true;
    },
  };
}
