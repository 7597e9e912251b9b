// Domain errors carry a stable code; the activity/workflow boundary maps them to ApplicationFailure.
import type { z } from 'zod';

export class DomainError extends Error {
  constructor(
    readonly code: string,
    message: string,
    readonly nonRetryable = true,
    readonly details?: unknown,
  ) {
    super(message);
    this.name = 'DomainError';
  }
}

export interface FieldIssue {
  path: string;
  message: string;
}

export class ValidationError extends DomainError {
  constructor(
    readonly what: string,
    readonly issues: FieldIssue[],
  ) {
    super('VALIDATION.INVALID_INPUT', `${what} is invalid: ${issues.map((i) => `${i.path}: ${i.message}`).join('; ')}`, true, issues);
    this.name = 'ValidationError';
  }
}

function pathOf(path: readonly PropertyKey[]): string {
  if (path.length === 0) return '(root)';
  return path.reduce<string>((acc, p) => (typeof p === 'number' ? `${acc}[${p}]` : acc ? `${acc}.${String(p)}` : String(p)), '');
}

export function toFieldIssues(error: z.ZodError): FieldIssue[] {
  return error.issues.map((i) => ({ path: pathOf(i.path), message: i.message }));
}

/** Parse at a boundary; on failure throw a ValidationError naming every bad field. */
export function parseOrThrow<S extends z.ZodType>(schema: S, value: unknown, what: string): z.output<S> {
  const r = schema.safeParse(value);
  if (!r.success) throw new ValidationError(what, toFieldIssues(r.error));
  return r.data;
}
