import { loadConfig, parseConfig } from '../../config/load';
import { startBanner } from '../../workers/banner';

const demo = () => JSON.parse(JSON.stringify(loadConfig())) as Record<string, any>;

describe('the npm start banner', () => {
  it('lists the dashboard, issuer view, Temporal UI, API, reports and every metrics endpoint', () => {
    const config = parseConfig(demo(), 'demo');
    const text = startBanner({ config, configPath: 'config/demo.yaml', readyAfterS: 12.34, temporalUiUrl: 'http://127.0.0.1:8233', marketUrl: 'http://127.0.0.1:7300', ledger: 'embedded PostgreSQL 127.0.0.1:5433', quoting: true });
    for (const s of [
      'Ballast is running (API healthy, worker polling, quoting worker up, after 12.3 s)',
      'Dashboard        http://127.0.0.1:3000/',
      'Issuer view      http://127.0.0.1:3000/issuer',
      'Temporal Web UI  http://127.0.0.1:8233',
      'Ballast API      http://127.0.0.1:3000  (health http://127.0.0.1:3000/health',
      'Daily reports    http://127.0.0.1:3000/reports  (JSON http://127.0.0.1:3000/api/reports; schedule daily-report:BLST at 00:10 UTC)',
      'Metrics          API http://127.0.0.1:3000/metrics · worker http://127.0.0.1:9464/metrics · quoting http://127.0.0.1:9465/metrics',
      'Simulated market http://127.0.0.1:7300',
      'Ctrl-C stops everything.',
    ]) {
      expect(text).toContain(s);
    }
  });

  it('shows loopback for a bind-all API, an external Temporal, and no quoting line without the quoting worker', () => {
    const raw = demo();
    raw.api = { host: '0.0.0.0', port: 3100 };
    raw.reports = { dailyAt: '06:30' };
    const text = startBanner({ config: parseConfig(raw, 'demo'), configPath: 'c.yaml', readyAfterS: 1, ledger: 'postgres://db/ballast', quoting: false });
    expect(text).toContain('Dashboard        http://127.0.0.1:3100/');
    expect(text).toContain('(external Temporal at 127.0.0.1:7233)');
    expect(text).toContain('at 06:30 UTC');
    expect(text).not.toContain('quoting http');
    expect(text).not.toContain('0.0.0.0');
  });
});
