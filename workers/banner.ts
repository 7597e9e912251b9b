// What `npm start` prints once everything is up: every URL a person needs, one per line.
import type { BallastConfig } from '../domain/config.schema';

/** A bind-all address is not something to open in a browser: show loopback instead. */
const shown = (host: string) => (host === '0.0.0.0' || host === '::' ? '127.0.0.1' : host);

export interface BannerInput {
  config: BallastConfig;
  configPath: string;
  /** Seconds from start to ready. */
  readyAfterS: number;
  /** The embedded dev server's Web UI, if one runs here. */
  temporalUiUrl?: string;
  /** The simulated market's HTTP URL, when the config runs one. */
  marketUrl?: string;
  /** Where the ledger is (safe to print: no password). */
  ledger: string;
  /** The quoting worker runs (it serves its own /metrics). */
  quoting: boolean;
}

export function apiBaseUrl(config: BallastConfig): string {
  return `http://${shown(config.api.host)}:${config.api.port}`;
}

export function startBanner(b: BannerInput): string {
  const { config } = b;
  const api = apiBaseUrl(config);
  const m = `http://${shown(config.metrics.host)}`;
  const ui = b.temporalUiUrl ?? `(external Temporal at ${config.temporal.address})`;
  const lines = [
    '',
    `Ballast is running (API healthy, worker polling${b.quoting ? ', quoting worker up' : ''}, after ${b.readyAfterS.toFixed(1)} s)`,
    `  Dashboard        ${api}/`,
    `  Issuer view      ${api}/issuer`,
    `  Temporal Web UI  ${ui}`,
    `  Ballast API      ${api}  (health ${api}/health, venues ${api}/api/venues)`,
    `  Daily reports    ${api}/reports  (JSON ${api}/api/reports; schedule daily-report:${config.asset.symbol} at ${config.reports.dailyAt} UTC)`,
    `  Metrics          API ${api}/metrics · worker ${m}:${config.metrics.workerPort}/metrics${b.quoting ? ` · quoting ${m}:${config.metrics.quotingPort}/metrics` : ''}`,
    `  Temporal gRPC    ${config.temporal.address}  namespace ${config.temporal.namespace}`,
    ...(config.simulation && b.marketUrl
      ? [`  Simulated market ${b.marketUrl}  scenario ${config.simulation.scenario}; local EVM http://${config.simulation.host}:${config.simulation.chainPort}`]
      : []),
    `  Ledger           ${b.ledger}`,
    `  Config           ${b.configPath}`,
    'Ctrl-C stops everything.',
    '',
  ];
  return lines.join('\n');
}
