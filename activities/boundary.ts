// At the activity boundary domain errors become ApplicationFailures with their stable code as type.
import { ApplicationFailure } from '@temporalio/common';
import { DomainError } from '../domain/errors';

export function toFailure(e: unknown): unknown {
  if (e instanceof DomainError) {
    return ApplicationFailure.create({ type: e.code, message: e.message, nonRetryable: e.nonRetryable, details: e.details === undefined ? [] : [e.details] });
  }
  return e;
}

/** Wraps every function of an activity object so domain errors cross the boundary typed. */
export function withDomainErrors<T extends Record<string, (...args: never[]) => Promise<unknown>>>(acts: T): T {
  const out: Record<string, unknown> = {};
  for (const [name, fn] of Object.entries(acts)) {
    out[name] = async (...args: never[]) => {
      try {
        return await fn(...args);
      } catch (e) {
        throw toFailure(e);
      }
    };
  }
  return out as T;
}
