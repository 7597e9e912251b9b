// Small workflow-side helpers: workflow time and failure messages.
// Workflow time. Inside the Temporal workflow sandbox `Date.now()` is not the wall clock: the SDK
// replaces it with the time of the current workflow task, recorded in history, so it is the same on
// every replay. This is the one place workflow code reads it (the lint rule bans it elsewhere, so
// domain code keeps taking `now` as a parameter).
export function workflowNow(): number {
  // eslint-disable-next-line no-restricted-properties -- deterministic inside the workflow sandbox (see above)
  return Date.now();
}

/** The innermost message of a failure chain ("Child Workflow execution failed" → the child's reason). */
export function failureMessage(e: unknown): string {
  let cur: unknown = e;
  let msg = e instanceof Error ? e.message : String(e);
  for (let i = 0; i < 10 && cur instanceof Error && cur.cause !== undefined; i++) {
    cur = cur.cause;
    if (cur instanceof Error && cur.message) msg = cur.message;
  }
  return msg;
}

/** The `type` of the first ApplicationFailure in a failure chain (an activity's error code), if any. */
export function failureType(e: unknown): string | undefined {
  let cur: unknown = e;
  for (let i = 0; i < 10 && cur instanceof Error; i++) {
    const t = (cur as { type?: unknown }).type;
    if (typeof t === 'string' && t !== '') return t;
    cur = cur.cause;
  }
  return undefined;
}
