// Every metric a Grafana panel queries is one a process exports (a Ballast registry, or a Temporal /
// Prometheus name listed here), and Ballast's names follow the Prometheus rules: base units,
// `_total` on counters only, names prom-client accepts.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { collectDefaultMetrics, Registry } from 'prom-client';
import { BALLAST_METRIC_NAMES, BallastMetrics, EVENT_FAMILIES, SNAPSHOT_FAMILIES } from '../../observability/metrics';

const ROOT = join(__dirname, '..', '..');
const DASHBOARDS = join(ROOT, 'deploy', 'grafana', 'dashboards');

/** Not Ballast's: Prometheus' own scrape health and the Temporal server's workflow counters. */
const EXTERNAL = ['up', 'workflow_success', 'workflow_failed', 'workflow_timeout', 'workflow_terminate'];

/** The API's own gauges (api/server.ts) and each process's default metrics prefix. */
const API_METRICS = ['ballast_temporal_up', 'ballast_venues_configured'];
const PROCESS_PREFIXES = ['ballast_api_', 'ballast_worker_', 'ballast_quoting_'];

const PROMQL_WORDS = new Set([
  'sum', 'min', 'max', 'avg', 'count', 'stddev', 'stdvar', 'topk', 'bottomk', 'quantile', 'count_values', 'group',
  'by', 'without', 'on', 'ignoring', 'group_left', 'group_right', 'and', 'or', 'unless', 'offset', 'bool',
  'rate', 'irate', 'increase', 'delta', 'idelta', 'deriv', 'vector', 'scalar', 'abs', 'clamp_min', 'clamp_max', 'histogram_quantile',
  'avg_over_time', 'max_over_time', 'min_over_time', 'sum_over_time', 'last_over_time', 'changes', 'resets', 'label_replace', 'time', 'absent',
]);

/** Metric names in a PromQL expression: identifiers outside label matchers, strings, ranges and grouping lists, plus `__name__` regexes. */
export function metricNames(expr: string): { names: string[]; nameRegexes: string[] } {
  const nameRegexes = [...expr.matchAll(/__name__\s*=~\s*"([^"]*)"/g)].map((m) => m[1]!);
  const stripped = expr
    .replace(/\{[^}]*\}/g, ' ') // label matchers
    .replace(/"[^"]*"/g, ' ')
    .replace(/\[[^\]]*\]/g, ' ') // ranges, $__rate_interval
    .replace(/\b(by|without|on|ignoring|group_left|group_right)\s*\([^)]*\)/g, ' $1 ')
    .replace(/\$\w+/g, ' ');
  const names = [...stripped.matchAll(/[a-zA-Z_:][a-zA-Z0-9_:]*/g)].map((m) => m[0]).filter((w) => !PROMQL_WORDS.has(w) && !/^\d/.test(w));
  return { names, nameRegexes };
}

interface Panel {
  id: number;
  title: string;
  type: string;
  targets?: { expr: string }[];
}

const panels: { file: string; panel: Panel }[] = readdirSync(DASHBOARDS)
  .filter((f) => f.endsWith('.json'))
  .flatMap((file) => (JSON.parse(readFileSync(join(DASHBOARDS, file), 'utf8')) as { panels: Panel[] }).panels.map((panel) => ({ file, panel })));

/** Every name the processes export: the Ballast families, the API's gauges, each process's default metrics. */
async function exported(): Promise<Set<string>> {
  const names = new Set<string>([...BALLAST_METRIC_NAMES, ...API_METRICS]);
  for (const prefix of PROCESS_PREFIXES) {
    const r = new Registry();
    collectDefaultMetrics({ register: r, prefix });
    for (const m of await r.getMetricsAsJSON()) names.add(m.name);
  }
  return names;
}

describe('Grafana dashboards query only exported metrics', () => {
  it('finds panels with queries', () => {
    expect(panels.filter((p) => p.panel.targets?.length).length).toBeGreaterThan(15);
  });

  it('every metric name in every panel expression is exported by a Ballast process or listed as external', async () => {
    const known = await exported();
    const unknown: string[] = [];
    for (const { file, panel } of panels) {
      for (const t of panel.targets ?? []) {
        const { names, nameRegexes } = metricNames(t.expr);
        for (const n of names) if (!known.has(n) && !EXTERNAL.includes(n)) unknown.push(`${file} #${panel.id} "${panel.title}": ${n}`);
        for (const re of nameRegexes) {
          const r = new RegExp(`^(?:${re})$`);
          if (![...known, ...EXTERNAL].some((n) => r.test(n))) unknown.push(`${file} #${panel.id} "${panel.title}": __name__=~"${re}"`);
        }
      }
    }
    expect(unknown).toEqual([]);
  });

  it('every Ballast business family has a panel', () => {
    const queried = new Set(panels.flatMap(({ panel }) => (panel.targets ?? []).flatMap((t) => metricNames(t.expr).names)));
    expect(BALLAST_METRIC_NAMES.filter((n) => !queried.has(n))).toEqual([]);
  });

  it('the expression parser sees through matchers, ranges and grouping', () => {
    expect(metricNames('sum by (venue, band) (rate(ballast_fills_total{venue="a b"}[$__rate_interval])) and on(venue) up').names).toEqual(['ballast_fills_total', 'up']);
    expect(metricNames('sum(increase({__name__=~"workflow_success(_total)?"}[$__range]))')).toEqual({ names: [], nameRegexes: ['workflow_success(_total)?'] });
  });
});

describe('Prometheus naming rules', () => {
  const families = { ...SNAPSHOT_FAMILIES, ...EVENT_FAMILIES } as Record<string, { kind: string; labels: readonly string[] }>;

  it('prom-client accepts every family in one registry (valid, unique names and labels)', async () => {
    const m = new BallastMetrics(new Registry());
    const json = await m.registry.getMetricsAsJSON();
    expect(json.map((j) => j.name).sort()).toEqual([...BALLAST_METRIC_NAMES].sort());
  });

  it('counters end in _total and nothing else does; names use base units and the ballast_ prefix', () => {
    for (const [name, f] of Object.entries(families)) {
      expect(name).toMatch(/^ballast_[a-z0-9_]+$/);
      expect([name, name.endsWith('_total')]).toEqual([name, f.kind === 'counter']);
      // Base units: seconds not ms, ratios not percent or bps, no plural-unit suffixes.
      expect(name).not.toMatch(/_(ms|milliseconds|minutes|hours|pct|percent|bps|basis_points)(_|$)/);
      for (const l of f.labels) expect(l).toMatch(/^[a-z][a-z0-9_]*$/);
    }
  });

  it('labels carry no secrets or unbounded ids', () => {
    const labels = new Set(Object.values(families).flatMap((f) => f.labels));
    expect([...labels].sort()).toEqual(['band', 'kind', 'mode', 'outcome', 'reason', 'side', 'venue']);
  });
});
