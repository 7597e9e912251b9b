// Structural checks of the docker-compose deployment, without a Docker engine: the compose file,
// the Dockerfile it builds, the Prometheus config and the Grafana provisioning it mounts. When the
// `docker compose` CLI plugin is present, `docker compose config -q` validates the file for real.
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { isAbsolute, join, resolve } from 'node:path';
import { parse } from 'yaml';

const ROOT = resolve(__dirname, '..', '..');
const COMPOSE_FILE = join(ROOT, 'docker-compose.yml');

type Dict = Record<string, unknown>;

/** compose files use YAML merge keys (`<<: *anchor`); the `yaml` package resolves them only when asked. */
function readYaml(path: string): unknown {
  return parse(readFileSync(path, 'utf8'), { merge: true });
}

function isDict(v: unknown): v is Dict {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function str(v: unknown, what: string): string {
  if (typeof v === 'string') return v;
  if (typeof v === 'number' || typeof v === 'boolean') return String(v);
  throw new Error(`${what}: expected a scalar, got ${JSON.stringify(v)}`);
}

function dict(v: unknown, what: string): Dict {
  if (!isDict(v)) throw new Error(`${what}: expected a mapping, got ${JSON.stringify(v)}`);
  return v;
}

const compose = dict(readYaml(COMPOSE_FILE), 'docker-compose.yml');
const services = dict(compose.services, 'services');
const serviceNames = Object.keys(services);
const service = (name: string): Dict => dict(services[name], `services.${name}`);

/** Roles that workers/main.ts accepts (its ROLES array), checked against the source below. */
const MAIN_TS_ROLES = ['start', 'worker', 'api', 'market', 'quoting', 'temporal'];
/** Roles used by compose that main.ts does not accept yet: `quoting` lands with issue #4. */
const PENDING_ROLES: string[] = [];
const BALLAST_COMMANDS: Record<string, string> = { 'ballast-market': 'market', 'ballast-worker': 'worker', 'ballast-quoting': 'quoting', 'ballast-api': 'api' };

const EXPECTED_SERVICES = [
  'postgresql',
  'temporal',
  'temporal-admin-tools',
  'temporal-ui',
  'ballast-market',
  'ballast-worker',
  'ballast-quoting',
  'ballast-api',
  'prometheus',
  'grafana',
];

const SECRET_NAME = /KEY|SECRET|PASSWORD|TOKEN|PWD/i;
/** The only default a secret-looking variable may carry: the well-known Temporal/Postgres dev password. */
const ACCEPTED_DEV_DEFAULTS: Record<string, string[]> = { POSTGRES_PASSWORD: ['temporal'], POSTGRES_PWD: ['temporal'] };

function environmentOf(svc: Dict): Array<[string, unknown]> {
  const env = svc.environment;
  if (env === undefined) return [];
  if (Array.isArray(env)) {
    return env.map((entry): [string, unknown] => {
      const s = String(entry);
      const i = s.indexOf('=');
      return i < 0 ? [s, null] : [s.slice(0, i), s.slice(i + 1)];
    });
  }
  return Object.entries(dict(env, 'environment'));
}

function dependsOn(svc: Dict): string[] {
  const d = svc.depends_on;
  if (d === undefined) return [];
  if (Array.isArray(d)) return d.map(String);
  return Object.keys(dict(d, 'depends_on'));
}

function commandOf(svc: Dict): string[] {
  const c = svc.command;
  if (c === undefined) return [];
  return Array.isArray(c) ? c.map((x) => str(x, 'command')) : str(c, 'command').split(/\s+/).filter(Boolean);
}

interface Mount {
  type: string;
  source: string;
  target: string;
}

function mountsOf(svc: Dict): Mount[] {
  const volumes = svc.volumes;
  if (volumes === undefined) return [];
  if (!Array.isArray(volumes)) throw new Error('volumes: expected a list');
  return volumes.map((v): Mount => {
    if (typeof v === 'string') {
      const [source = '', target = ''] = v.split(':');
      const bind = source.startsWith('.') || source.startsWith('/') || source.startsWith('~');
      return { type: bind ? 'bind' : target ? 'volume' : 'anonymous', source, target: target || source };
    }
    const m = dict(v, 'volume');
    return { type: str(m.type, 'volume.type'), source: m.source === undefined ? '' : str(m.source, 'volume.source'), target: str(m.target, 'volume.target') };
  });
}

interface Port {
  hostIp: string | undefined;
  published: number;
  target: number;
}

function portsOf(svc: Dict): Port[] {
  const ports = svc.ports;
  if (ports === undefined) return [];
  if (!Array.isArray(ports)) throw new Error('ports: expected a list');
  return ports.map((p): Port => {
    if (isDict(p)) return { hostIp: p.host_ip as string | undefined, published: Number(p.published), target: Number(p.target) };
    const parts = String(p).replace(/\/(tcp|udp)$/, '').split(':');
    if (parts.length === 3) return { hostIp: parts[0], published: Number(parts[1]), target: Number(parts[2]) };
    if (parts.length === 2) return { hostIp: undefined, published: Number(parts[0]), target: Number(parts[1]) };
    throw new Error(`port ${String(p)}: publish a fixed host port`);
  });
}

const hasCompose = spawnSync('docker', ['compose', 'version'], { encoding: 'utf8', timeout: 30_000 }).status === 0;

describe('docker-compose.yml', () => {
  it('defines every service of the deployment', () => {
    expect(serviceNames).toEqual(expect.arrayContaining(EXPECTED_SERVICES));
  });

  it('pins every image to a tag (no :latest, no untagged image)', () => {
    for (const name of serviceNames) {
      const image = service(name).image;
      if (image === undefined) continue;
      const ref = str(image, `${name}.image`);
      // a locally built image may be tagged by a variable; registry images need a literal tag
      if (service(name).build !== undefined) continue;
      expect({ name, ref, tagged: /:[^/:]+$/.test(ref) && !ref.endsWith(':latest') }).toEqual({ name, ref, tagged: true });
    }
  });

  it('depends only on services that exist', () => {
    for (const name of serviceNames) {
      for (const dep of dependsOn(service(name))) {
        expect({ service: name, dependsOn: dep, exists: serviceNames.includes(dep) }).toEqual({ service: name, dependsOn: dep, exists: true });
      }
    }
  });

  it('waits for healthy dependencies where the dependency has a healthcheck', () => {
    for (const name of serviceNames) {
      const d = service(name).depends_on;
      if (!isDict(d)) continue;
      for (const [dep, spec] of Object.entries(d)) {
        if (dict(spec, `${name}.depends_on.${dep}`).condition === 'service_healthy') {
          expect({ dep, healthcheck: service(dep).healthcheck !== undefined }).toEqual({ dep, healthcheck: true });
        }
      }
    }
  });

  it('builds from a context and Dockerfile that exist', () => {
    const built = serviceNames.filter((n) => service(n).build !== undefined);
    expect(built).toEqual(expect.arrayContaining(Object.keys(BALLAST_COMMANDS)));
    for (const name of built) {
      const b = service(name).build;
      const context = resolve(ROOT, typeof b === 'string' ? b : str(dict(b, 'build').context ?? '.', 'build.context'));
      const dockerfile = resolve(context, isDict(b) && b.dockerfile !== undefined ? str(b.dockerfile, 'build.dockerfile') : 'Dockerfile');
      expect({ name, context, exists: existsSync(context) }).toEqual({ name, context, exists: true });
      expect({ name, dockerfile, exists: existsSync(dockerfile) }).toEqual({ name, dockerfile, exists: true });
    }
  });

  it('bind-mounts only paths that exist, and declares every named volume', () => {
    const declared = Object.keys(isDict(compose.volumes) ? compose.volumes : {});
    for (const name of serviceNames) {
      for (const m of mountsOf(service(name))) {
        if (m.type === 'bind') {
          expect(isAbsolute(m.source)).toBe(false); // the deployment must not depend on host paths
          const source = resolve(ROOT, m.source);
          expect({ name, source, exists: existsSync(source) }).toEqual({ name, source, exists: true });
        } else if (m.type === 'volume') {
          expect({ name, volume: m.source, declared: declared.includes(m.source) }).toEqual({ name, volume: m.source, declared: true });
        }
      }
    }
  });

  it('publishes each host port once', () => {
    const published = serviceNames.flatMap((n) => portsOf(service(n)).map((p) => ({ service: n, ...p })));
    expect(published.length).toBeGreaterThan(0);
    for (const p of published) expect(Number.isInteger(p.published) && p.published > 0).toBe(true);
    const byPort = new Map<number, string[]>();
    for (const p of published) byPort.set(p.published, [...(byPort.get(p.published) ?? []), p.service]);
    const duplicates = [...byPort].filter(([, owners]) => owners.length > 1);
    expect(duplicates).toEqual([]);
  });

  it('publishes the API on 3000, Temporal on 7233 and the Temporal UI on 8233', () => {
    expect(portsOf(service('ballast-api'))).toEqual([expect.objectContaining({ published: 3000, target: 3000 })]);
    expect(portsOf(service('temporal'))).toEqual([expect.objectContaining({ published: 7233, target: 7233 })]);
    expect(portsOf(service('temporal-ui'))).toEqual([expect.objectContaining({ published: 8233, target: 8080 })]);
  });

  it('runs the Ballast roles worker, quoting and api, all accepted by workers/main.ts except the pending quoting role', () => {
    const commands = Object.fromEntries(Object.keys(BALLAST_COMMANDS).map((n) => [n, commandOf(service(n)).join(' ')]));
    expect(commands).toEqual(BALLAST_COMMANDS);
    for (const role of Object.values(BALLAST_COMMANDS)) {
      expect({ role, accepted: MAIN_TS_ROLES.includes(role) || PENDING_ROLES.includes(role) }).toEqual({ role, accepted: true });
    }
    // MAIN_TS_ROLES must match what main.ts actually accepts.
    const source = readFileSync(join(ROOT, 'workers', 'main.ts'), 'utf8');
    const m = /const ROLES\b[^=]*=\s*\[([^\]]*)\]/.exec(source);
    expect(m).not.toBeNull();
    const rolesInSource = [...(m?.[1] ?? '').matchAll(/'([^']+)'/g)].map((x) => x[1]);
    expect(rolesInSource).toEqual(expect.arrayContaining(MAIN_TS_ROLES));
  });

  it('points the Ballast services at the compose Temporal and the image config', () => {
    for (const name of Object.keys(BALLAST_COMMANDS)) {
      const env = Object.fromEntries(environmentOf(service(name)));
      expect(env).toMatchObject({ TEMPORAL_ADDRESS: 'temporal:7233', BALLAST_CONFIG: '/app/config/demo.yaml' });
      expect(env).toHaveProperty('LOG_LEVEL');
    }
    expect(Object.fromEntries(environmentOf(service('ballast-api')))).toMatchObject({ BALLAST_API_HOST: '0.0.0.0' });
    expect(existsSync(join(ROOT, 'config', 'demo.yaml'))).toBe(true);
  });

  it('the codec endpoints need a credential: the API gets BALLAST_CODEC_TOKEN (no value baked in), the Web UI sends its session cookie', () => {
    const api = Object.fromEntries(environmentOf(service('ballast-api')));
    expect(api).toHaveProperty('BALLAST_CODEC_TOKEN');
    expect(api.BALLAST_CODEC_TOKEN ?? '').toBe('');
    const ui = Object.fromEntries(environmentOf(service('temporal-ui')));
    expect(str(ui.TEMPORAL_CODEC_INCLUDE_CREDENTIALS, 'TEMPORAL_CODEC_INCLUDE_CREDENTIALS')).toBe('true');
    // Same host name for the UI origin and the codec endpoint: the SameSite=Strict cookie reaches it.
    expect(new URL(str(ui.TEMPORAL_CORS_ORIGINS, 'TEMPORAL_CORS_ORIGINS')).hostname).toBe('localhost');
    expect(str(ui.TEMPORAL_CODEC_ENDPOINT, 'TEMPORAL_CODEC_ENDPOINT')).toContain('http://localhost:3000/codec');
  });

  it('health-checks the API through /health with node fetch', () => {
    const test = dict(service('ballast-api').healthcheck, 'ballast-api.healthcheck').test;
    const cmd = Array.isArray(test) ? test.join(' ') : String(test);
    expect(cmd).toMatch(/\bnode\b/);
    expect(cmd).toMatch(/fetch\(.*\/health/);
  });

  it('bakes no secret values in: secret-looking variables are empty or ${VAR} substitutions', () => {
    const offenders: string[] = [];
    const allowed = (key: string, value: unknown): boolean => {
      if (value === null || value === undefined || value === '') return true;
      const sub = /^\$\{([A-Z_][A-Z0-9_]*)(?:(:?[-?])(.*))?\}$/.exec(str(value, key));
      if (!sub) return false;
      const [, , op, fallback = ''] = sub;
      if (op === undefined || op.endsWith('?') || fallback === '') return true;
      return (ACCEPTED_DEV_DEFAULTS[key] ?? []).includes(fallback);
    };
    for (const name of serviceNames) {
      for (const [key, value] of environmentOf(service(name))) {
        if (SECRET_NAME.test(key) && !allowed(key, value)) offenders.push(`${name}.${key}=${JSON.stringify(value)}`);
      }
    }
    expect(offenders).toEqual([]);
  });

  it('reads Ballast secrets from an optional .env that the image never contains', () => {
    for (const name of Object.keys(BALLAST_COMMANDS)) {
      expect(service(name).env_file).toEqual([{ path: '.env', required: false }]);
    }
    const ignored = readFileSync(join(ROOT, '.dockerignore'), 'utf8').split('\n').map((l) => l.trim());
    expect(ignored).toEqual(expect.arrayContaining(['.env', 'node_modules', '.git']));
  });

  const composeTitle = hasCompose
    ? 'passes `docker compose config -q`'
    : 'passes `docker compose config -q` (skipped: the docker compose CLI plugin is not installed)';
  (hasCompose ? it : it.skip)(composeTitle, () => {
    const r = spawnSync('docker', ['compose', '-f', COMPOSE_FILE, 'config', '-q'], { cwd: ROOT, encoding: 'utf8', timeout: 60_000 });
    expect({ status: r.status, stderr: r.stderr }).toEqual({ status: 0, stderr: '' });
  });
});

describe('Dockerfile', () => {
  const dockerfile = readFileSync(join(ROOT, 'Dockerfile'), 'utf8');

  it('builds in stages from node 20 bookworm-slim and runs tsx as a non-root user', () => {
    expect(dockerfile).toMatch(/node:20[\w.-]*-bookworm-slim/);
    expect((dockerfile.match(/^FROM /gm) ?? []).length).toBeGreaterThanOrEqual(2);
    expect(dockerfile).toMatch(/npm ci/);
    expect(dockerfile).toMatch(/^USER (?!root\b|0\b)\S+/m);
    expect(dockerfile).toMatch(/^ENTRYPOINT \["node", "--import", "tsx", "workers\/main\.ts"\]/m);
    expect(dockerfile).toMatch(/^CMD \["worker"\]/m);
  });
});

describe('Prometheus config', () => {
  const prometheus = dict(readYaml(join(ROOT, 'deploy', 'prometheus', 'prometheus.yml')), 'prometheus.yml');
  const jobs = (prometheus.scrape_configs as unknown[]).map((j) => dict(j, 'scrape_config'));
  const targets = jobs.flatMap((j) => (j.static_configs as unknown[]).flatMap((s) => (dict(s, 'static_config').targets as unknown[]).map(String)));

  it('is mounted by the prometheus service', () => {
    const mount = mountsOf(service('prometheus')).find((m) => m.target === '/etc/prometheus/prometheus.yml');
    expect(mount && resolve(ROOT, mount.source)).toBe(join(ROOT, 'deploy', 'prometheus', 'prometheus.yml'));
  });

  it('scrapes only compose services, including the API and the Temporal metrics port', () => {
    expect(targets.length).toBeGreaterThan(0);
    for (const t of targets) {
      const host = t.split(':')[0] ?? '';
      expect({ target: t, isService: serviceNames.includes(host) }).toEqual({ target: t, isService: true });
    }
    expect(targets).toEqual(expect.arrayContaining(['ballast-api:3000', 'temporal:8000']));
    const apiJob = jobs.find((j) => (j.static_configs as Dict[]).some((s) => (s.targets as string[]).includes('ballast-api:3000')));
    expect(apiJob?.metrics_path ?? '/metrics').toBe('/metrics');
  });

  it('matches the port Temporal exports metrics on', () => {
    const env = Object.fromEntries(environmentOf(service('temporal')));
    expect(env.PROMETHEUS_ENDPOINT).toBe('0.0.0.0:8000');
  });
});

describe('Grafana provisioning', () => {
  const GRAFANA = join(ROOT, 'deploy', 'grafana');
  const yamlFiles = (dir: string) => readdirSync(dir).filter((f) => /\.ya?ml$/.test(f)).map((f) => dict(readYaml(join(dir, f)), f));
  const datasources = yamlFiles(join(GRAFANA, 'provisioning', 'datasources')).flatMap((f) => (f.datasources as unknown[]).map((d) => dict(d, 'datasource')));
  const providers = yamlFiles(join(GRAFANA, 'provisioning', 'dashboards')).flatMap((f) => (f.providers as unknown[]).map((p) => dict(p, 'provider')));
  const grafanaMounts = mountsOf(service('grafana'));

  it('provisions the compose Prometheus as the default datasource', () => {
    const prom = datasources.find((d) => d.type === 'prometheus');
    expect(prom).toMatchObject({ url: 'http://prometheus:9090', isDefault: true });
  });

  it('loads dashboards from the folder that deploy/grafana/dashboards is mounted on', () => {
    const dashboardsMount = grafanaMounts.find((m) => resolve(ROOT, m.source) === join(GRAFANA, 'dashboards'));
    expect(dashboardsMount).toBeDefined();
    expect(providers.map((p) => dict(p.options, 'provider.options').path)).toContain(dashboardsMount?.target);
    const provisioningMount = grafanaMounts.find((m) => resolve(ROOT, m.source) === join(GRAFANA, 'provisioning'));
    expect(provisioningMount?.target).toBe('/etc/grafana/provisioning');
  });

  it('ships a Ballast dashboard with workflow outcome and API-up panels on the provisioned datasource', () => {
    const dashboard = dict(JSON.parse(readFileSync(join(GRAFANA, 'dashboards', 'ballast.json'), 'utf8')), 'ballast.json');
    const panels = (dashboard.panels as unknown[]).map((p) => dict(p, 'panel')).filter((p) => p.type !== 'row');
    const exprs = panels.flatMap((p) => ((p.targets as Dict[] | undefined) ?? []).map((t) => String(t.expr)));
    expect(exprs.some((e) => e.includes('workflow_success'))).toBe(true);
    expect(exprs.some((e) => e.includes('workflow_failed'))).toBe(true);
    expect(exprs.some((e) => /up\{job="ballast-api"\}/.test(e))).toBe(true);
    const uids = new Set(datasources.map((d) => d.uid));
    for (const p of panels) expect(uids.has(dict(p.datasource, 'panel.datasource').uid)).toBe(true);
    // every scraped job a panel filters on exists in the Prometheus config
    const jobNames = (dict(readYaml(join(ROOT, 'deploy', 'prometheus', 'prometheus.yml')), 'prometheus.yml').scrape_configs as Dict[]).map((j) => j.job_name);
    for (const e of exprs) for (const [, job] of e.matchAll(/job="([^"]+)"/g)) expect(jobNames).toContain(job);
  });
});
