// Workflow time. Inside the Temporal workflow sandbox `Date.now()` is not the wall clock: the SDK
// replaces it with the time of the current workflow task, recorded in history, so it is the same on
// every replay. This is the one place workflow code reads it (the lint rule bans it elsewhere, so
// domain code keeps taking `now` as a parameter).
export function workflowNow(): number {
  // eslint-disable-next-line no-restricted-properties -- deterministic inside the workflow sandbox (see above)
  return Date.now();
}
