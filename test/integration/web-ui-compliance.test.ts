// The Temporal Web UI as an operator uses it, in Debian's chromium: start `complianceCheck` from the
// Start Workflow form (one JSON value = the single argument), see a malformed input fail at once naming
// the field, and send a Signal and an Update (with its validator) to a running `liquidityCoordinator`.
// Every outcome is checked twice: through the UI and through the Temporal client.
// Screenshots land in test-artifacts/browser/ (git-ignored).
import { Client, Connection, WorkflowFailedError } from '@temporalio/client';
import { ApplicationFailure } from '@temporalio/common';
import { temporal } from '@temporalio/proto';
import { NativeConnection, type Worker } from '@temporalio/worker';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { bandsFor, computeBookMetrics } from '../../domain/compliance';
import type { BallastConfig, SimVenueConfig } from '../../domain/config.schema';
import { SyntheticBook } from '../../sim/synthetic-book';
import { findTemporalBinary } from '../../temporal/binary';
import { freePort, startDevServer, type DevServer } from '../../temporal/dev-server';
import type { ComplianceCheckResult } from '../../workflows/compliance-check.workflow';
import {
  coordinatorWorkflowId,
  modesQuery,
  stateQuery,
  type liquidityCoordinator,
} from '../../workflows/liquidity-coordinator.workflow';
import { SA_REQUESTER } from '../../workflows/search-attributes';
import {
  inputAndResultFromUi,
  launchBrowser,
  newOperatorPage,
  screenshot,
  sendSignalFromUi,
  sendUpdateFromUi,
  startWorkflowFromUi,
  waitForStatusFromUi,
  type UiTarget,
} from '../browser-support/temporal-ui';
import { createTestWorker, testConfig, testLogger, uniqueId, type TestEnv } from './helpers';

const EventType = temporal.api.enums.v1.EventType;
const NOW = 1_764_000_000_000; // the fixed clock createTestWorker gives the venues
const NAMESPACE = 'default';

// The integration global setup starts its server --headless; this file needs the Web UI, so it starts
// its own dev server with the UI on free ports — unless TEMPORAL_UI_URL names the UI of TEMPORAL_ADDRESS.
let server: DevServer | undefined;
let env: TestEnv;
let ui: UiTarget;
let config: BallastConfig;
let worker: Worker;
let workerRun: Promise<void>;
let browser: Browser;
let page: Page;

beforeAll(async () => {
  let address = process.env.TEMPORAL_ADDRESS ?? '';
  let uiUrl = process.env.TEMPORAL_UI_URL ?? '';
  if (!uiUrl) {
    server = await startDevServer({
      binary: process.env.TEMPORAL_CLI_PATH_FOR_TESTS ?? findTemporalBinary({ log: testLogger }).path,
      port: await freePort(),
      uiPort: await freePort(),
      logFile: join(tmpdir(), `ballast-web-ui-test-temporal-${process.pid}.log`),
      log: testLogger,
    });
    address = server.address;
    uiUrl = server.uiUrl ?? '';
  }
  ui = { uiUrl, namespace: NAMESPACE };

  const connection = await Connection.connect({ address });
  const native = await NativeConnection.connect({ address });
  env = {
    connection,
    native,
    client: new Client({ connection, namespace: NAMESPACE }),
    close: async () => {
      await connection.close();
      await native.close();
    },
  };
  config = testConfig((raw) => {
    raw.temporal.address = address;
  });
  // One worker for the file: the UI starts workflows whenever its form is submitted, not inside runUntil.
  worker = await createTestWorker(env, config);
  workerRun = worker.run();
  browser = await launchBrowser();
  page = await newOperatorPage(browser);
});

afterAll(async () => {
  await browser?.close();
  if (worker) {
    worker.shutdown();
    await workerRun;
  }
  await env?.close();
  await server?.stop();
});

describe('Temporal Web UI: starting complianceCheck from the Start Workflow form', () => {
  it('starts with valid JSON input and completes; the UI and the client show the same result', async () => {
    const workflowId = uniqueId('ui-compliance');
    const input = { venue: 'alpha', requester: 'ops@ui' };
    const started = await startWorkflowFromUi(page, {
      ...ui,
      workflowId,
      taskQueue: config.temporal.taskQueue,
      workflowType: 'complianceCheck',
      input,
      shots: 'compliance-valid-start',
    });
    expect(started.message).toBe('Workflow started successfully');

    // Through the client: the run the UI linked to, with the operator's input as its one argument.
    const handle = env.client.workflow.getHandle(workflowId);
    const result = (await handle.result()) as ComplianceCheckResult;
    const desc = await handle.describe();
    expect(started.runId).toBe(desc.runId);
    expect(desc.type).toBe('complianceCheck');
    expect(desc.taskQueue).toBe(config.temporal.taskQueue);
    expect(desc.typedSearchAttributes.get(SA_REQUESTER)).toBe('ops@ui');
    // The same seeded book, measured independently of the workflow.
    const venue = config.venues.find((v) => v.id === 'alpha') as SimVenueConfig;
    const expected = computeBookMetrics(new SyntheticBook(venue, () => NOW).snapshot(100), bandsFor(venue.requirements));
    expect(result.venue).toBe('alpha');
    expect(result.metrics).toEqual(expected);
    expect(result.asOf).toBe(new Date(NOW).toISOString());

    // Through the UI: the badge, the input as typed and the full result.
    expect(await waitForStatusFromUi(page, { ...ui, workflowId }, ['COMPLETED', 'FAILED'])).toBe('COMPLETED');
    const panels = await inputAndResultFromUi(page);
    await screenshot(page, 'compliance-valid-completed');
    expect(panels.input).toEqual(input);
    expect(panels.result).toEqual(result);
  });

  it.each([
    ['a number for the venue', { venue: 42, requester: 'ops@ui' }, ['venue:', 'expected string, received number']],
    ['a misspelled field', { venu: 'alpha', requester: 'ops@ui' }, ['venue:', 'venu']],
  ])('with %s, fails at once naming the field, and no activity runs', async (label, input, mentions) => {
    const workflowId = uniqueId('ui-compliance-bad');
    const shots = `compliance-bad-${label.replace(/\s+/g, '-')}`;
    const started = await startWorkflowFromUi(page, {
      ...ui,
      workflowId,
      taskQueue: config.temporal.taskQueue,
      workflowType: 'complianceCheck',
      input,
      shots: `${shots}-start`,
    });
    // The form accepts any JSON: the start succeeds, and the workflow's own validation fails it.
    expect(started.message).toBe('Workflow started successfully');

    const handle = env.client.workflow.getHandle(workflowId);
    const err = await handle.result().catch((e: unknown) => e);
    expect(err).toBeInstanceOf(WorkflowFailedError);
    const cause = (err as WorkflowFailedError).cause as ApplicationFailure;
    expect(cause).toBeInstanceOf(ApplicationFailure);
    expect(cause.type).toBe('VALIDATION.INVALID_INPUT');
    expect(cause.nonRetryable).toBe(true);
    expect(cause.message).toMatch(/^complianceCheck input is invalid: /);
    for (const m of mentions) expect(cause.message).toContain(m);

    // At once, and nothing moved: one workflow task, no activity scheduled, then the failure.
    const types = ((await handle.fetchHistory()).events ?? []).map((e) => e.eventType);
    expect(types).not.toContain(EventType.EVENT_TYPE_ACTIVITY_TASK_SCHEDULED);
    expect(types.filter((t) => t === EventType.EVENT_TYPE_WORKFLOW_TASK_STARTED)).toHaveLength(1);
    expect(types[types.length - 1]).toBe(EventType.EVENT_TYPE_WORKFLOW_EXECUTION_FAILED);

    // The operator sees the same failure on the workflow page.
    expect(await waitForStatusFromUi(page, { ...ui, workflowId }, ['COMPLETED', 'FAILED'])).toBe('FAILED');
    const panels = await inputAndResultFromUi(page);
    await screenshot(page, `${shots}-failed`);
    expect(panels.input).toEqual(input);
    expect(panels.result).toMatchObject({ type: 'workflowExecutionFailedEventAttributes', failure: { message: cause.message } });
  });
});

describe('Temporal Web UI: signals and updates to a running liquidityCoordinator', () => {
  it('delivers a Signal and an Update sent from the workflow page; a rejected Update changes nothing', async () => {
    const asset = uniqueId('UI');
    const workflowId = coordinatorWorkflowId(asset);
    const handle = await env.client.workflow.start<typeof liquidityCoordinator>('liquidityCoordinator', {
      taskQueue: config.temporal.taskQueue,
      workflowId,
      args: [{ asset }],
    });
    const ref = { ...ui, workflowId };
    expect(await waitForStatusFromUi(page, ref, ['RUNNING'])).toBe('RUNNING');

    const imbalance = { type: 'raised', venueId: 'alpha', kind: 'INVENTORY_DRIFT', value: 25, at: 1000 };
    const signal = await sendSignalFromUi(page, { ...ref, name: 'imbalance', input: imbalance, shots: 'coordinator-signal' });
    expect(signal).toEqual({ ok: true, message: 'Workflow signaled.', handler: 'listed' });

    // The UI waits for an update to complete, and the server orders it after the signal above, so the
    // state queried next reflects both.
    const modeChange = { venueId: 'alpha', mode: 'paused', reason: 'ops pause from the UI', requestedBy: 'ops@ui' };
    const update = await sendUpdateFromUi(page, { ...ref, name: 'setVenueMode', input: modeChange, shots: 'coordinator-update' });
    expect(update).toEqual({ ok: true, message: 'Update successful', handler: 'listed' });

    const state = await handle.query(stateQuery);
    expect(state.counters).toEqual({ signals: 1, raised: 1, cleared: 0, rejected: 0, modeChanges: 1, runs: 1 });
    expect(state.active).toEqual({ alpha: { INVENTORY_DRIFT: imbalance } });
    // seq 1 was the signal, seq 2 the mode change.
    const paused = { mode: 'paused', reason: 'ops pause from the UI', requestedBy: 'ops@ui', seq: 2 };
    expect(await handle.query(modesQuery)).toEqual({ alpha: paused });

    // A bad mode: the validator rejects it in the dialog, naming the field; nothing reaches history.
    const rejected = await sendUpdateFromUi(page, {
      ...ref,
      name: 'setVenueMode',
      input: { ...modeChange, venueId: 'bravo', mode: 'sideways' },
      shots: 'coordinator-update-bad-mode',
    });
    expect(rejected).toMatchObject({ ok: false, handler: 'listed' });
    expect(rejected.message).toMatch(/^setVenueMode is invalid: mode: /);
    expect(rejected.message).toContain('"withdraw-only"');
    expect(await handle.query(modesQuery)).toEqual({ alpha: paused });
    const types = ((await handle.fetchHistory()).events ?? []).map((e) => e.eventType);
    expect(types.filter((t) => t === EventType.EVENT_TYPE_WORKFLOW_EXECUTION_SIGNALED)).toHaveLength(1);
    expect(types.filter((t) => t === EventType.EVENT_TYPE_WORKFLOW_EXECUTION_UPDATE_ACCEPTED)).toHaveLength(1);

    await handle.terminate('test done');
  });
});
