// Page helpers that drive the Temporal Web UI (2.54, served by `temporal server start-dev`) the way an
// operator does: the Start Workflow form, More Actions → Send a Signal / Send an Update, and the
// workflow page's status badge and Input/Result panels. Selectors are the UI's own test ids, roles and
// accessible names (read from the running UI, not guessed); each helper loads its page afresh, so no
// toast or dialog from an earlier step can be mistaken for this step's outcome.
import { mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { chromium, type Browser, type Locator, type Page } from 'playwright-core';

/** Debian's chromium: tests never download browsers. */
export const CHROMIUM_PATH = '/usr/bin/chromium';
export const CHROMIUM_ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'];
export const ARTIFACTS_DIR = resolve(__dirname, '..', '..', 'test-artifacts', 'browser');

export async function launchBrowser(): Promise<Browser> {
  return chromium.launch({ executablePath: CHROMIUM_PATH, args: CHROMIUM_ARGS, headless: true });
}

/** A page sized so the workflow header, actions and Input/Result panels fit in one screenshot. */
export async function newOperatorPage(browser: Browser): Promise<Page> {
  const context = await browser.newContext({ viewport: { width: 1400, height: 1000 }, timezoneId: 'UTC' });
  // inputAndResultFromUi reads the panels through the UI's copy buttons.
  await context.grantPermissions(['clipboard-read', 'clipboard-write']);
  const page = await context.newPage();
  // A 2-core machine shared with other test runs renders slowly; a step that never appears still fails.
  page.setDefaultTimeout(30_000);
  return page;
}

/** Saves a full-page PNG under test-artifacts/browser/ and returns its path. */
export async function screenshot(page: Page, name: string): Promise<string> {
  mkdirSync(ARTIFACTS_DIR, { recursive: true });
  const path = join(ARTIFACTS_DIR, `${name.replace(/[^\w.-]+/g, '_')}.png`);
  await page.screenshot({ path, fullPage: true });
  return path;
}

export interface UiTarget {
  /** e.g. http://127.0.0.1:8233 (DevServer.uiUrl). */
  uiUrl: string;
  namespace: string;
}

export interface UiWorkflowRef extends UiTarget {
  workflowId: string;
}

export const workflowPageUrl = (r: UiWorkflowRef) =>
  `${r.uiUrl}/namespaces/${encodeURIComponent(r.namespace)}/workflows/${encodeURIComponent(r.workflowId)}`;

/**
 * Types one JSON value into a CodeMirror "Data" editor. `insertText` bypasses the editor's bracket
 * auto-closing; the blur lets the UI reformat the JSON *before* the submit click — otherwise the
 * reformat grows the dialog between mousedown and mouseup and the first click is lost.
 * Reads the editor back and throws if it does not hold the same value.
 */
async function fillJsonEditor(page: Page, editor: Locator, value: unknown): Promise<void> {
  const json = JSON.stringify(value);
  await editor.click();
  await page.keyboard.press('ControlOrMeta+A');
  await page.keyboard.insertText(json);
  await editor.blur();
  const typed = await editor.innerText();
  let parsed: unknown;
  try {
    parsed = JSON.parse(typed);
  } catch {
    throw new Error(`the UI's JSON editor holds ${JSON.stringify(typed)}, not valid JSON (typed ${json})`);
  }
  if (JSON.stringify(parsed) !== json) throw new Error(`the UI's JSON editor holds ${JSON.stringify(parsed)}, expected ${json}`);
}

/** Waits for the first non-empty toast in either live region (success: polite, error: assertive). */
async function toastText(page: Page): Promise<string> {
  const regions = page.getByTestId('toast-live-region-polite').or(page.getByTestId('toast-live-region-assertive'));
  const toast = regions.filter({ hasText: /\S/ }).first();
  await toast.waitFor();
  return ((await toast.textContent()) ?? '').trim();
}

export interface StartWorkflowFromUiOptions extends UiTarget {
  workflowId: string;
  taskQueue: string;
  workflowType: string;
  /** One JSON value: the UI passes it as the workflow's single argument. */
  input: unknown;
  /** Screenshot name prefix: saves `<shots>-filled` before submitting and `<shots>-submitted` after. */
  shots?: string;
}

export interface UiStartOutcome {
  /** The toast the UI shows, e.g. "Workflow started successfully". */
  message: string;
  /** The toast's link to the new run (…/workflows/<id>/<runId>/timeline), when the start succeeded. */
  runUrl?: string;
  runId?: string;
}

/** Fills and submits the Web UI's Start Workflow form (json/plain encoding, the default). */
export async function startWorkflowFromUi(page: Page, o: StartWorkflowFromUiOptions): Promise<UiStartOutcome> {
  await page.goto(`${o.uiUrl}/namespaces/${encodeURIComponent(o.namespace)}/workflows/start-workflow`);
  await page.getByTestId('workflowId').fill(o.workflowId);
  await page.getByTestId('taskQueue').fill(o.taskQueue);
  await page.getByTestId('workflowType').fill(o.workflowType);
  await fillJsonEditor(page, page.getByRole('textbox', { name: 'Data' }), o.input);
  if (o.shots) await screenshot(page, `${o.shots}-filled`);
  await page.getByRole('button', { name: 'Start Workflow', exact: true }).click();

  const message = await toastText(page);
  if (o.shots) await screenshot(page, `${o.shots}-submitted`);
  const link = page.getByRole('link', { name: message, exact: true });
  if (!(await link.count())) return { message };
  const href = (await link.first().getAttribute('href')) ?? '';
  const runId = href.match(/\/workflows\/[^/]+\/([^/]+)\//)?.[1];
  return { message, runUrl: `${o.uiUrl}${href}`, ...(runId ? { runId } : {}) };
}

async function openWorkflowAction(page: Page, r: UiWorkflowRef, menuItem: string, dialogName: string): Promise<Locator> {
  // The dialogs list the handlers the workflow declares, from the `__temporal_workflow_metadata` query
  // the page sends on load; choosing before it answers would fall back to "Custom".
  const metadata = page
    .waitForResponse((res) => res.url().includes('__temporal_workflow_metadata'), { timeout: 15_000 })
    .catch(() => undefined);
  await page.goto(workflowPageUrl(r));
  await page.getByTestId('execution-status').waitFor();
  await metadata;
  await page.getByRole('button', { name: 'More Actions' }).click();
  await page.getByRole('menuitem', { name: menuItem }).click();
  // Each modal exists twice in the DOM; only the open one is exposed as a dialog.
  const dialog = page.getByRole('dialog', { name: dialogName });
  await dialog.waitFor();
  return dialog;
}

/**
 * Picks `name` in a handler select: from the list when the workflow declares it, otherwise through
 * "Custom" and a free-text field. Says which, so a test can prove the UI discovered the handler.
 */
async function chooseHandler(dialog: Locator, kind: 'signal' | 'update', name: string): Promise<'listed' | 'custom'> {
  await dialog.getByTestId(`${kind}-select-button`).click();
  const listed = dialog.getByRole('option', { name, exact: true });
  if (await listed.waitFor({ timeout: 5_000 }).then(() => true, () => false)) {
    await listed.click();
    return 'listed';
  }
  await dialog.getByRole('option', { name: /^Custom/ }).click();
  await dialog.getByTestId(`${kind}-name`).fill(name);
  return 'custom';
}

export interface UiHandlerCall extends UiWorkflowRef {
  name: string;
  /** One JSON value, the handler's single argument. */
  input: unknown;
  /** Screenshot name prefix: saves `<shots>-filled` before submitting and `<shots>-sent|rejected` after. */
  shots?: string;
}

export interface UiActionOutcome {
  ok: boolean;
  /** The toast on success ("Workflow signaled.", "Update successful"), or the error the dialog shows (the validator's message). */
  message: string;
  /** On an error, everything the dialog's alert shows (the message and its collapsible stack trace). */
  detail?: string;
  /** Whether the UI listed the handler (declared by the workflow) or it was typed as a custom name. */
  handler: 'listed' | 'custom';
}

async function submitDialog(page: Page, dialog: Locator, handler: 'listed' | 'custom', shots: string | undefined): Promise<UiActionOutcome> {
  if (shots) await screenshot(page, `${shots}-filled`);
  await dialog.getByTestId('confirm-modal-button').click();
  // Success closes the dialog and shows a toast; a rejection keeps it open with the error in an alert.
  const error = dialog.getByRole('alert').filter({ hasText: /\S/ }).first();
  const closed = dialog.waitFor({ state: 'hidden' }).then(() => 'closed' as const);
  const failed = error.waitFor().then(() => 'failed' as const);
  const outcome = await Promise.race([closed, failed]);
  let result: UiActionOutcome;
  if (outcome === 'failed') {
    // The losing watcher is abandoned; swallow its eventual timeout.
    closed.catch(() => undefined);
    const detail = ((await error.textContent()) ?? '').replace(/\s+/g, ' ').trim();
    // The alert is "<message> ›<stack trace> Click to copy content"; the first part is what an operator reads.
    result = { ok: false, message: detail.split(' ›')[0]?.trim() ?? detail, detail, handler };
  } else {
    failed.catch(() => undefined);
    result = { ok: true, message: await toastText(page), handler };
  }
  if (shots) await screenshot(page, `${shots}-${result.ok ? 'sent' : 'rejected'}`);
  return result;
}

/** More Actions → Send a Signal, with a JSON argument. */
export async function sendSignalFromUi(page: Page, o: UiHandlerCall): Promise<UiActionOutcome> {
  const dialog = await openWorkflowAction(page, o, 'Send a Signal', 'Send a Signal');
  const handler = await chooseHandler(dialog, 'signal', o.name);
  await fillJsonEditor(page, dialog.getByRole('textbox', { name: 'Data' }), o.input);
  return submitDialog(page, dialog, handler, o.shots);
}

/**
 * More Actions → Send an Update, with a JSON argument (and an update id, for idempotent retries).
 * The UI waits for the update to complete: a validator's rejection comes back as `ok: false` with its
 * message; the update's return value is not shown (query or fetch it through the client).
 */
export async function sendUpdateFromUi(page: Page, o: UiHandlerCall & { updateId?: string }): Promise<UiActionOutcome> {
  const dialog = await openWorkflowAction(page, o, 'Send an Update', 'Send an Update');
  const handler = await chooseHandler(dialog, 'update', o.name);
  if (o.updateId) await dialog.getByTestId('update-id').fill(o.updateId);
  await fillJsonEditor(page, dialog.getByRole('textbox', { name: 'Data' }), o.input);
  return submitDialog(page, dialog, handler, o.shots);
}

export type UiWorkflowStatus = 'RUNNING' | 'COMPLETED' | 'FAILED' | 'CANCELED' | 'TERMINATED' | 'TIMED_OUT' | 'CONTINUED_AS_NEW';

/** The workflow page's status badge (its text is "Completed", "Running", …; CSS upper-cases it). */
export async function workflowStatusFromUi(page: Page, r: UiWorkflowRef): Promise<UiWorkflowStatus> {
  await page.goto(workflowPageUrl(r));
  const badge = page.getByTestId('execution-status');
  await badge.waitFor();
  return ((await badge.textContent()) ?? '').trim().toUpperCase().replace(/\s+/g, '_') as UiWorkflowStatus;
}

/** Reloads the workflow page until the badge shows one of `statuses` (the UI does not push updates). */
export async function waitForStatusFromUi(page: Page, r: UiWorkflowRef, statuses: UiWorkflowStatus[], capMs = 60_000): Promise<UiWorkflowStatus> {
  const deadline = Date.now() + capMs;
  let last = await workflowStatusFromUi(page, r);
  while (!statuses.includes(last) && Date.now() < deadline) {
    await page.waitForTimeout(500);
    last = await workflowStatusFromUi(page, r);
  }
  if (!statuses.includes(last)) throw new Error(`the UI still shows ${r.workflowId} as ${last}, expected ${statuses.join(' or ')}`);
  return last;
}

type ClipboardGlobal = { navigator: { clipboard: { readText(): Promise<string> } } };

/**
 * The Input and Result panels of the workflow page already open in `page`, as the JSON their
 * "copy" buttons put on the clipboard (the rendered editors are virtualised: long values are only
 * partly in the DOM). Result is the return value, or `{ type: 'workflowExecutionFailedEventAttributes',
 * failure }` for a failed run; absent while the workflow runs.
 */
export async function inputAndResultFromUi(page: Page): Promise<{ input: unknown; result?: unknown }> {
  const panels = page.getByTestId('input-and-result');
  await panels.getByRole('textbox', { name: 'Input', exact: true }).waitFor();
  const read = async (name: 'Input' | 'Result'): Promise<unknown> => {
    const panel = panels.locator(':scope > div').filter({ has: page.getByRole('heading', { name, exact: true }) });
    // A running workflow's Result shows a placeholder without a copy button.
    const copy = panel.getByRole('button', { name: 'Click to copy content' });
    if (!(await copy.count())) return undefined;
    await copy.click();
    const text = await page.evaluate(() => (globalThis as unknown as ClipboardGlobal).navigator.clipboard.readText());
    return JSON.parse(text) as unknown;
  };
  const input = await read('Input');
  const result = await read('Result');
  return { input, ...(result === undefined ? {} : { result }) };
}
