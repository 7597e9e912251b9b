// A workflow input typed wrong — as an operator might in the Web UI's start form, which passes one
// JSON value as the single argument — fails the workflow at once, naming the field; nothing runs.
import { WorkflowFailedError } from '@temporalio/client';
import { ApplicationFailure } from '@temporalio/common';
import { temporal } from '@temporalio/proto';
import { createTestWorker, openTestEnv, testConfig, uniqueId, type TestEnv } from './helpers';

const EventType = temporal.api.enums.v1.EventType;

let env: TestEnv;
beforeAll(async () => {
  env = await openTestEnv();
});
afterAll(async () => env?.close());

describe('complianceCheck with bad input', () => {
  it.each([
    ['a field misspelled', { venu: 'alpha' }, ['venue:', 'venu']],
    ['a number for a string', { venue: 42 }, ['venue:', 'expected string']],
    ['a bare string instead of an object', 'alpha', ['(root)', 'expected object']],
    ['an empty venue', { venue: '' }, ['venue:', 'expected a venue id']],
    ['null', null, ['(root)']],
  ])('%s fails non-retryably naming the field', async (_label, input, mentions) => {
    const config = testConfig();
    const worker = await createTestWorker(env, config);
    const workflowId = uniqueId('bad-input');
    // Started by name with an untyped argument, exactly as the Web UI does.
    const err = await worker
      .runUntil(env.client.workflow.execute('complianceCheck', { taskQueue: config.temporal.taskQueue, workflowId, args: [input] }))
      .catch((e: unknown) => e);

    expect(err).toBeInstanceOf(WorkflowFailedError);
    const cause = (err as WorkflowFailedError).cause as ApplicationFailure;
    expect(cause).toBeInstanceOf(ApplicationFailure);
    expect(cause.type).toBe('VALIDATION.INVALID_INPUT');
    expect(cause.nonRetryable).toBe(true);
    for (const m of mentions) expect(cause.message).toContain(m);

    // Nothing else ran: no activity was scheduled, one workflow task, then the failure.
    const history = await env.client.workflow.getHandle(workflowId).fetchHistory();
    const types = (history.events ?? []).map((e) => e.eventType);
    expect(types).not.toContain(EventType.EVENT_TYPE_ACTIVITY_TASK_SCHEDULED);
    expect(types.filter((t) => t === EventType.EVENT_TYPE_WORKFLOW_TASK_STARTED)).toHaveLength(1);
    expect(types[types.length - 1]).toBe(EventType.EVENT_TYPE_WORKFLOW_EXECUTION_FAILED);
  });
});
