// The daily report as one self-contained HTML page: inline CSS, no scripts, no external assets (it
// opens offline, from a mail attachment or the API). Every value from the model is HTML-escaped.
import type { ComplianceUptime, DailyReport, VenueInventory, VenueSection, VenueTrading } from './daily-report';

const ESC: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };
export const escapeHtml = (v: unknown): string => String(v).replace(/[&<>"']/g, (c) => ESC[c]!);

type Cell = string | number | null | undefined;
const cell = (v: Cell) => (v === null || v === undefined || v === '' ? '<td class="na">—</td>' : `<td>${escapeHtml(v)}</td>`);

function table(headers: string[], rows: Cell[][], empty: string): string {
  if (!rows.length) return `<p class="empty">${escapeHtml(empty)}</p>`;
  const head = headers.map((h) => `<th>${escapeHtml(h)}</th>`).join('');
  return `<table><thead><tr>${head}</tr></thead><tbody>${rows.map((r) => `<tr>${r.map(cell).join('')}</tr>`).join('')}</tbody></table>`;
}

const na = (reason: string) => `n/a (${reason})`;
const compliance = (c: ComplianceUptime): Cell =>
  c.available ? `${c.uptimePct} % of ${c.samples} samples (coverage ${c.coveragePct} %, ${c.breaches.length} breach${c.breaches.length === 1 ? '' : 'es'})` : na(c.reason);
/** A figure of our trading; when unavailable the reason is given once (first column), the rest are blank. */
const trading = (t: VenueTrading, pick: (s: Extract<VenueTrading, { available: true }>['summary']) => Cell, first = false): Cell => (t.available ? pick(t.summary) : first ? na(t.reason) : null);
const inventory = (i: VenueInventory): Cell => (i.available ? i.balances.map((b) => `${b.asset} ${b.total}`).join(', ') || 'none' : na(i.reason));

function venueRows(r: DailyReport): Cell[][] {
  return r.venues.map((v: VenueSection) => [
    v.venue,
    v.market,
    compliance(v.compliance),
    trading(v.trading, (s) => s.trades, true),
    trading(v.trading, (s) => s.volumeBase),
    trading(v.trading, (s) => s.volumeQuote),
    trading(v.trading, (s) => s.feesQuote),
    trading(v.trading, (s) => s.realizedPnlQuote),
    trading(v.trading, (s) => s.realizedLossQuote),
    v.trading.market24hVolumeQuote,
  ]);
}

function riskRows(r: DailyReport): Cell[][] {
  return r.venues.map((v) => [
    v.venue,
    inventory(v.inventory),
    `${v.transfers.out} out (${v.transfers.sentBase}), ${v.transfers.in} in (${v.transfers.receivedBase})`,
    `${v.priceAction.executions} (${v.priceAction.filledBase} base)`,
    v.incidents.venueRisk,
    v.incidents.killSwitchTrips ?? 0,
    Object.entries(v.incidents.raised).map(([k, n]) => `${k} ×${n}`).join(', ') || 'none',
    r.incidents.modes[v.venue] ? `${r.incidents.modes[v.venue]!.mode} (${r.incidents.modes[v.venue]!.reason})` : 'normal',
  ]);
}

const CSS = `body{font:14px/1.45 system-ui,-apple-system,Segoe UI,sans-serif;margin:24px;color:#1b1f24;background:#fff}
h1{font-size:20px;margin:0 0 4px}h2{font-size:16px;margin:24px 0 8px;border-bottom:1px solid #d0d7de;padding-bottom:4px}
.meta{color:#57606a;margin:0 0 12px}table{border-collapse:collapse;margin:4px 0 8px;width:100%}
th,td{border:1px solid #d0d7de;padding:4px 8px;text-align:left;vertical-align:top}th{background:#f6f8fa}
td{font-variant-numeric:tabular-nums}td.na{color:#8c959f}.empty{color:#57606a;font-style:italic}
table.totals{width:auto;min-width:40%}.totals td:first-child{font-weight:600}ul.notes{color:#57606a;font-size:12px}`;

/** The report as a complete HTML document. */
export function renderDailyReportHtml(r: DailyReport): string {
  const t = r.totals;
  const q = r.quote;
  const body = [
    `<h1>Ballast daily report — ${escapeHtml(r.asset)} — ${escapeHtml(r.date)}</h1>`,
    `<p class="meta">UTC day ${escapeHtml(r.window.from)} to ${escapeHtml(r.window.to)} · generated ${escapeHtml(r.generatedAt)} by ${escapeHtml(r.requester)} · workflow ${escapeHtml(r.workflowId)} (run ${escapeHtml(r.runId)})</p>`,
    '<h2>Totals</h2>',
    `<table class="totals"><tbody>${[
      [`Our volume (${q})`, t.volumeQuote],
      [`Fees (${q})`, t.feesQuote],
      [`Realized PnL before fees (${q})`, t.realizedPnlQuote],
      [`Realized losses after fees (${q})`, t.realizedLossQuote],
      ['Transfers', t.transfers],
      [`Withdrawal fees (${r.asset})`, t.transferFeesBase],
      ['Buybacks / liquidations', t.priceActionExecutions],
      ['Price-action budget used (USD)', t.priceActionBudgetUsd],
      ['venueRisk incidents', t.venueRiskIncidents],
      ['Kill-switch trips', t.killSwitchTrips ?? 0],
    ].map(([k, v]) => `<tr>${cell(k)}${cell(v)}</tr>`).join('')}</tbody></table>`,
    '<h2>Per venue: compliance and trading</h2>',
    table(['Venue', 'Market', 'Compliance uptime', 'Our trades', `Volume (${r.asset})`, `Volume (${q})`, `Fees (${q})`, `Realized PnL (${q})`, `Realized loss (${q})`, `Market 24 h volume (${q})`], venueRows(r), 'No venues configured.'),
    '<h2>Compliance breaches</h2>',
    table(
      ['Venue', 'From', 'To', 'Rules failed', 'Still open'],
      r.venues.flatMap((v) => (v.compliance.available ? v.compliance.breaches.map((b) => [v.venue, b.from, b.to, b.failed.join(', '), b.open ? 'yes' : 'no']) : [])),
      'No compliance breach recorded.',
    ),
    '<h2>Per venue: inventory, transfers, price action, risk</h2>',
    table(['Venue', 'Inventory now', 'Transfers', 'Buybacks / liquidations', 'venueRisk', 'Kill-switch trips', 'Imbalances raised', 'Mode now'], riskRows(r), 'No venues configured.'),
    '<h2>Wallets</h2>',
    table(['Wallet', 'Asset', 'Net booked'], r.wallets.map((w) => [w.wallet, w.asset, w.netBooked]), 'No transfers to wallets booked.'),
    '<h2>Transfers of the day</h2>',
    table(['At', 'Workflow', 'From', 'To', 'Amount', 'USD', 'Fee', 'Outcome', 'Tx'], r.transfers.map((x) => [x.at, x.workflowId, x.from, x.to, `${x.amount} ${x.asset}`, x.amountUsd, x.fee, x.outcome, x.txHash]), 'No transfers.'),
    '<h2>Buybacks and liquidations of the day</h2>',
    table(
      ['At', 'Workflow', 'Kind', 'Filled (base)', 'Average price', 'Arrival price', `Shortfall (${q})`, 'Shortfall (bp)', `Fees (${q})`, 'Budget used (USD)', 'Stop'],
      r.priceActions.map((x) => [x.at, x.workflowId, x.kind, x.filledBase, x.averagePrice, x.arrivalPrice, x.shortfallQuote, x.shortfallBps, x.feesQuote, x.budgetUsedUsd, x.stopReason]),
      'No buybacks or liquidations.',
    ),
    '<h2>Incidents</h2>',
    table(['Workflow', 'Venue', 'Status', 'Started', 'Closed'], r.incidents.venueRisk.map((x) => [x.workflowId, x.venue, x.status, x.startTime, x.closeTime]), 'No venueRisk workflow started this day.'),
    table(['At', 'Venue', 'Imbalance', 'Event', 'Value'], r.incidents.imbalances.map((x) => [x.at, x.venueId, x.kind, x.type, x.value]), 'No imbalance events this day.'),
    table(['At', 'Scope', 'Venue', 'Reason', 'Detail'], (r.incidents.killSwitchTrips ?? []).map((x) => [x.at, x.scope, x.venueId ?? 'all', x.reason, x.detail]), 'No kill-switch trip reported this day.'),
    table(['At', 'Seq', 'Venue', 'Reset reason', 'By'], r.incidents.killSwitchResets.map((x) => [x.at ?? 'time not recorded', x.seq, x.venueId ?? 'all', x.reason, x.requestedBy]), 'No kill-switch resets recorded.'),
    `<p class="meta">Coordinator: ${escapeHtml(r.incidents.coordinator)}</p>`,
    '<h2>What this report reads</h2>',
    `<ul class="notes">${r.coverage.map((c) => `<li>${escapeHtml(c)}</li>`).join('')}</ul>`,
  ].join('\n');
  return `<!doctype html>\n<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1"><title>Ballast daily report ${escapeHtml(r.asset)} ${escapeHtml(r.date)}</title><style>${CSS}</style></head><body>\n${body}\n</body></html>\n`;
}

/** The list of stored reports as a page (what the dashboard links to): newest day first, each day's HTML and JSON. */
export function renderReportIndexHtml(asset: string, rows: { date: string; generatedAt: string; html: string; json: string }[]): string {
  const body = rows.length
    ? `<table><thead><tr><th>Day (UTC)</th><th>Generated</th><th>Report</th></tr></thead><tbody>${rows
        .map((r) => `<tr><td>${escapeHtml(r.date)}</td><td>${escapeHtml(r.generatedAt)}</td><td><a href="${escapeHtml(r.html)}">HTML</a> · <a href="${escapeHtml(r.json)}">JSON</a></td></tr>`)
        .join('')}</tbody></table>`
    : '<p class="empty">No daily report stored yet (the schedule runs after midnight UTC; start <code>dailyReport</code> from the Web UI for any day).</p>';
  return `<!doctype html>\n<html lang="en"><head><meta charset="utf-8"><title>Ballast daily reports ${escapeHtml(asset)}</title><style>${CSS}</style></head><body>\n<h1>Ballast daily reports — ${escapeHtml(asset)}</h1>\n${body}\n</body></html>\n`;
}
