// Reads and validates the config file once at start-up. Errors name the file and every bad field.
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { parse as parseYaml } from 'yaml';
import { ConfigSchema, type BallastConfig } from '../domain/config.schema';
import { toFieldIssues } from '../domain/errors';

export class ConfigError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ConfigError';
  }
}

export const DEFAULT_CONFIG_PATH = resolve(__dirname, 'demo.yaml');

export function parseConfig(raw: unknown, source = 'config'): BallastConfig {
  const r = ConfigSchema.safeParse(raw);
  if (r.success) return r.data;
  const lines = toFieldIssues(r.error).map((i) => `  - ${i.path}: ${i.message}`);
  throw new ConfigError(`invalid configuration in ${source}:\n${lines.join('\n')}`);
}

export function loadConfig(path = DEFAULT_CONFIG_PATH): BallastConfig {
  return parseConfig(readRawConfig(path), path);
}

/** The file's YAML / JSON, unvalidated (the live-mode guard asks what was written, not defaulted). */
export function readRawConfig(path: string): unknown {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (e) {
    throw new ConfigError(`cannot read config file ${path}: ${(e as Error).message}`);
  }
  let raw: unknown;
  try {
    raw = path.endsWith('.json') ? JSON.parse(text) : parseYaml(text);
  } catch (e) {
    throw new ConfigError(`config file ${path} is not valid ${path.endsWith('.json') ? 'JSON' : 'YAML'}: ${(e as Error).message}`);
  }
  return raw;
}

/** Environment overrides a deployment needs (docker-compose); read only by process entry points. */
function envPort(env: Record<string, string | undefined>, name: string): number | undefined {
  const raw = env[name];
  if (raw === undefined || raw === '') return undefined;
  const port = /^\d{1,5}$/.test(raw) ? Number(raw) : NaN;
  if (!(port > 0 && port < 65536)) throw new ConfigError(`${name}: expected a port number (1-65535), got ${JSON.stringify(raw)}`);
  return port;
}

/** Environment overrides a deployment needs (docker-compose); read only by process entry points. */
export function applyEnvOverrides(config: BallastConfig, env: Record<string, string | undefined>): BallastConfig {
  const apiPort = envPort(env, 'BALLAST_API_PORT');
  const uiPort = envPort(env, 'TEMPORAL_UI_PORT');
  return parseConfig(
    {
      ...config,
      temporal: {
        ...config.temporal,
        ...(env.TEMPORAL_ADDRESS ? { address: env.TEMPORAL_ADDRESS } : {}),
        ...(env.TEMPORAL_NAMESPACE ? { namespace: env.TEMPORAL_NAMESPACE } : {}),
        ...(uiPort !== undefined ? { uiPort } : {}),
      },
      api: {
        ...config.api,
        ...(env.BALLAST_API_HOST ? { host: env.BALLAST_API_HOST } : {}),
        ...(apiPort !== undefined ? { port: apiPort } : {}),
      },
      metrics: { ...config.metrics, ...(env.BALLAST_METRICS_HOST ? { host: env.BALLAST_METRICS_HOST } : {}) },
      ...(config.simulation
        ? {
            simulation: {
              ...config.simulation,
              ...(env.BALLAST_SIM_HOST ? { host: env.BALLAST_SIM_HOST } : {}),
              ...(env.BALLAST_SIM_BIND_HOST ? { bindHost: env.BALLAST_SIM_BIND_HOST } : {}),
            },
          }
        : {}),
    },
    'environment overrides (TEMPORAL_ADDRESS, TEMPORAL_NAMESPACE, TEMPORAL_UI_PORT, BALLAST_API_HOST, BALLAST_API_PORT, BALLAST_METRICS_HOST, BALLAST_SIM_HOST, BALLAST_SIM_BIND_HOST)',
  );
}

