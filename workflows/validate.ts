import { ApplicationFailure } from '@temporalio/workflow';
import type { z } from 'zod';
import { ValidationError, parseOrThrow } from '../domain/errors';

/**
 * Validates a workflow's single object argument. A bad input fails the workflow at once with a
 * non-retryable error that names every bad field — never a retrying workflow task.
 */
export function validateWorkflowInput<S extends z.ZodType>(schema: S, raw: unknown, workflowType: string): z.output<S> {
  try {
    return parseOrThrow(schema, raw, `${workflowType} input`);
  } catch (e) {
    if (e instanceof ValidationError) throw ApplicationFailure.nonRetryable(e.message, e.code, ...e.issues);
    throw e;
  }
}
